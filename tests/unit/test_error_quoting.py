"""Error messages quote at most a short prefix of non-personal input, and never a form
value (security issue: bounded, non-revealing errors)."""

from __future__ import annotations

from typing import Any

import pytest

from application.forms import form_errors
from domain.application_rules import check_submission
from domain.errors import DomainError
from domain.kpi import Target
from domain.quoting import QUOTE_LIMIT, bounded, quoted
from domain.territory import DISTRICT, validate_territory_code

MARKER = "Secret-Marker-7f3a"


def test_quoted_keeps_a_short_value_and_cuts_a_long_one() -> None:
    assert quoted("abc") == "'abc'"
    long = quoted("x" * 10_000)
    assert long == repr("x" * QUOTE_LIMIT) + "…"
    assert len(quoted(list(range(10_000)))) <= QUOTE_LIMIT + 3


def test_bounded_cuts_a_text() -> None:
    assert bounded("short") == "short"
    assert bounded("y" * 1000, 300) == "y" * 299 + "…"


@pytest.mark.parametrize(
    "refuse",
    [
        lambda value: check_submission(value, "ru"),
        Target.parse,
        lambda value: validate_territory_code(value, DISTRICT, None),
    ],
    ids=["tracking-number", "kpi-target", "territory-code"],
)
def test_a_domain_error_quotes_a_short_prefix(refuse: Any) -> None:
    with pytest.raises(DomainError) as caught:
        refuse("Q" * 1_000_000)
    assert len(caught.value.detail) < 300
    assert "Q" * QUOTE_LIMIT + "'…" in caught.value.detail


SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 5},
        "code": {"type": "string", "pattern": "^x$"},
        "sex": {"enum": ["male", "female"]},
        "count": {"type": "integer", "minimum": 1},
        "born": {"type": "string", "format": "date"},
        "kind": {"const": "fixed"},
    },
    "required": ["name"],
    "additionalProperties": False,
}


def test_form_errors_name_the_rule_and_never_the_value() -> None:
    form = {
        "name": MARKER,
        "code": MARKER,
        "sex": MARKER,
        "count": 0,
        "born": MARKER,
        "kind": MARKER,
        MARKER: 1,
    }
    errors = {(e.pointer, e.message) for e in form_errors(SCHEMA, form)}
    assert errors == {
        ("/", "has properties the form does not define"),
        ("/name", "is longer than 5 characters"),
        ("/code", "does not match the required pattern"),
        ("/sex", 'must be one of "male", "female"'),
        ("/count", "is less than the minimum of 1"),
        ("/born", "is not a valid date"),
        ("/kind", 'must be "fixed"'),
    }
    assert not any(MARKER in message for _, message in errors)


def test_form_errors_of_a_wrong_type_or_missing_field() -> None:
    errors = {(e.pointer, e.message) for e in form_errors(SCHEMA, {"count": MARKER})}
    assert errors == {("/", "'name' is a required property"), ("/count", "must be of type integer")}
