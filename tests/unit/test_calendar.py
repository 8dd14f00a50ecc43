"""The holiday calendar: working-day arithmetic and the declarations that drive it."""

from __future__ import annotations

import json
from datetime import date, timedelta
from importlib import resources
from typing import Any

import pytest
from hypothesis import given as for_all
from hypothesis import strategies as st

from domain.calendar import MAX_SPAN_DAYS, HolidayCalendar, WorkingCalendar
from domain.errors import MissingTranslation, NotAHoliday, NotAWeekend, NothingChanged
from domain.i18n import LANGUAGES
from domain.ids import natural_id
from tests.unit.builders import META, names
from tests.unit.gwt import given, history, when_created

NEW_YEAR = date(2026, 1, 1)  # Thursday
WOMENS_DAY = date(2026, 3, 8)  # Sunday: a holiday on a weekend
RAMAZON = date(2026, 3, 20)  # Friday
NAVRUZ = date(2026, 3, 21)  # Saturday
QURBON = date(2026, 5, 27)  # Wednesday
WORKING_SATURDAY = date(2026, 1, 10)  # a (hypothetical) transferred working Saturday

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


# --- the holiday calendar aggregate -------------------------------------------------------


def opened() -> HolidayCalendar:
    return HolidayCalendar.open(meta=META)


def with_navruz() -> HolidayCalendar:
    calendar = opened()
    calendar.declare_holiday(day=NAVRUZ, names=names("Navroʻz bayrami"), meta=META)
    return calendar


def test_opening_the_countrys_calendar() -> None:
    outcome = when_created(opened).then(HolidayCalendar.Opened, code="uz", meta=META)
    assert outcome.aggregate.id == natural_id("holiday-calendars", "uz")
    assert outcome.aggregate.id == HolidayCalendar.create_id()
    assert outcome.aggregate.working_calendar == WorkingCalendar()
    assert outcome.aggregate.holidays_in(2026) == []


def test_each_country_has_its_own_calendar() -> None:
    outcome = when_created(lambda: HolidayCalendar.open(meta=META, code="kz"))
    outcome.then(HolidayCalendar.Opened, code="kz")
    assert outcome.aggregate.id == natural_id("holiday-calendars", "kz")
    assert outcome.aggregate.id != HolidayCalendar.create_id()


def test_declaring_a_holiday() -> None:
    outcome = given(*history(opened())).when(
        lambda c: c.declare_holiday(day=QURBON, names=names("Qurbon hayiti"), meta=META)
    )
    outcome.then(
        HolidayCalendar.HolidayDeclared,
        day="2026-05-27",
        names=names("Qurbon hayiti"),
        meta=META,
    )
    calendar = outcome.aggregate
    assert calendar.holidays_in(2026) == [(QURBON, names("Qurbon hayiti"))]
    assert not calendar.working_calendar.is_working_day(QURBON)
    assert calendar.working_calendar.add_working_days(date(2026, 5, 26), 1) == date(2026, 5, 28)


def test_a_holiday_may_fall_on_a_weekend() -> None:
    outcome = given(*history(opened())).when(
        lambda c: c.declare_holiday(day=WOMENS_DAY, names=names("Xotin-qizlar kuni"), meta=META)
    )
    outcome.then(HolidayCalendar.HolidayDeclared, day="2026-03-08")
    assert outcome.aggregate.working_calendar.holidays == frozenset({WOMENS_DAY})
    assert (
        outcome.aggregate.working_calendar.working_days_between(date(2026, 3, 6), date(2026, 3, 9))
        == 1
    )


def test_declaring_the_same_holiday_again_is_refused() -> None:
    given(*history(with_navruz())).when(
        lambda c: c.declare_holiday(day=NAVRUZ, names=names("Navroʻz bayrami"), meta=META)
    ).then_error(NothingChanged, "2026-03-21")


def test_declaring_a_holiday_again_with_new_names_renames_it() -> None:
    outcome = given(*history(with_navruz())).when(
        lambda c: c.declare_holiday(day=NAVRUZ, names=names("Navroʻz"), meta=META)
    )
    outcome.then(HolidayCalendar.HolidayDeclared, names=names("Navroʻz"))
    assert outcome.aggregate.holidays_in(2026) == [(NAVRUZ, names("Navroʻz"))]


