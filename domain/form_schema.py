"""The shape a service's form schema must have (a JSON Schema object with fields and examples)."""

from __future__ import annotations

from typing import Any

from domain.errors import InvalidFormSchema
from domain.identity_fields import check_identity_marks


def check_form_schema_shape(schema: object) -> dict[str, Any]:
    """The structural rules a service form schema must meet (its full validity as a
    JSON Schema is checked by the application with a validator)."""
    if not isinstance(schema, dict):
        raise InvalidFormSchema("form_schema must be a JSON Schema object")
    if schema.get("type") != "object":
        raise InvalidFormSchema('form_schema must describe an object ("type": "object")')
    if not isinstance(schema.get("properties"), dict) or not schema["properties"]:
        raise InvalidFormSchema("form_schema must declare its fields under 'properties'")
    examples = schema.get("examples")
    if (
        not isinstance(examples, list)
        or not examples
        or not all(isinstance(e, dict) for e in examples)
    ):
        raise InvalidFormSchema(
            "form_schema must hold at least one filled-in instance under 'examples'"
        )
    check_identity_marks(schema)
    return schema
