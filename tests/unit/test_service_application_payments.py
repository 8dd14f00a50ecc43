"""A case's fee and its payment: a payment that queues the case and starts its term, or one
marked for refund, an unpaid case cancelled, an exempt applicant who owes nothing."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain.errors import InvalidTransition, NothingChanged
from domain.service_application import ServiceApplication
from tests.unit.builders import META
from tests.unit.gwt import given, history, replay
from tests.unit.service_application_steps import (
    AGENCY,
    CALENDAR,
    MONDAY,
    STEPS,
    case,
    route,
    submitted,
)


def awaiting_payment() -> list[Any]:
    app = submitted()
    route(app, fee=20_600_000)
    return history(app)


def test_payment_queues_the_case_and_starts_its_term() -> None:
    outcome = given(*awaiting_payment()).when(
        lambda a: a.confirm_payment(
            payment_id=UUID(int=5),
            amount=20_600_000,
            today=date(2026, 11, 25),
            calendar=CALENDAR,
            meta=META,
        )
    )
    outcome.then(ServiceApplication.Paid, ServiceApplication.ClockStarted, started_on="2026-11-25")
    assert outcome.aggregate.status == "queued"
    assert outcome.aggregate.due_date == date(2026, 12, 2)
    again = given(*outcome.aggregate_history()).when(
        lambda a: a.confirm_payment(
            payment_id=UUID(int=5),
            amount=20_600_000,
            today=date(2026, 11, 25),
            calendar=CALENDAR,
            meta=META,
        )
    )
    again.then_error(NothingChanged)


def test_a_payment_for_a_case_no_longer_waiting_is_marked_for_refund() -> None:
    withdrawn = awaiting_payment()
    app = replay(withdrawn)
    app.withdraw(reason="changed my mind", meta=META)
    given(*withdrawn, *app.collect_events()).when(
        lambda a: a.confirm_payment(
            payment_id=UUID(int=6), amount=1, today=MONDAY, calendar=CALENDAR, meta=META
        )
    ).then(ServiceApplication.PaymentNotExpected)


def test_an_unpaid_case_is_cancelled_and_can_then_be_closed() -> None:
    outcome = given(*awaiting_payment()).when(
        lambda a: a.cancel(reason="not paid in time", meta=META)
    )
    outcome.then(ServiceApplication.Cancelled, status="cancelled")
    given(*outcome.aggregate_history()).when(STEPS["close"]).then(ServiceApplication.Closed)
    given(*case("route")).when(lambda a: a.cancel(reason="x", meta=META)).then_error(
        InvalidTransition
    )


def test_an_exempt_applicant_owes_nothing_and_the_basis_is_recorded() -> None:
    exemption = {"code": "disability-group-1", "legal_basis": "Law 'On state duty', art. 9"}
    outcome = given(*case()).when(
        lambda a: a.route(
            agency=AGENCY,
            term_working_days=5,
            fee=(0, "UZS", exemption),
            today=MONDAY,
            calendar=CALENDAR,
            meta=META,
        )
    )
    outcome.then(
        ServiceApplication.Routed, ServiceApplication.FeeAssessed, ServiceApplication.ClockStarted
    )
    assert outcome.events[1].exemption == exemption
    assert outcome.events[1].amount == 0
    assert outcome.aggregate.status == "queued"
