"""The holiday calendar's working-day arithmetic: which days are working days, adding and
counting them, and the caps that keep a term from looping."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given as for_all
from hypothesis import strategies as st

from domain.calendar import MAX_SPAN_DAYS, WorkingCalendar
from tests.unit.calendar_days import NAVRUZ, NEW_YEAR, QURBON, RAMAZON, WOMENS_DAY, WORKING_SATURDAY

CAL = WorkingCalendar(
    holidays=frozenset({NEW_YEAR, WOMENS_DAY, RAMAZON, NAVRUZ, QURBON}),
    working_weekends=frozenset({WORKING_SATURDAY}),
)
PLAIN = WorkingCalendar()


# --- working days -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 1, 5), True),  # Monday
        (date(2026, 1, 9), True),  # Friday
        (date(2026, 1, 3), False),  # Saturday
        (date(2026, 1, 4), False),  # Sunday
        (NEW_YEAR, False),  # a holiday on a Thursday
        (WOMENS_DAY, False),  # a holiday on a Sunday stays a day off
        (date(2026, 3, 9), True),  # the Monday after it is not moved off by itself
        (WORKING_SATURDAY, True),  # a Saturday declared working
        (date(2026, 1, 11), False),  # the Sunday after it is not
    ],
)
def test_is_working_day(day: date, working: bool) -> None:
    assert CAL.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 1, 5), 0, date(2026, 1, 5)),  # zero days: the start itself
        (date(2026, 1, 3), 0, date(2026, 1, 3)),  # ... even when it is not a working day
        (date(2026, 1, 5), 1, date(2026, 1, 6)),  # Monday + 1 = Tuesday
        (date(2026, 1, 16), 1, date(2026, 1, 19)),  # Friday + 1 = the next Monday
        (date(2026, 1, 17), 1, date(2026, 1, 19)),  # from a Saturday: Monday
        (date(2026, 1, 18), 1, date(2026, 1, 19)),  # from a Sunday: Monday
        (date(2026, 1, 12), 5, date(2026, 1, 19)),  # a full week
        (date(2026, 1, 12), 10, date(2026, 1, 26)),  # two weeks
        (date(2026, 3, 6), 1, date(2026, 3, 9)),  # a holiday on a Sunday changes nothing
        (date(2026, 3, 19), 1, date(2026, 3, 23)),  # Ramazon (Fri), Navro'z (Sat), Sunday
        (QURBON - timedelta(days=1), 1, date(2026, 5, 28)),  # over a midweek holiday
        (QURBON, 1, date(2026, 5, 28)),  # from a holiday: the next working day
        (date(2026, 1, 9), 1, WORKING_SATURDAY),  # a working Saturday counts
        (date(2026, 1, 9), 2, date(2026, 1, 12)),  # ... and the Sunday after it does not
        (date(2025, 12, 31), 1, date(2026, 1, 2)),  # over the year boundary and New Year
        (date(2025, 12, 31), 2, date(2026, 1, 5)),
        (date(2026, 4, 30), 2, date(2026, 5, 4)),  # over a month boundary and a weekend
        (date(2024, 2, 28), 1, date(2024, 2, 29)),  # a leap day is a working Thursday
        (date(2024, 2, 28), 2, date(2024, 3, 1)),
        (date(2026, 2, 27), 1, date(2026, 3, 2)),  # end of February in a common year
    ],
)
def test_add_working_days(start: date, days: int, expected: date) -> None:
    assert CAL.add_working_days(start, days) == expected


def test_a_term_of_a_year_in_working_days() -> None:
    # 2026 has 261 weekdays; less 3 holidays on weekdays, plus one working Saturday.
    end = CAL.add_working_days(date(2025, 12, 31), 259)
    assert end == date(2026, 12, 31)
    assert CAL.working_days_between(date(2025, 12, 31), end) == 259


def test_a_negative_number_of_working_days_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        CAL.add_working_days(date(2026, 1, 5), -1)


def test_a_term_beyond_the_cap_is_refused_rather_than_looping() -> None:
    every_day_off = WorkingCalendar(
        holidays=frozenset(date(2026, 1, 1) + timedelta(days=n) for n in range(MAX_SPAN_DAYS + 7))
    )
    with pytest.raises(ValueError, match=f"more than {MAX_SPAN_DAYS} calendar days"):
        every_day_off.add_working_days(date(2025, 12, 31), 1)
    with pytest.raises(ValueError, match="calendar days"):
        PLAIN.add_working_days(date(2026, 1, 1), 5_000)


def test_a_term_running_past_the_last_representable_date_is_refused() -> None:
    with pytest.raises(ValueError, match="past year 9999"):
        PLAIN.add_working_days(date(9999, 12, 30), 5)


def test_the_cap_still_allows_ten_years_of_working_days() -> None:
    start = date(2026, 1, 1)
    end = PLAIN.add_working_days(start, 2_500)
    assert (end - start).days <= MAX_SPAN_DAYS
    assert PLAIN.working_days_between(start, end) == 2_500


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 1, 5), date(2026, 1, 5), 0),  # empty interval
        (date(2026, 1, 9), date(2026, 1, 5), 0),  # end before start
        (date(2026, 1, 5), date(2026, 1, 6), 1),  # the end counts, the start does not
        (date(2026, 1, 16), date(2026, 1, 19), 1),  # Friday to Monday
        (date(2026, 1, 16), date(2026, 1, 18), 0),  # Friday to Sunday
        (date(2026, 1, 11), date(2026, 1, 18), 5),  # Sunday to Sunday: one week
        (date(2026, 1, 8), date(2026, 1, 12), 3),  # Fri, the working Saturday, Mon
        (date(2025, 12, 31), date(2026, 1, 5), 2),  # New Year (Thu) off: Fri, Mon
        (date(2026, 3, 6), date(2026, 3, 9), 1),  # a Sunday holiday takes nothing off
        (date(2026, 3, 19), date(2026, 3, 23), 1),  # Ramazon and Navro'z: only Monday
        (date(2026, 5, 25), date(2026, 5, 29), 3),  # Qurbon on Wednesday
        (date(2026, 4, 30), date(2026, 5, 4), 2),  # month boundary
    ],
)
def test_working_days_between(start: date, end: date, expected: int) -> None:
    assert CAL.working_days_between(start, end) == expected


def test_a_working_weekend_must_be_a_saturday_or_sunday() -> None:
    with pytest.raises(ValueError, match="2026-01-05"):
        WorkingCalendar(working_weekends=frozenset({date(2026, 1, 5)}))


_days = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))


@st.composite
def calendars(draw: Any) -> WorkingCalendar:
    holidays = draw(st.frozensets(_days, max_size=40))
    weekends = draw(st.frozensets(_days.filter(lambda d: d.weekday() >= 5), max_size=10))
    return WorkingCalendar(holidays, weekends)


@for_all(calendars(), _days, st.integers(min_value=0, max_value=400))
def test_adding_and_counting_agree(cal: WorkingCalendar, start: date, days: int) -> None:
    end = cal.add_working_days(start, days)
    assert cal.working_days_between(start, end) == days
    if days > 0:
        assert cal.is_working_day(end)
        assert cal.working_days_between(start, end - timedelta(days=1)) == days - 1


@for_all(calendars(), _days, _days)
def test_counting_matches_a_day_by_day_count(cal: WorkingCalendar, start: date, end: date) -> None:
    expected = sum(
        1 for n in range(1, (end - start).days + 1) if cal.is_working_day(start + timedelta(days=n))
    )
    assert cal.working_days_between(start, end) == expected
