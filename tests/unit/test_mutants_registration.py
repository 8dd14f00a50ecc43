"""What mutation testing found untested in registration numbers (docs/testing.md): the
abbreviation of a kind of agency missing from the registry table, the four-digit year,
the counter's natural id and what each issued number records."""

from __future__ import annotations

from uuid import uuid5

import pytest

from domain.errors import InvalidInput
from domain.ids import YAGONA_NAMESPACE
from domain.registration import RegistrationCounter, abbreviation, registration_prefix
from tests.unit.builders import META
from tests.unit.gwt import given, history


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("justice", "ADL"),  # from the registry table
        ("road_safety_service", "RSS"),  # initials of the words
        ("land_use", "LU"),  # two initials are enough
        ("forestry", "FOR"),  # one word: its first three letters
        ("veterinary__", "VET"),  # empty words do not count
        ("x", "X"),  # a one-letter kind is its own abbreviation
    ],
)
def test_a_kind_missing_from_the_table_is_abbreviated_by_its_initials(
    kind: str, expected: str
) -> None:
    assert abbreviation(kind) == expected


def test_the_prefix_carries_the_soato_code_only_when_there_is_one() -> None:
    assert registration_prefix("road_safety-1703202") == "RS-1703202"
    assert registration_prefix("road_safety") == "RS"
    with pytest.raises(InvalidInput, match="no registration prefix"):
        registration_prefix("Justice 1703")


@pytest.mark.parametrize("year", [2000, 9999])
def test_any_four_digit_year_from_2000_numbers_decisions(year: int) -> None:
    assert RegistrationCounter.start("justice-1703202", year).year == year


@pytest.mark.parametrize("year", [1999, 10_000])
def test_other_years_are_refused(year: int) -> None:
    with pytest.raises(InvalidInput, match="four digits"):
        RegistrationCounter.start("justice-1703202", year)


def test_a_counter_is_found_by_its_agency_and_year() -> None:
    counter = RegistrationCounter.start("justice-1703202", 2026)
    assert counter.id == uuid5(YAGONA_NAMESPACE, "/registration-counters/justice-1703202:2026")


def test_an_issued_number_records_the_number_and_its_meta() -> None:
    events = history(RegistrationCounter.start("justice-1703202", 2026))
    outcome = given(*events).when(lambda c: c.issue(meta=META))
    outcome.then(
        RegistrationCounter.NumberIssued,
        number=1,
        registration_number="ADL-1703202-2026-000001",
        meta=META,
    )
