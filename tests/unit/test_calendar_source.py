"""The shipped holiday calendar: the ``holidays`` package's Uzbekistan calendar plus
``calendar_decrees.json`` (names, the act behind each day), seeded for 2025-2027; due dates
across a transferred day off and a working Saturday."""

from __future__ import annotations

from datetime import date

import pytest

from application.catalogue import Catalogue
from application.seeding import seed
from domain.calendar import HOLIDAY, WORKING_WEEKEND, DeclaredDay, HolidayCalendar, WorkingCalendar
from domain.errors import CalendarYearNotCovered
from domain.i18n import LANGUAGES
from infrastructure.calendar_source import PackageHolidaySource
from infrastructure.reference_data import CALENDAR_YEARS, load_reference_data
from tests.unit.builders import CTX

SOURCE = PackageHolidaySource()

# What issue 19 found missing from the hand-written list.
TRANSFERS = ["2025-03-10", "2025-03-31", "2026-03-09", "2026-03-23", "2026-05-11"]
TRANSFERS += ["2027-03-22", "2027-05-10", "2027-05-17"]
DECREED_DAYS_OFF = ["2025-01-02", "2025-12-31", "2026-01-02", "2026-05-28", "2026-05-29"]
DECREED_DAYS_OFF += ["2026-08-31", "2026-12-31"]
WORKING_SATURDAYS = ["2025-01-04", "2026-12-12"]
FIXED = ["01-01", "03-08", "03-21", "05-09", "09-01", "10-01", "12-08"]
MOVING = {2025: ["03-30", "06-06"], 2026: ["03-20", "05-27"], 2027: ["03-09", "05-16"]}


def shipped() -> list[DeclaredDay]:
    return [day for year in CALENDAR_YEARS for day in SOURCE.days_off(year)]


def by_day() -> dict[str, DeclaredDay]:
    return {d.day.isoformat(): d for d in shipped()}


def test_the_seeded_years_are_2025_to_2027_and_the_source_covers_them() -> None:
    assert CALENDAR_YEARS == (2025, 2026, 2027)
    assert all(year in SOURCE.years for year in CALENDAR_YEARS)


@pytest.mark.parametrize("day", TRANSFERS + DECREED_DAYS_OFF)
def test_the_transfers_and_decreed_days_off_the_old_list_missed_are_days_off(day: str) -> None:
    assert by_day()[day].kind == HOLIDAY


@pytest.mark.parametrize("day", WORKING_SATURDAYS)
def test_the_decreed_working_saturdays_are_working_weekends(day: str) -> None:
    declared = by_day()[day]
    assert declared.kind == WORKING_WEEKEND
    assert declared.day.weekday() == 5
    assert declared.source is not None
    assert declared.source.date < declared.day


@pytest.mark.parametrize("year", CALENDAR_YEARS)
def test_every_year_has_its_fixed_and_moving_holidays(year: int) -> None:
    days = {d.day.isoformat() for d in SOURCE.days_off(year) if d.kind == HOLIDAY}
    assert {f"{year}-{md}" for md in FIXED + MOVING[year]} <= days


def test_the_moving_holidays_are_marked_for_review_and_2027s_are_estimates() -> None:
    moving = {d.day.isoformat(): d for d in shipped() if d.moving}
    firsts = {f"{y}-{md}" for y, mds in MOVING.items() for md in mds}
    assert firsts <= set(moving)
    assert set(moving) - firsts == {"2025-03-31", "2027-05-17"}  # their transfers
    assert {day for day, d in moving.items() if d.estimated} == {
        "2027-03-09",
        "2027-05-16",
        "2027-05-17",
    }


def test_every_day_has_four_names_written_as_the_catalogue_writes_them() -> None:
    for declared in shipped():
        assert list(declared.names) == list(LANGUAGES), declared
        assert all(text.strip() and "{" not in text for text in declared.names.values())
        assert "'" not in declared.names["uz-Latn"], declared  # oʻ/gʻ take U+02BB
    assert (
        by_day()["2026-03-23"].names["uz-Latn"] == "Navroʻz bayrami (koʻchirilgan dam olish kuni)"
    )