def test_a_holiday_needs_names_in_all_four_languages() -> None:
    partial = {"uz-Latn": "Navroʻz", "ru": "Навруз"}
    given(*history(opened())).when(
        lambda c: c.declare_holiday(day=NAVRUZ, names=partial, meta=META)
    ).then_error(MissingTranslation, "uz-Cyrl, en")


def test_withdrawing_a_holiday() -> None:
    calendar = with_navruz()
    calendar.declare_holiday(day=RAMAZON, names=names("Ramazon hayiti"), meta=META)
    outcome = given(*history(calendar)).when(lambda c: c.withdraw_holiday(day=RAMAZON, meta=META))
    outcome.then(HolidayCalendar.HolidayWithdrawn, day="2026-03-20", meta=META)
    assert outcome.aggregate.holidays_in(2026) == [(NAVRUZ, names("Navroʻz bayrami"))]
    assert outcome.aggregate.working_calendar.is_working_day(RAMAZON)


def test_withdrawing_a_day_that_is_no_holiday_is_refused() -> None:
    given(*history(with_navruz())).when(
        lambda c: c.withdraw_holiday(day=RAMAZON, meta=META)
    ).then_error(NotAHoliday, "2026-03-20")


def test_withdrawing_a_holiday_twice_is_refused() -> None:
    calendar = with_navruz()
    calendar.withdraw_holiday(day=NAVRUZ, meta=META)
    given(*history(calendar)).when(lambda c: c.withdraw_holiday(day=NAVRUZ, meta=META)).then_error(
        NotAHoliday
    )


@pytest.mark.parametrize("day", [WORKING_SATURDAY, date(2026, 1, 11)])
def test_declaring_a_working_weekend_day(day: date) -> None:
    outcome = given(*history(opened())).when(
        lambda c: c.declare_working_weekend(day=day, names=names("Ish kuni"), meta=META)
    )
    outcome.then(
        HolidayCalendar.WorkingWeekendDeclared,
        day=day.isoformat(),
        names=names("Ish kuni"),
        meta=META,
    )
    assert outcome.aggregate.working_calendar.working_weekends == frozenset({day})
    assert outcome.aggregate.working_calendar.is_working_day(day)


@pytest.mark.parametrize("day", [date(2026, 1, 5), date(2026, 1, 9), NEW_YEAR])
def test_only_a_saturday_or_sunday_can_be_declared_a_working_day(day: date) -> None:
    given(*history(opened())).when(
        lambda c: c.declare_working_weekend(day=day, names=names("Ish kuni"), meta=META)
    ).then_error(NotAWeekend, day.isoformat())


def test_declaring_the_same_working_weekend_again_is_refused() -> None:
    calendar = opened()
    calendar.declare_working_weekend(day=WORKING_SATURDAY, names=names("Ish kuni"), meta=META)
    given(*history(calendar)).when(
        lambda c: c.declare_working_weekend(
            day=WORKING_SATURDAY, names=names("Ish kuni"), meta=META
        )
    ).then_error(NothingChanged, "2026-01-10")


def test_a_working_weekend_needs_names_in_all_four_languages() -> None:
    given(*history(opened())).when(
        lambda c: c.declare_working_weekend(day=WORKING_SATURDAY, names="Ish kuni", meta=META)
    ).then_error(MissingTranslation)


def test_a_holiday_declared_on_a_working_weekend_makes_it_a_day_off() -> None:
    calendar = opened()
    calendar.declare_working_weekend(day=NAVRUZ, names=names("Ish kuni"), meta=META)
    outcome = given(*history(calendar)).when(
        lambda c: c.declare_holiday(day=NAVRUZ, names=names("Navroʻz bayrami"), meta=META)
    )
    outcome.then(HolidayCalendar.HolidayDeclared)
    assert outcome.aggregate.working_calendar == WorkingCalendar(holidays=frozenset({NAVRUZ}))
    assert not outcome.aggregate.working_calendar.is_working_day(NAVRUZ)


