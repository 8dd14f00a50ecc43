"""Whether a decision kept the legal term, and how many working days the agency took.

The term is ``deadline_working_days`` counted from the day the clock started (that day not
counted); a decision on the due date itself is within the term, the next working day is
not. The days the case waited for the citizen are not the agency's: they extend the due
date and are left out of ``working_days_taken``.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest

from domain.agency import AgencyRef
from domain.calendar import WorkingCalendar
from domain.errors import NothingChanged
from domain.service_application import ServiceApplication
from tests.unit.builders import META
from tests.unit.gwt import given, history
from tests.unit.service_application_steps import submitted

MONDAY = date(2026, 11, 23)
CALENDAR = WorkingCalendar(holidays=frozenset({date(2026, 12, 8)}))  # Constitution Day, a Tue
AGENCY = AgencyRef(UUID(int=1), "justice-1703202")
OFFICER = "officer-1"


def accepted(started: date = MONDAY, term: int = 5) -> ServiceApplication:
    app = submitted()
    app.route(
        agency=AGENCY,
        term_working_days=term,
        fee=(0, "UZS", None),
        today=started,
        calendar=CALENDAR,
        meta=META,
    )
    app.accept(officer=OFFICER, meta=META)
    return app


def pause(app: ServiceApplication, asked: date, answered: date) -> None:
    app.request_information(officer=OFFICER, message="?", today=asked, meta=META)
    app.provide_information(message="here", form={}, today=answered, calendar=CALENDAR, meta=META)


def decided_on(events: list[Any], day: date) -> ServiceApplication.Decided:
    """The decision on ``day`` of the case with this history (replayed each time, so the
    same case can be decided on several days)."""
    outcome = given(*events).when(
        lambda a: a.decide(
            officer=OFFICER,
            outcome="approved",
            decision_id=UUID(int=9),
            registration_number="JUSTICE-1703202-2026-000001",
            today=day,
            calendar=CALENDAR,
            meta=META,
        )
    )
    outcome.then(ServiceApplication.Decided, decided_on=day.isoformat())
    decided: ServiceApplication.Decided = outcome.events[-1]
    return decided


@pytest.mark.parametrize(
    ("day", "within", "taken"),
    [
        (date(2026, 11, 24), True, 1),  # the first working day
        (date(2026, 11, 27), True, 4),  # Friday
        (date(2026, 11, 30), True, 5),  # Monday, the due date itself
        (date(2026, 12, 1), False, 6),  # the next working day
        (date(2026, 12, 4), False, 9),
    ],
)
def test_a_decision_on_the_due_date_is_within_the_term(day: date, within: bool, taken: int) -> None:
    app = accepted()
    assert app.due_date == date(2026, 11, 30)  # Mon 23 Nov + 5 working days
    events = history(app)
    decided = decided_on(events, day)
    assert decided.within_term is within
    assert decided.working_days_taken == taken


def test_a_decision_on_the_day_the_clock_started_took_no_working_day() -> None:
    decided = decided_on(history(accepted()), MONDAY)
    assert (decided.within_term, decided.working_days_taken) == (True, 0)


def test_the_next_working_day_after_a_friday_due_date_is_monday() -> None:
    app = accepted(term=4)
    assert app.due_date == date(2026, 11, 27)  # Friday
    events = history(app)
    assert decided_on(events, date(2026, 11, 27)).within_term is True
    weekend = decided_on(events, date(2026, 11, 28))  # Saturday: not a working day
    assert (weekend.within_term, weekend.working_days_taken) == (False, 4)
    monday = decided_on(events, date(2026, 11, 30))
    assert (monday.within_term, monday.working_days_taken) == (False, 5)


def test_a_holiday_before_the_due_date_moves_it_and_is_not_counted() -> None:
    app = accepted(started=date(2026, 12, 4), term=3)  # Fri; Mon 7, (Tue 8 off), Wed 9, Thu 10
    assert app.due_date == date(2026, 12, 10)
    events = history(app)
    on_due = decided_on(events, date(2026, 12, 10))
    assert (on_due.within_term, on_due.working_days_taken) == (True, 3)
    late = decided_on(events, date(2026, 12, 11))
    assert (late.within_term, late.working_days_taken) == (False, 4)


def test_paused_working_days_extend_the_term_and_are_not_the_agencys() -> None:
    app = accepted()  # due Mon 30 Nov
    pause(app, asked=MONDAY, answered=date(2026, 11, 26))  # Tue, Wed, Thu paused
    assert app.paused_working_days == 3
    assert app.due_date == date(2026, 12, 3)  # Thursday
    events = history(app)
    on_due = decided_on(events, date(2026, 12, 3))  # 8 working days since Mon 23 Nov, 3 paused
    assert (on_due.within_term, on_due.working_days_taken) == (True, 5)
    late = decided_on(events, date(2026, 12, 4))
    assert (late.within_term, late.working_days_taken) == (False, 6)


def test_two_pauses_add_up() -> None:
    app = accepted()
    pause(app, asked=MONDAY, answered=date(2026, 11, 24))  # Tue paused
    pause(app, asked=date(2026, 11, 25), answered=date(2026, 11, 27))  # Thu, Fri paused
    assert app.paused_working_days == 3
    assert app.due_date == date(2026, 12, 3)
    events = history(app)
    decided = decided_on(events, date(2026, 12, 2))  # 7 working days since the start, 3 paused
    assert (decided.within_term, decided.working_days_taken) == (True, 4)


def test_a_pause_longer_than_the_work_never_gives_negative_days() -> None:
    app = accepted()
    pause(app, asked=MONDAY, answered=date(2026, 12, 1))  # 6 working days paused
    events = history(app)
    decided = decided_on(events, date(2026, 12, 1))
    assert (decided.within_term, decided.working_days_taken) == (True, 0)


def test_the_breach_check_agrees_with_the_decision_at_the_due_date() -> None:
    app = submitted()
    app.route(
        agency=AGENCY,
        term_working_days=5,
        fee=(0, "UZS", None),
        today=MONDAY,
        calendar=CALENDAR,
        meta=META,
    )
    on_due = given(*history(app)).when(
        lambda a: a.check_deadline(today=date(2026, 11, 30), escalate_to=None, meta=META)
    )
    on_due.then_error(NothingChanged, "within its term")
    given(*on_due.history).when(
        lambda a: a.check_deadline(today=date(2026, 12, 1), escalate_to=None, meta=META)
    ).then(ServiceApplication.DeadlineBreached, due_date="2026-11-30", detected_on="2026-12-01")