def test_every_day_either_cites_its_act_or_is_listed_as_unsourced() -> None:
    """The days nobody could tie to an act (printed: run with -s). The Islamic holidays of
    2025 were decreed by resolutions not identified here; 2027's are still estimates."""
    unsourced = [d.day.isoformat() for d in shipped() if d.source is None]
    print("holidays without a verified source:", ", ".join(unsourced))
    assert unsourced == ["2025-03-30", "2025-06-06", "2027-03-09", "2027-05-16"]
    labour_code = by_day()["2026-03-23"].source
    assert labour_code is not None
    assert (labour_code.number, labour_code.article) == ("ZRU-798", "art. 208")
    decree = by_day()["2026-05-28"].source
    assert decree is not None
    assert decree.number == "PF-257"


def test_a_year_the_source_does_not_cover_is_refused_with_a_clear_error() -> None:
    with pytest.raises(CalendarYearNotCovered, match="covers 2024-2027, not 2031"):
        SOURCE.days_off(2031)


def test_a_decreed_day_the_package_lacks_comes_from_the_decrees_file() -> None:
    decree = {"act": "Decree", "number": None, "date": "2027-01-10", "article": None, "url": None}
    extra = {"day": "2027-01-11", "names": dict.fromkeys(LANGUAGES, "Bayram"), "source": decree}
    source = PackageHolidaySource()
    source._data = {**source._data, "extra_days": [extra]}
    declared = {d.day: d for d in source.days_off(2027)}[date(2027, 1, 11)]
    assert declared.kind == HOLIDAY
    assert declared.source is not None
    assert declared.source.date == date(2027, 1, 10)


# --- due dates ----------------------------------------------------------------------------


def working(days: list[DeclaredDay]) -> WorkingCalendar:
    return WorkingCalendar(
        frozenset(d.day for d in days if d.kind == HOLIDAY),
        frozenset(d.day for d in days if d.kind == WORKING_WEEKEND),
    )


def test_a_due_date_skips_a_transferred_day_off() -> None:
    calendar = working(shipped())
    # Friday 20 March 2026 Ramazon hayiti, Sat 21 Navroʻz, Sun, Mon 23 Navroʻz transferred.
    assert calendar.add_working_days(date(2026, 3, 19), 1) == date(2026, 3, 24)
    # Friday 8 May 2026: Sat 9 May Xotira va qadrlash kuni moves to Monday 11 May.
    assert calendar.add_working_days(date(2026, 5, 8), 1) == date(2026, 5, 12)
    assert calendar.working_days_between(date(2026, 5, 8), date(2026, 5, 12)) == 1


def test_a_due_date_counts_a_working_saturday() -> None:
    calendar = working(shipped())
    # Friday 11 December 2026: Saturday 12 December is a working day (its day off moved to 31).
    assert calendar.add_working_days(date(2026, 12, 11), 1) == date(2026, 12, 12)
    assert calendar.add_working_days(date(2026, 12, 11), 2) == date(2026, 12, 14)
    # New Year 2025: Thu 2 January off, Saturday 4 January worked.
    assert calendar.add_working_days(date(2024, 12, 31), 2) == date(2025, 1, 4)


def test_the_seed_declares_the_calendar_with_its_sources_and_due_dates_follow_it() -> None:
    catalogue = Catalogue()
    report = seed(catalogue, load_reference_data(), CTX, today=date(2026, 12, 2))
    assert report.created["working_weekend"] == 2
    assert report.created["holiday"] == len(shipped()) - 2
    calendar = catalogue.find(HolidayCalendar, HolidayCalendar.create_id())
    assert calendar is not None
    assert all(  # each day with its names and its source
        stored.day == wanted.day and stored.same_declaration(wanted)
        for stored, wanted in zip(calendar.declared_in(2026), SOURCE.days_off(2026), strict=True)
    )
    days = calendar.working_calendar
    assert days.add_working_days(date(2026, 3, 19), 1) == date(2026, 3, 24)  # transferred
    assert days.add_working_days(date(2026, 12, 11), 1) == date(2026, 12, 12)  # working Sat
    assert days.add_working_days(date(2026, 12, 30), 1) == date(2027, 1, 4)  # 31 Dec off

    again = seed(catalogue, load_reference_data(), CTX, today=date(2026, 12, 2))
    assert again.is_noop
