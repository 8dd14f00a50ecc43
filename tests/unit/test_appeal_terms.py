"""An appeal's terms as the Law on appeals (ZRU-445, art. 28) sets them, counted from the day
after filing, moved off days off: fifteen days for a complaint, a month for study, one more
month by the head, a month for a proposal; and appeals stored before kinds replay."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain import appeal as appeal_module
from domain.appeal import Appeal
from domain.appeal_terms import (
    CIVIL_CODE_ART_146,
    COMPLAINT,
    ZRU_445_ART_28_PART_1,
    ZRU_445_ART_28_PART_2,
    ZRU_445_ART_28_PART_3,
    ExtensionCommands,
    add_months,
    on_a_working_day,
)
from domain.calendar import WorkingCalendar
from domain.errors import InvalidInput, InvalidTransition
from tests.unit.builders import META
from tests.unit.gwt import given, history, when_created
from tests.unit.test_appeal import REGION, filed

FRIDAY = date(2026, 11, 27)  # + 15 days = Saturday 2026-12-12
WEEKDAYS = WorkingCalendar()


def study(calendar: WorkingCalendar = WEEKDAYS) -> Any:
    return lambda a: a.extend(officer="o", reason="A site visit", meta=META, calendar=calendar)


def head(reason: str = "A check by the inspectorate", calendar: WorkingCalendar = WEEKDAYS) -> Any:
    return lambda a: a.extend_by_head(
        officer="head-1", position="Deputy hokim", reason=reason, meta=META, calendar=calendar
    )


def test_a_complaint_is_due_fifteen_days_after_filing_under_part_1() -> None:
    outcome = when_created(lambda: filed(today=date(2026, 11, 2))).then(
        Appeal.Filed, kind=COMPLAINT, due_date="2026-11-17"
    )
    assert outcome.aggregate.term == "fifteen-days"
    assert outcome.aggregate.term_source == ZRU_445_ART_28_PART_1
    assert ZRU_445_ART_28_PART_1.url == "https://lex.uz/docs/3336169"
    assert CIVIL_CODE_ART_146.article == "art. 146"


def test_a_term_ending_on_a_day_off_ends_on_the_next_working_day() -> None:
    when_created(lambda: filed(today=FRIDAY, calendar=WEEKDAYS)).then(
        Appeal.Filed, due_date="2026-12-14"
    )
    holiday_monday = WorkingCalendar(holidays=frozenset({date(2026, 12, 14)}))
    when_created(lambda: filed(today=FRIDAY, calendar=holiday_monday)).then(
        Appeal.Filed, due_date="2026-12-15"
    )


def test_a_term_ending_on_a_working_saturday_ends_that_day() -> None:
    working_saturday = WorkingCalendar(working_weekends=frozenset({date(2026, 12, 12)}))
    when_created(lambda: filed(today=FRIDAY, calendar=working_saturday)).then(
        Appeal.Filed, due_date="2026-12-12"
    )


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # no 31 February: the month's last day
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 27), 2, date(2027, 1, 27)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
    ],
)
def test_a_month_ends_on_the_same_day_of_the_next(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_a_working_day_stays() -> None:
    assert on_a_working_day(WEEKDAYS, date(2026, 12, 14)) == date(2026, 12, 14)


def test_a_proposal_is_due_in_one_month_and_is_not_extended() -> None:
    outcome = when_created(lambda: filed(kind="proposal", today=date(2026, 11, 2))).then(
        Appeal.Filed, kind="proposal", due_date="2026-12-02"
    )
    assert outcome.aggregate.term_source == ZRU_445_ART_28_PART_3
    events = outcome.aggregate_history()
    given(*events).when(study()).then_error(InvalidInput, "proposal")
    given(*events).when(head()).then_error(InvalidInput, "proposal")


def test_an_unknown_kind_is_refused() -> None:
    when_created(lambda: filed(kind="petition")).then_error(InvalidInput, "kind must be one of")


def test_study_extends_to_one_month_from_filing_once() -> None:
    events = history(filed(today=date(2026, 1, 31)))
    outcome = given(*events).when(study())
    outcome.then(Appeal.Extended, due_date="2026-03-02")  # 02-28 is a Saturday
    assert outcome.aggregate.term == "one-month-for-study"
    given(*outcome.aggregate_history()).when(study()).then_error(
        InvalidTransition, "already extended once"
    )


def test_the_head_extends_the_fifteen_days_by_one_month_once_with_a_reason() -> None:
    events = history(filed(today=date(2026, 11, 2)))  # fifteen days: 2026-11-17
    given(*events).when(head(reason=" ")).then_error(InvalidInput, "reason")
    outcome = given(*events).when(head())
    outcome.then(Appeal.HeadExtended, due_date="2026-12-17", position="Deputy hokim")
    assert outcome.aggregate.head_extended
    assert outcome.aggregate.term_source == ZRU_445_ART_28_PART_2
    later = outcome.aggregate_history()
    given(*later).when(head()).then_error(InvalidTransition, "already extended by the head")
    given(*later).when(study()).then_error(InvalidTransition, "extended by the head")
    replayed = given(*later).aggregate
    assert replayed.due_date == date(2026, 12, 17)
    assert replayed.head_extension_reason == "A check by the inspectorate"


def test_the_head_extends_the_month_for_study_by_one_more_month() -> None:
    events = history(filed(today=date(2026, 11, 2)))
    studied = given(*events).when(study()).aggregate_history()
    given(*studied).when(head()).then(Appeal.HeadExtended, due_date="2027-01-04")  # 01-02 Sat


def test_an_escalated_appeal_is_not_extended_by_the_head() -> None:
    events = history(filed(today=date(2026, 11, 2)))
    escalated = (
        given(*events)
        .when(lambda a: a.check_deadline(today=date(2026, 11, 18), escalate_to=REGION, meta=META))
        .aggregate_history()
    )
    given(*escalated).when(head()).then_error(InvalidTransition, "was escalated")


def test_an_escalated_proposal_has_its_month_under_part_3() -> None:
    events = history(filed(kind="proposal", today=date(2026, 11, 2)))
    outcome = given(*events).when(
        lambda a: a.check_deadline(today=date(2026, 12, 3), escalate_to=REGION, meta=META)
    )
    assert outcome.aggregate.term == "escalated"
    assert outcome.aggregate.due_date == date(2027, 1, 4)  # 2027-01-03 is a Sunday
    assert outcome.aggregate.term_source == ZRU_445_ART_28_PART_3


def test_an_appeal_stored_before_kinds_replays_as_a_complaint() -> None:
    # given a Filed and an Extended as stored by an earlier release (no "kind")
    events = history(filed(today=date(2026, 11, 2)))
    events += given(*events).when(study()).events
    stored = []
    for e in events:
        old = object.__new__(type(e))  # as the event store's mapper rebuilds it
        old.__dict__.update({k: v for k, v in e.__dict__.items() if k != "kind"})
        stored.append(old)
    # when it is replayed
    replayed = given(*stored).aggregate
    # then it is a complaint extended for study, with the due date it was stored with
    assert replayed.kind == COMPLAINT
    assert replayed.term == "one-month-for-study"
    assert replayed.due_date == date(2026, 12, 2)


def test_the_extension_rules_know_the_open_statuses() -> None:
    assert ExtensionCommands.OPEN == appeal_module.OPEN
