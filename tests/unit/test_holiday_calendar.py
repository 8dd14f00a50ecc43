"""The holiday calendar aggregate: the declarations (holidays, working weekends) that drive
the working-day arithmetic, and the holidays that ship with it."""

from __future__ import annotations

import json
from datetime import date
from importlib import resources
from typing import Any

import pytest

from domain.calendar import HolidayCalendar, WorkingCalendar
from domain.errors import MissingTranslation, NotAHoliday, NotAWeekend, NothingChanged
from domain.i18n import LANGUAGES
from domain.ids import natural_id
from tests.unit.builders import META, names
from tests.unit.calendar_days import NAVRUZ, NEW_YEAR, QURBON, RAMAZON, WOMENS_DAY, WORKING_SATURDAY
from tests.unit.gwt import given, history, when_created

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