def test_a_working_weekend_declared_on_a_weekend_holiday_makes_it_a_working_day() -> None:
    outcome = given(*history(with_navruz())).when(
        lambda c: c.declare_working_weekend(day=NAVRUZ, names=names("Ish kuni"), meta=META)
    )
    outcome.then(HolidayCalendar.WorkingWeekendDeclared)
    assert outcome.aggregate.holidays_in(2026) == []
    assert outcome.aggregate.working_calendar.is_working_day(NAVRUZ)


def test_holidays_in_a_year_come_by_date_and_only_from_that_year() -> None:
    calendar = opened()
    for day, text in [
        (date(2027, 1, 1), "Yangi yil"),
        (QURBON, "Qurbon hayiti"),
        (NEW_YEAR, "Yangi yil"),
        (date(2025, 12, 8), "Konstitutsiya kuni"),
        (RAMAZON, "Ramazon hayiti"),
    ]:
        calendar.declare_holiday(day=day, names=names(text), meta=META)
    replayed = given(*history(calendar)).aggregate
    assert replayed.holidays_in(2026) == [
        (NEW_YEAR, names("Yangi yil")),
        (RAMAZON, names("Ramazon hayiti")),
        (QURBON, names("Qurbon hayiti")),
    ]
    assert [day for day, _ in replayed.holidays_in(2025)] == [date(2025, 12, 8)]
    assert replayed.holidays_in(2030) == []
    replayed.holidays_in(2026)[0][1]["en"] = "changed"  # a copy: the state is untouched
    assert replayed.holidays_in(2026)[0][1] == names("Yangi yil")


# --- the shipped holidays -----------------------------------------------------------------


def shipped_holidays() -> Any:
    text = (
        resources.files("infrastructure.reference_data")
        .joinpath("holidays.json")
        .read_text(encoding="utf-8")
    )
    return json.loads(text)


FIXED_HOLIDAYS = ["01-01", "03-08", "03-21", "05-09", "09-01", "10-01", "12-08"]
MOVABLE_HOLIDAYS = {
    2025: ["03-30", "06-06"],  # Ramazon hayiti, Qurbon hayiti
    2026: ["03-20", "05-27"],
    2027: ["03-10", "05-16"],
}


@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_the_shipped_calendar_has_the_nine_holidays_of_each_year(year: int) -> None:
    data = shipped_holidays()
    assert data["country"] == "uz"
    entries = [h for h in data["holidays"] if h["day"].startswith(f"{year}-")]
    days = sorted(h["day"] for h in entries)
    assert len(entries) == 9
    assert days == sorted(f"{year}-{md}" for md in FIXED_HOLIDAYS + MOVABLE_HOLIDAYS[year])
    for entry in entries:
        assert list(entry["names"]) == list(LANGUAGES)
        assert all(text.strip() for text in entry["names"].values())
        assert "'" not in entry["names"]["uz-Latn"], entry  # oʻ/gʻ take U+02BB, not ASCII
        assert "`" not in entry["names"]["uz-Latn"], entry


def test_the_shipped_calendar_declares_no_transfers_and_loads_into_the_aggregate() -> None:
    data = shipped_holidays()
    assert data["working_weekends"] == []
    calendar = opened()
    for entry in data["holidays"]:
        calendar.declare_holiday(
            day=date.fromisoformat(entry["day"]), names=entry["names"], meta=META
        )
    replayed = given(*history(calendar)).aggregate
    assert len(replayed.holidays_in(2025)) == 9
    assert "Oʻqituvchi va murabbiylar kuni" in {n["uz-Latn"] for _, n in replayed.holidays_in(2026)}
    working = replayed.working_calendar
    # Thursday 19 March 2026: Ramazon hayiti (Fri), Navroʻz (Sat), Sunday, then Monday.
    assert working.add_working_days(date(2026, 3, 19), 1) == date(2026, 3, 23)
    # New Year's Eve 2025 (Wednesday): 1 January is off, Friday 2 January is a working day.
    assert working.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 2)
