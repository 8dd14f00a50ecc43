"""The application (case) lifecycle: every transition, every refused one, the legal term."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest
from eventsourcing.utils import get_topic, resolve_topic
from hypothesis import given as hypothesis_given
from hypothesis import settings
from hypothesis import strategies as st

from domain.agency import AgencyRef
from domain.calendar import WorkingCalendar
from domain.errors import (
    AssignedToAnotherOfficer,
    DomainError,
    InvalidInput,
    InvalidTransition,
    NotAssigned,
    NothingChanged,
)
from domain.service_application import ServiceApplication
from tests.unit.builders import META
from tests.unit.gwt import given, history, replay
from tests.unit.service_application_steps import (
    AGENCY,
    CALENDAR,
    MONDAY,
    PARENT,
    STEPS,
    case,
    route,
    submitted,
)

# state -> the steps that lead there
STATES = {
    "submitted": (),
    "queued": ("route",),
    "in_review": ("route", "accept"),
    "awaiting_information": ("route", "accept", "request"),
    "decided": ("route", "accept", "decide"),
    "result_issued": ("route", "accept", "decide", "issue"),
    "withdrawn": ("route", "withdraw"),
    "closed": ("route", "accept", "decide", "issue", "close"),
}
ALLOWED = {
    ("submitted", "route"): "queued",
    ("queued", "accept"): "in_review",
    ("queued", "withdraw"): "withdrawn",
    ("in_review", "release"): "queued",
    ("in_review", "request"): "awaiting_information",
    ("in_review", "decide"): "decided",
    ("in_review", "withdraw"): "withdrawn",
    ("awaiting_information", "provide"): "in_review",
    ("awaiting_information", "release"): "awaiting_information",
    ("awaiting_information", "withdraw"): "withdrawn",
    ("decided", "issue"): "result_issued",
    ("result_issued", "close"): "closed",
    ("withdrawn", "close"): "closed",
}


@pytest.mark.parametrize("state", list(STATES))
@pytest.mark.parametrize("step", list(STEPS))
def test_every_transition_and_every_forbidden_one(state: str, step: str) -> None:
    outcome = given(*case(*STATES[state])).when(STEPS[step])
    expected = ALLOWED.get((state, step))
    if expected is None:
        outcome.then_error(InvalidTransition)
        assert isinstance(outcome.error, InvalidTransition)
        assert outcome.error.state == state
        assert state in outcome.error.detail
    else:
        assert outcome.error is None, outcome.error
        assert outcome.events
        assert outcome.aggregate.status == expected


def test_the_events_keep_the_topics_stored_in_the_event_tables() -> None:
    # The commands come from mixins in other modules; the events they record are still
    # ServiceApplication's nested classes in domain.service_application, whose topics the
    # stored events name.
    events = case("route", "accept", "decide")
    prefix = "domain.service_application:ServiceApplication."
    assert [get_topic(type(e)) for e in events] == [
        f"{prefix}Submitted",
        f"{prefix}Routed",
        f"{prefix}ClockStarted",
        f"{prefix}Accepted",
        f"{prefix}Decided",
    ]
    assert all(resolve_topic(get_topic(type(e))) is type(e) for e in events)
    assert isinstance(replay(events), ServiceApplication)


def test_submission_records_the_pinned_version_and_routing_starts_the_term() -> None:
    outcome = given(*case()).when(route)
    outcome.then(
        ServiceApplication.Routed,
        ServiceApplication.ClockStarted,
        started_on="2026-11-23",
        due_date="2026-11-30",
    )
    app = outcome.aggregate
    assert app.service_version == 1
    assert app.agency == AgencyRef(AGENCY.id, AGENCY.code)
    assert app.due_date == date(2026, 11, 30)  # Mon + 5 working days = next Mon


def test_a_fee_holds_the_case_until_paid() -> None:
    outcome = given(*case()).when(lambda a: route(a, fee=20_600_000))
    outcome.then(ServiceApplication.Routed, ServiceApplication.FeeAssessed, amount=20_600_000)
    assert outcome.aggregate.status == "awaiting_payment"
    assert outcome.aggregate.due_date is None
    given(*outcome.aggregate_history()).when(STEPS["accept"]).then_error(InvalidTransition)


def test_the_due_date_skips_weekends_and_holidays() -> None:
    app = replay(case())
    route(app, day=date(2026, 12, 4), term=3)  # Friday; Tue 8 Dec is a holiday
    assert app.due_date == date(2026, 12, 10)  # Mon 7, Wed 9, Thu 10


def test_the_clock_pauses_while_information_is_awaited() -> None:
    app = replay(case("route", "accept"))  # due Mon 30 Nov
    app.request_information(officer="officer-1", message="?", today=MONDAY, meta=META)
    app.provide_information(
        message="here",
        form={"child_name": "Aziz"},
        today=date(2026, 11, 26),
        calendar=CALENDAR,
        meta=META,
    )
    assert app.paused_working_days == 3  # Tue, Wed, Thu
    assert app.due_date == date(2026, 12, 3)
    assert app.form["child_name"] == "Aziz"


def test_other_officers_cannot_act_over_an_assignment() -> None:
    taken = case("route", "accept")
    given(*taken).when(lambda a: a.accept(officer="officer-2", meta=META)).then_error(
        AssignedToAnotherOfficer
    )
    given(*taken).when(
        lambda a: a.request_information(officer="officer-2", message="x", today=MONDAY, meta=META)
    ).then_error(AssignedToAnotherOfficer)
    given(*taken).when(
        lambda a: a.decide(
            officer="officer-2",
            outcome="rejected",
            decision_id=UUID(int=3),
            registration_number="R-1",
            today=MONDAY,
            calendar=CALENDAR,
            meta=META,
        )
    ).then_error(AssignedToAnotherOfficer)
    given(*taken).when(STEPS["accept"]).then_error(InvalidTransition, "already accepted by you")


def test_after_release_another_officer_may_accept() -> None:
    given(*case("route", "accept", "release")).when(
        lambda a: a.accept(officer="officer-2", meta=META)
    ).then(ServiceApplication.Accepted, officer="officer-2")


def test_an_unassigned_case_awaiting_information_cannot_be_decided() -> None:
    given(*case("route", "accept", "request", "release", "provide")).when(
        STEPS["decide"]
    ).then_error(InvalidTransition)
    given(*case("route", "accept", "request", "release")).when(
        lambda a: a.accept(officer="officer-2", meta=META)
    ).then(ServiceApplication.Accepted)
    given(*case("route", "accept", "request", "release")).when(STEPS["release"]).then_error(
        NotAssigned, "not accepted by any officer"
    )


def test_decision_outcome_must_be_approved_or_rejected() -> None:
    given(*case("route", "accept")).when(
        lambda a: a.decide(
            officer="officer-1",
            outcome="maybe",
            decision_id=UUID(int=3),
            registration_number="R-1",
            today=MONDAY,
            calendar=CALENDAR,
            meta=META,
        )
    ).then_error(InvalidInput, "approved or rejected")


def test_a_breach_is_recorded_once_and_escalates_to_the_parent() -> None:
    queued = case("route")
    late = date(2026, 12, 1)
    outcome = given(*queued).when(
        lambda a: a.check_deadline(today=late, escalate_to=PARENT, meta=META)
    )
    outcome.then(
        ServiceApplication.DeadlineBreached,
        ServiceApplication.Escalated,
        to_agency_code="justice-1703",
    )
    again = given(*queued, *outcome.events).when(
        lambda a: a.check_deadline(today=late, escalate_to=PARENT, meta=META)
    )
    again.then_error(NothingChanged, "already recorded")
    given(*queued).when(
        lambda a: a.check_deadline(today=date(2026, 11, 30), escalate_to=PARENT, meta=META)
    ).then_error(NothingChanged, "within its term")


def test_no_breach_while_the_clock_is_paused() -> None:
    given(*case("route", "accept", "request")).when(
        lambda a: a.check_deadline(today=date(2027, 1, 1), escalate_to=PARENT, meta=META)
    ).then_error(InvalidTransition)


def test_a_calendar_change_moves_the_due_date() -> None:
    queued = case("route")  # due Mon 30 Nov
    new_calendar = WorkingCalendar(holidays=frozenset({date(2026, 11, 27)}))
    given(*queued).when(lambda a: a.recompute_due_date(calendar=new_calendar, meta=META)).then(
        ServiceApplication.DueDateRecomputed, due_date="2026-12-01"
    )
    given(*queued).when(lambda a: a.recompute_due_date(calendar=CALENDAR, meta=META)).then_error(
        NothingChanged
    )


def test_result_documents_are_recorded_by_hash() -> None:
    given(*case("route", "accept", "decide")).when(
        lambda a: a.issue_result(documents={"pdf": "not-a-hash"}, meta=META)
    ).then_error(InvalidInput, "sha256")


def test_a_tracking_number_has_the_public_format() -> None:
    with pytest.raises(InvalidInput, match="AR-2026-0000123"):
        submitted(tracking_number="X-1")


EXTRA = {
    "pay": lambda a: a.confirm_payment(
        payment_id=UUID(int=11), amount=1000, today=MONDAY, calendar=CALENDAR, meta=META
    ),
    "cancel": lambda a: a.cancel(reason="not paid in time", meta=META),
    "breach": lambda a: a.check_deadline(today=date(2027, 3, 1), escalate_to=PARENT, meta=META),
    "recompute": lambda a: a.recompute_due_date(
        calendar=WorkingCalendar(holidays=frozenset({date(2026, 11, 27)})), meta=META
    ),
}
COMMANDS = st.sampled_from([*STEPS, *EXTRA])


@settings(max_examples=300, deadline=None)
@hypothesis_given(st.lists(COMMANDS, max_size=25), st.integers(min_value=0, max_value=1))
def test_replaying_any_valid_history_never_raises(steps: list[str], paid: int) -> None:
    """Whatever commands are tried, the recorded history replays into the same state."""
    app = submitted()
    for step in steps:
        try:
            if step == "route":
                route(app, fee=paid * 1000)
            else:
                {**STEPS, **EXTRA}[step](app)
        except DomainError:
            continue
    events = history(app)
    rebuilt = replay(events)
    assert rebuilt.status == app.status
    assert rebuilt.due_date == app.due_date
    assert rebuilt.assignee == app.assignee
    assert rebuilt.version == app.version == len(events)
    assert {k: v for k, v in vars(rebuilt).items() if k != "_pending_events"} == {
        k: v for k, v in vars(app).items() if k != "_pending_events"
    }


def test_withdrawal_records_whether_an_officer_had_accepted() -> None:
    given(*case("route")).when(STEPS["withdraw"]).then(
        ServiceApplication.Withdrawn, before_acceptance=True
    )
    given(*case("route", "accept", "release")).when(STEPS["withdraw"]).then(
        ServiceApplication.Withdrawn, before_acceptance=False
    )
