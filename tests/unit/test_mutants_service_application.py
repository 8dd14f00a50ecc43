"""What mutation testing found the case tests left unchecked (docs/testing.md).

The events of a case carry what the command was given (the audit trail and the read models
are built from them alone), texts are checked at their documented limits and refused by
field name, and the legal term is recomputed, breached and resumed from every state the
rules name.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest

from domain.calendar import WorkingCalendar
from domain.errors import InvalidInput, NotAssigned
from domain.service_application import ServiceApplication
from tests.unit.builders import META
from tests.unit.gwt import given, history
from tests.unit.service_application_steps import (
    CALENDAR,
    MONDAY,
    PARENT,
    STEPS,
    case,
    route,
    submitted,
)

PAYMENT = UUID(int=5)


def awaiting_payment() -> list[Any]:
    app = submitted()
    route(app, fee=20_600_000)
    return history(app)


def test_a_payment_records_its_id_amount_and_day() -> None:
    given(*awaiting_payment()).when(
        lambda a: a.confirm_payment(
            payment_id=PAYMENT,
            amount=20_600_000,
            today=date(2026, 11, 25),
            calendar=CALENDAR,
            meta=META,
        )
    ).then(
        ServiceApplication.Paid,
        ServiceApplication.ClockStarted,
        meta=META,
        started_on="2026-11-25",
    )
    outcome = given(*awaiting_payment()).when(
        lambda a: a.confirm_payment(
            payment_id=PAYMENT,
            amount=20_600_000,
            today=date(2026, 11, 25),
            calendar=CALENDAR,
            meta=META,
        )
    )
    paid = outcome.events[0]
    assert (paid.payment_id, paid.amount, paid.paid_on, paid.meta) == (
        PAYMENT,
        20_600_000,
        "2026-11-25",
        META,
    )


def test_an_unexpected_payment_says_which_payment_and_why() -> None:
    before = awaiting_payment()
    app = given(*before).aggregate
    app.cancel(reason="not paid in time", meta=META)
    given(*before, *app.collect_events()).when(
        lambda a: a.confirm_payment(
            payment_id=PAYMENT, amount=1, today=MONDAY, calendar=CALENDAR, meta=META
        )
    ).then(
        ServiceApplication.PaymentNotExpected,
        payment_id=PAYMENT,
        reason="the application was cancelled when the payment arrived",
        meta=META,
    )


@pytest.mark.parametrize(
    ("steps", "command", "expected", "fields"),
    [
        (
            (),
            lambda a: a.cancel(reason="  not paid in time  ", meta=META),
            ServiceApplication.Cancelled,
            {"reason": "not paid in time", "meta": META},
        ),
        (
            ("route", "accept"),
            STEPS["release"],
            ServiceApplication.AssignmentReleased,
            {"officer": "officer-1", "status": "queued", "meta": META},
        ),
        (
            ("route", "accept"),
            STEPS["request"],
            ServiceApplication.InformationRequested,
            {"officer": "officer-1", "message": "Need the certificate", "meta": META},
        ),
        (
            ("route", "accept", "request"),
            STEPS["provide"],
            ServiceApplication.InformationProvided,
            {"message": "Attached", "provided_on": "2026-11-25", "meta": META},
        ),
        (
            ("route",),
            lambda a: a.withdraw(reason="  changed my mind ", meta=META),
            ServiceApplication.Withdrawn,
            {"reason": "changed my mind", "meta": META},
        ),
        (
            ("route", "withdraw"),
            lambda a: a.close(reason=" delivered ", meta=META),
            ServiceApplication.Closed,
            {"reason": "delivered", "meta": META},
        ),
        (
            ("route", "accept"),
            lambda a: a.decide(
                officer="officer-1",
                outcome="rejected",
                decision_id=UUID(int=9),
                registration_number="JUSTICE-1703202-2026-000001",
                today=MONDAY,
                calendar=CALENDAR,
                meta=META,
            ),
            ServiceApplication.Decided,
            {
                "officer": "officer-1",
                "outcome": "rejected",
                "decision_id": UUID(int=9),
                "registration_number": "JUSTICE-1703202-2026-000001",
                "meta": META,
            },
        ),
    ],
)
def test_each_event_records_the_commands_fields(
    steps: tuple[str, ...], command: Any, expected: type[Any], fields: dict[str, Any]
) -> None:
    history_ = awaiting_payment() if not steps else case(*steps)
    given(*history_).when(command).then(expected, **fields)


REASONS = [
    ((), lambda a, text: a.cancel(reason=text, meta=META), 1000),
    (("route",), lambda a, text: a.withdraw(reason=text, meta=META), 1000),
    (("route", "withdraw"), lambda a, text: a.close(reason=text, meta=META), 1000),
    (
        ("route", "accept"),
        lambda a, text: a.request_information(
            officer="officer-1", message=text, today=MONDAY, meta=META
        ),
        4000,
    ),
    (
        ("route", "accept", "request"),
        lambda a, text: a.provide_information(
            message=text, form={}, today=MONDAY, calendar=CALENDAR, meta=META
        ),
        4000,
    ),
]


@pytest.mark.parametrize(("steps", "command", "limit"), REASONS)
def test_texts_are_accepted_up_to_their_limit_and_refused_past_it(
    steps: tuple[str, ...], command: Any, limit: int
) -> None:
    history_ = awaiting_payment() if not steps else case(*steps)
    outcome = given(*history_).when(lambda a: command(a, "x" * limit))
    assert outcome.error is None, outcome.error
    field = "reason" if limit == 1000 else "message"
    given(*history_).when(lambda a: command(a, "x" * (limit + 1))).then_error(
        InvalidInput, f"{field} is longer than {limit} characters"
    )
    given(*history_).when(lambda a: command(a, "  ")).then_error(
        InvalidInput, f"{field} must be a non-empty text"
    )


NEW_CALENDAR = WorkingCalendar(holidays=frozenset({date(2026, 12, 8), date(2026, 11, 30)}))


@pytest.mark.parametrize("steps", [("route", "accept"), ("route", "accept", "request")])
def test_a_calendar_change_moves_the_due_date_of_a_case_in_review_or_waiting(
    steps: tuple[str, ...],
) -> None:
    outcome = given(*case(*steps)).when(
        lambda a: a.recompute_due_date(calendar=NEW_CALENDAR, meta=META)
    )
    outcome.then(ServiceApplication.DueDateRecomputed, due_date="2026-12-01", meta=META)


def test_a_recomputed_due_date_keeps_the_paused_days() -> None:
    before = case("route", "accept", "request")
    app = given(*before).aggregate
    app.provide_information(
        message="here", form={}, today=date(2026, 11, 26), calendar=CALENDAR, meta=META
    )  # paused Tue-Thu: due Thu 3 Dec
    assert app.due_date == date(2026, 12, 3)
    outcome = given(*before, *app.collect_events()).when(
        lambda a: a.recompute_due_date(calendar=NEW_CALENDAR, meta=META)
    )
    outcome.then(ServiceApplication.DueDateRecomputed, due_date="2026-12-04")


def test_a_breach_in_review_records_its_days_and_escalation() -> None:
    outcome = given(*case("route", "accept")).when(
        lambda a: a.check_deadline(today=date(2026, 12, 1), escalate_to=PARENT, meta=META)
    )
    outcome.then(
        ServiceApplication.DeadlineBreached,
        ServiceApplication.Escalated,
        to_agency_id=PARENT.id,
        to_agency_code=PARENT.code,
        meta=META,
    )
    breach = outcome.events[0]
    assert (breach.due_date, breach.detected_on, breach.meta) == (
        "2026-11-30",
        "2026-12-01",
        META,
    )
    assert outcome.aggregate.escalated_to.id == PARENT.id


def test_information_provided_to_a_released_case_returns_it_to_the_queue() -> None:
    outcome = given(*case("route", "accept", "request", "release")).when(STEPS["provide"])
    outcome.then(ServiceApplication.InformationProvided, status="queued")
    assert outcome.aggregate.status == "queued"


def test_refusals_for_want_of_an_assignee_say_what_was_refused() -> None:
    given(*case("route", "accept", "request", "release")).when(STEPS["release"]).then_error(
        NotAssigned, "before releasing it"
    )


def test_accepting_a_released_case_that_awaits_information_keeps_it_waiting() -> None:
    outcome = given(*case("route", "accept", "request", "release")).when(
        lambda a: a.accept(officer="officer-2", meta=META)
    )
    outcome.then(ServiceApplication.Accepted, officer="officer-2", status="awaiting_information")
    assert outcome.aggregate.status == "awaiting_information"
