"""Form JSON Schemas: checking that a schema is valid, and validating filled-in forms."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, ValidationError

from domain.errors import InvalidFormSchema
from domain.form_schema import check_form_schema_shape
from domain.quoting import bounded

_FORMAT_CHECKER = Draft202012Validator.FORMAT_CHECKER


@dataclass(frozen=True)
class FieldError:
    """One failing field of a form: its JSON pointer and what is wrong with it."""

    pointer: str
    message: str


def _pointer(path: Any) -> str:
    return "".join(f"/{str(part).replace('~', '~0').replace('/', '~1')}" for part in path) or "/"


def form_errors(schema: dict[str, Any], data: object) -> list[FieldError]:
    """Every way ``data`` fails ``schema``, each with the JSON pointer of the field."""
    validator = Draft202012Validator(schema, format_checker=_FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    return [FieldError(_pointer(e.absolute_path), rule_message(e)) for e in errors]


# What a failing keyword says, from the schema alone: jsonschema's own messages quote the
# value ("'Aziza…' is too long"), and a form's values are personal data.
_RULES: dict[str, str] = {
    "maxLength": "is longer than {} characters",
    "minLength": "is shorter than {} characters",
    "pattern": "does not match the required pattern",
    "minimum": "is less than the minimum of {}",
    "maximum": "is more than the maximum of {}",
    "exclusiveMinimum": "must be more than {}",
    "exclusiveMaximum": "must be less than {}",
    "multipleOf": "is not a multiple of {}",
    "minItems": "has fewer than {} items",
    "maxItems": "has more than {} items",
    "uniqueItems": "has repeated items",
    "minProperties": "has fewer than {} properties",
    "maxProperties": "has more than {} properties",
    "additionalProperties": "has properties the form does not define",
    "unevaluatedProperties": "has properties the form does not define",
    "propertyNames": "has a property name the form does not allow",
}


def _schema_value(value: object) -> str:
    return bounded(json.dumps(value, ensure_ascii=False), 100)


def _kinds(expected: Any) -> str:
    return " or ".join(map(str, expected if isinstance(expected, list) else [expected]))


# Keywords whose message is built from the schema's value by a function.
_SPECIAL: dict[str, Any] = {
    "type": lambda expected: f"must be of type {_kinds(expected)}",
    "enum": lambda expected: (
        "must be one of "
        + ", ".join(map(_schema_value, expected if isinstance(expected, list) else [expected]))
    ),
    "const": lambda expected: f"must be {_schema_value(expected)}",
    "format": lambda expected: f"is not a valid {expected}",
}


def rule_message(error: ValidationError) -> str:
    """The rule ``error`` breaks, named from the schema; never the value that broke it."""
    keyword, expected = str(error.validator), error.validator_value
    if keyword in _SPECIAL:
        return bounded(_SPECIAL[keyword](expected), 200)
    if keyword in ("required", "dependentRequired"):
        return bounded(error.message, 200)  # names the schema's properties, not the input
    template = _RULES.get(keyword)
    if template is not None:
        return template.format(_schema_value(expected) if "{}" in template else "")
    return bounded(f"does not satisfy the form's {keyword!r} rule", 200)


def check_form_schema(schema: object) -> dict[str, Any]:
    """Return ``schema`` if it is a valid JSON Schema (draft 2020-12) for a service form
    whose ``examples`` all validate against it; else raise ``InvalidFormSchema``."""
    shaped = check_form_schema_shape(schema)
    try:
        Draft202012Validator.check_schema(shaped)
    except SchemaError as error:
        where = _pointer(error.absolute_path)
        raise InvalidFormSchema(
            f"form_schema is not a valid JSON Schema at {where}: {bounded(error.message)}"
        ) from None
    for index, example in enumerate(shaped["examples"]):
        failures = form_errors(shaped, example)
        if failures:
            first = failures[0]
            raise InvalidFormSchema(
                f"form_schema examples[{index}] does not satisfy the schema at "
                f"{first.pointer}: {first.message}"
            )
    return shaped
