"""Form fields that identify the applicant: filled from the authenticated identity, not typed.

A service's form schema marks such a property with ``"x-identity"``: ``"pinfl"`` (the
applicant's PINFL, the identity's subject), ``"name"`` (their full name, when the identity
provider gives it) or ``"birth_date"`` (read from the PINFL's digits 2-7). On submission the
value comes from the identity: an omitted field is filled in, the same value is kept, and a
different one is refused, so a citizen cannot apply in another person's name. Messages name
the field and its source, never a value (they are personal data).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.errors import InvalidFormSchema
from domain.identity import validate_pinfl

PINFL = "pinfl"
NAME = "name"
BIRTH_DATE = "birth_date"
IDENTITY_SOURCES = (PINFL, NAME, BIRTH_DATE)

_SOURCE_WORDS = {PINFL: "PINFL", NAME: "full name", BIRTH_DATE: "date of birth"}
_CENTURY = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}


@dataclass(frozen=True)
class Identity:
    """What an identity provider vouches for about the applicant."""

    pinfl: str
    name: str | None = None

    def value(self, source: str) -> str | None:
        if source == PINFL:
            return self.pinfl
        if source == NAME:
            return self.name
        return birth_date_of(self.pinfl)


def birth_date_of(pinfl: str) -> str:
    """The ISO birth date a (valid) PINFL encodes: century from digit 1, DDMMYY from 2-7."""
    validate_pinfl(pinfl)
    year = _CENTURY[pinfl[0]] + int(pinfl[5:7])
    return date(year, int(pinfl[3:5]), int(pinfl[1:3])).isoformat()


def identity_fields(schema: Mapping[str, Any]) -> dict[str, str]:
    """The form's identity-bound properties: field name -> its source."""
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return {}
    return {
        name: spec["x-identity"]
        for name, spec in properties.items()
        if isinstance(spec, Mapping) and "x-identity" in spec
    }


def check_identity_marks(schema: Mapping[str, Any]) -> None:
    """Every ``x-identity`` names a known source, on a text field, at the top level."""
    for name, source in identity_fields(schema).items():
        if source not in IDENTITY_SOURCES:
            raise InvalidFormSchema(
                f"form_schema property {name!r}: x-identity must be one of "
                f"{', '.join(IDENTITY_SOURCES)}"
            )
        kind = schema["properties"][name].get("type", "string")
        if kind != "string":
            raise InvalidFormSchema(
                f"form_schema property {name!r}: an x-identity field must be of type string"
            )


def _same(source: str, given: object, known: str) -> bool:
    if not isinstance(given, str):
        return False
    if source == NAME:  # spacing and letter case are not a different person
        return " ".join(given.split()).casefold() == " ".join(known.split()).casefold()
    return given.strip() == known


def bind_identity(
    schema: Mapping[str, Any], form: Any, identity: Identity
) -> tuple[Any, list[tuple[str, str]]]:
    """``form`` with its identity-bound fields filled from ``identity``, and the fields
    whose submitted value differs from it (JSON pointer, message). A field whose source
    the identity does not give (a name the provider withheld) keeps the typed value. A form
    that is not an object is left for the schema to refuse."""
    if not isinstance(form, Mapping):
        return form, []
    bound = dict(form)
    refused: list[tuple[str, str]] = []
    for name, source in identity_fields(schema).items():
        known = identity.value(source)
        if known is None:
            continue
        if name in form and not _same(source, form[name], known):
            refused.append(
                (
                    "/" + name.replace("~", "~0").replace("/", "~1"),
                    f"is filled from your identity ({_SOURCE_WORDS[source]}) "
                    "and may not be given a different value",
                )
            )
        bound[name] = known
    return bound, refused
