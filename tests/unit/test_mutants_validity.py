"""What mutation testing found untested in a permit's validity (docs/testing.md): the
edges of the months allowed, the shape of the form field that carries the months or the
date, and what the refusal of a bad form value names."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.errors import InvalidForm, InvalidServiceTerms
from domain.validity import MAX_MONTHS, Validity

MONTHS_FIELD = {"type": "integer", "minimum": 1}
SCHEMA: dict[str, Any] = {
    "properties": {"months": MONTHS_FIELD, "until": {"type": "string", "format": "date"}},
    "required": ["months", "until"],
}
DAY = date(2026, 1, 31)


@pytest.mark.parametrize("months", [1, MAX_MONTHS])
def test_a_fixed_term_may_run_from_one_month_to_the_maximum(months: int) -> None:
    assert Validity.from_dict({"months": months}, {}) == Validity(months=months)


@pytest.mark.parametrize("months", [0, MAX_MONTHS + 1, True, "12"])
def test_other_fixed_terms_are_refused(months: object) -> None:
    with pytest.raises(InvalidServiceTerms, match="whole number from 1 to 1200"):
        Validity.from_dict({"months": months}, {})


def test_a_schema_without_properties_or_required_fields_names_no_field() -> None:
    for schema in ({}, {"properties": {"months": MONTHS_FIELD}}, {"required": ["months"]}):
        with pytest.raises(InvalidServiceTerms, match="names a required field"):
            Validity.from_dict({"months_field": "months"}, schema)


def test_a_field_name_must_be_a_text() -> None:
    with pytest.raises(InvalidServiceTerms, match="names a required field"):
        Validity.from_dict({"months_field": 1}, {"properties": {1: MONTHS_FIELD}, "required": [1]})


def test_an_optional_field_cannot_carry_the_validity() -> None:
    schema = {"properties": {"months": MONTHS_FIELD}, "required": []}
    with pytest.raises(InvalidServiceTerms, match="names a required field"):
        Validity.from_dict({"months_field": "months"}, schema)


@pytest.mark.parametrize(
    "field",
    [
        {"type": "number", "minimum": 1},
        {"type": "integer"},
        {"type": "integer", "minimum": 0},
        {"type": "integer", "minimum": 1.0},
    ],
)
def test_the_months_field_is_an_integer_field_with_a_minimum_of_one(field: dict[str, Any]) -> None:
    schema = {"properties": {"months": field}, "required": ["months"]}
    with pytest.raises(InvalidServiceTerms, match="minimum of 1"):
        Validity.from_dict({"months_field": "months"}, schema)


def test_a_good_months_field_is_accepted() -> None:
    assert Validity.from_dict({"months_field": "months"}, SCHEMA) == Validity(months_field="months")


@pytest.mark.parametrize(
    ("months", "until"), [(1, date(2026, 2, 28)), (2, date(2026, 3, 31)), (1201, date(2126, 1, 31))]
)
def test_one_month_or_more_from_the_form_counts_up_to_the_maximum(months: int, until: date) -> None:
    assert Validity(months_field="months").until(DAY, {"months": months}) == until


@pytest.mark.parametrize("months", [0, True, "3", None])
def test_a_bad_months_value_in_the_form_is_refused_at_its_field(months: object) -> None:
    with pytest.raises(InvalidForm) as refused:
        Validity(months_field="months").until(DAY, {"months": months})
    assert refused.value.detail == (
        "the form's months is not a whole number of months, and the permit's validity is "
        "counted by it"
    )
    assert refused.value.errors == [
        ("/months", "is not a whole number of months, and the permit's validity is counted by it")
    ]


def test_a_bad_date_in_the_form_is_refused_at_its_field() -> None:
    with pytest.raises(InvalidForm) as refused:
        Validity(until_field="until").until(DAY, {"until": "soon"})
    assert refused.value.errors == [
        ("/until", "is not a date, and the permit's validity is counted by it")
    ]
