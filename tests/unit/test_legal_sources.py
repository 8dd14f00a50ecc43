"""A legal source names an act an official can look up, or the data says it has none."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidLegalSource
from domain.sources import LegalSource

LAW = {
    "act": 'Law "On state duty"',
    "number": "ZRU-600",
    "date": "2020-01-06",
    "article": "annex, item 1",
    "url": "https://lex.uz/docs/4681222",
}


def test_a_source_round_trips_and_cites_its_act_number_date_and_article() -> None:
    source = LegalSource.from_dict(LAW)
    assert source.date == date(2020, 1, 6)
    assert LegalSource.from_dict(source.to_dict()) == source
    assert source.cite() == 'Law "On state duty", No. ZRU-600 of 2020-01-06, annex, item 1'


def test_a_value_without_a_known_act_says_so_with_null() -> None:
    assert LegalSource.optional(None) is None
    assert LegalSource.optional(LAW) == LegalSource.from_dict(LAW)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"date": "6 January 2020"}, "source.date must be an ISO date"),
        ({"act": " "}, "source.act must be a non-empty text"),
        ({"url": "https://example.org/law"}, "source.url must be a lex.uz document link"),
        ({"page": 3}, "a source has no field page"),
    ],
)
def test_a_malformed_source_is_refused_with_the_field_named(
    change: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidLegalSource, match=message):
        LegalSource.from_dict({**LAW, **change})
