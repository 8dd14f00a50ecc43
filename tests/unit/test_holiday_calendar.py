"""The holiday calendar aggregate: the declarations (holidays, working weekends) that drive
the working-day arithmetic, each with the act it comes from. (The shipped calendar:
test_calendar_source.py.)"""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from application.catalogue import Catalogue
from domain.calendar import HOLIDAY, WORKING_WEEKEND, DeclaredDay, HolidayCalendar, WorkingCalendar
from domain.errors import (
    MissingTranslation,
    NotAHoliday,
    NotAWeekend,
    NotAWorkingWeekend,
    NothingChanged,
)
from domain.ids import natural_id
from domain.sources import LegalSource
from tests.unit.builders import META, names
from tests.unit.calendar_days import NAVRUZ, NEW_YEAR, QURBON, RAMAZON, WOMENS_DAY, WORKING_SATURDAY
from tests.unit.gwt import given, history, replay, when_created

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


# --- sources ------------------------------------------------------------------------------

DECREE = LegalSource(
    act="Decree of the President", number="PF-257", date=date(2025, 12, 24), url=None
)


def test_a_declaration_carries_its_source_in_the_event() -> None:
    outcome = given(*history(opened())).when(
        lambda c: c.declare_holiday(
            day=QURBON, names=names("Qurbon hayiti"), meta=META, source=DECREE
        )
    )
    outcome.then(HolidayCalendar.HolidayDeclared, source=DECREE.to_dict())
    replayed = given(*outcome.aggregate_history()).aggregate
    assert replayed.source_of(QURBON) == DECREE
    assert replayed.declared_in(2026) == [
        DeclaredDay(QURBON, HOLIDAY, names("Qurbon hayiti"), DECREE)
    ]


def test_citing_a_source_for_a_declared_day_is_a_change_and_the_same_again_is_not() -> None:
    calendar = with_navruz()
    outcome = given(*history(calendar)).when(
        lambda c: c.declare_holiday(
            day=NAVRUZ, names=names("Navroʻz bayrami"), meta=META, source=DECREE
        )
    )
    outcome.then(HolidayCalendar.HolidayDeclared, source=DECREE.to_dict())
    given(*outcome.aggregate_history()).when(
        lambda c: c.declare_holiday(
            day=NAVRUZ, names=names("Navroʻz bayrami"), meta=META, source=DECREE
        )
    ).then_error(NothingChanged)


def test_a_working_weekend_carries_its_source_and_can_be_withdrawn() -> None:
    calendar = opened()
    calendar.declare_working_weekend(
        day=WORKING_SATURDAY, names=names("Ish kuni"), meta=META, source=DECREE
    )
    events = history(calendar)
    replayed = given(*events).aggregate
    assert replayed.declared_in(2026) == [
        DeclaredDay(WORKING_SATURDAY, WORKING_WEEKEND, names("Ish kuni"), DECREE)
    ]
    outcome = given(*events).when(
        lambda c: c.withdraw_working_weekend(day=WORKING_SATURDAY, meta=META)
    )
    outcome.then(HolidayCalendar.WorkingWeekendWithdrawn, day="2026-01-10", meta=META)
    assert not outcome.aggregate.working_calendar.is_working_day(WORKING_SATURDAY)
    assert outcome.aggregate.source_of(WORKING_SATURDAY) is None
    given(*outcome.aggregate_history()).when(
        lambda c: c.withdraw_working_weekend(day=WORKING_SATURDAY, meta=META)
    ).then_error(NotAWorkingWeekend, "2026-01-10")


def test_events_stored_before_sources_existed_still_replay() -> None:
    """A HolidayDeclared / WorkingWeekendDeclared stored without ``source`` (the events of
    calendars seeded from the old hand-written list) replays with no source."""
    app = Catalogue()
    calendar = opened()
    calendar.declare_holiday(day=NAVRUZ, names=names("Navroʻz bayrami"), meta=META)
    calendar.declare_working_weekend(day=WORKING_SATURDAY, names=names("Ish kuni"), meta=META)
    old_events = []
    for event in calendar.collect_events():
        stored = app.mapper.to_stored_event(event)
        state = app.mapper.transcoder.decode(stored.state)
        state.pop("source", None)  # as written before the field existed
        old_events.append(
            app.mapper.to_domain_event(
                dataclasses.replace(stored, state=app.mapper.transcoder.encode(state))
            )
        )
    assert all("source" not in vars(e) for e in old_events)  # really stored without it
    replayed = replay(old_events)
    assert replayed.holidays_in(2026) == [(NAVRUZ, names("Navroʻz bayrami"))]
    assert replayed.source_of(NAVRUZ) is None
    assert replayed.working_calendar.is_working_day(WORKING_SATURDAY)
    assert [d.source for d in replayed.declared_in(2026)] == [None, None]
