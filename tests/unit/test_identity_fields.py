"""Identity-bound form fields, given a schema and an identity, when a form is bound."""

from __future__ import annotations

from typing import Any

import pytest

from domain.errors import InvalidFormSchema
from domain.form_schema import check_form_schema_shape
from domain.identity_fields import Identity, bind_identity, birth_date_of, identity_fields

ME = "31503901234567"  # born 15.03.1990
SOMEONE_ELSE = "42207951234561"

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "applicant_pinfl": {"type": "string", "x-identity": "pinfl"},
        "applicant_name": {"type": "string", "x-identity": "name"},
        "applicant_birth_date": {"type": "string", "x-identity": "birth_date"},
        "child_pinfl": {"type": "string"},
    },
    "examples": [{"applicant_pinfl": ME, "child_pinfl": SOMEONE_ELSE}],
}


def test_omitted_identity_fields_are_filled_from_the_identity() -> None:
    bound, refused = bind_identity(SCHEMA, {"child_pinfl": SOMEONE_ELSE}, Identity(ME, "Aziza"))
    assert refused == []
    assert bound == {
        "applicant_pinfl": ME,
        "applicant_name": "Aziza",
        "applicant_birth_date": "1990-03-15",
        "child_pinfl": SOMEONE_ELSE,  # not bound: another person's PINFL may be typed
    }


def test_another_persons_pinfl_is_refused_without_quoting_it() -> None:
    _, refused = bind_identity(SCHEMA, {"applicant_pinfl": SOMEONE_ELSE}, Identity(ME))
    assert [pointer for pointer, _ in refused] == ["/applicant_pinfl"]
    assert "identity" in refused[0][1]
    assert SOMEONE_ELSE not in refused[0][1]
    assert ME not in refused[0][1]


def test_the_same_values_are_accepted_and_a_name_ignores_spacing_and_case() -> None:
    form = {"applicant_pinfl": ME, "applicant_name": "  aziza   KARIMOVA ", "child_pinfl": "x"}
    bound, refused = bind_identity(SCHEMA, form, Identity(ME, "Aziza Karimova"))
    assert refused == []
    assert bound["applicant_name"] == "Aziza Karimova"


def test_a_different_name_or_birth_date_is_refused() -> None:
    form = {"applicant_name": "Someone Else", "applicant_birth_date": "1990-03-16"}
    _, refused = bind_identity(SCHEMA, form, Identity(ME, "Aziza Karimova"))
    assert [pointer for pointer, _ in refused] == ["/applicant_name", "/applicant_birth_date"]


def test_a_name_the_provider_withheld_keeps_the_typed_value() -> None:
    bound, refused = bind_identity(SCHEMA, {"applicant_name": "Aziza"}, Identity(ME, None))
    assert refused == []
    assert bound["applicant_name"] == "Aziza"


def test_a_non_text_value_differs() -> None:
    _, refused = bind_identity(SCHEMA, {"applicant_pinfl": 31503901234567}, Identity(ME))
    assert [pointer for pointer, _ in refused] == ["/applicant_pinfl"]


def test_a_form_that_is_not_an_object_is_left_to_the_schema() -> None:
    assert bind_identity(SCHEMA, "a string", Identity(ME)) == ("a string", [])


@pytest.mark.parametrize(
    ("pinfl", "born"),
    [
        ("31503901234567", "1990-03-15"),
        ("61706001234566", "2000-06-17"),
        ("12902441234567", "1844-02-29"),
    ],
)
def test_the_birth_date_is_read_from_the_pinfl(pinfl: str, born: str) -> None:
    assert birth_date_of(pinfl) == born


def test_a_schema_may_mark_only_known_sources_on_text_fields() -> None:
    assert identity_fields(SCHEMA) == {
        "applicant_pinfl": "pinfl",
        "applicant_name": "name",
        "applicant_birth_date": "birth_date",
    }
    unknown = {**SCHEMA, "properties": {"a": {"type": "string", "x-identity": "passport"}}}
    with pytest.raises(InvalidFormSchema, match="x-identity must be one of pinfl, name"):
        check_form_schema_shape(unknown)
    numeric = {**SCHEMA, "properties": {"a": {"type": "integer", "x-identity": "pinfl"}}}
    with pytest.raises(InvalidFormSchema, match="must be of type string"):
        check_form_schema_shape(numeric)
