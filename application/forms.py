"""Form JSON Schemas: checking that a schema is valid, and validating filled-in forms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from domain.errors import InvalidFormSchema
from domain.form_schema import check_form_schema_shape

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
    return [FieldError(_pointer(e.absolute_path), e.message) for e in errors]


def check_form_schema(schema: object) -> dict[str, Any]:
    """Return ``schema`` if it is a valid JSON Schema (draft 2020-12) for a service form
    whose ``examples`` all validate against it; else raise ``InvalidFormSchema``."""
    shaped = check_form_schema_shape(schema)
    try:
        Draft202012Validator.check_schema(shaped)
    except SchemaError as error:
        where = _pointer(error.absolute_path)
        raise InvalidFormSchema(
            f"form_schema is not a valid JSON Schema at {where}: {error.message}"
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
