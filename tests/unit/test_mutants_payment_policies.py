"""What mutation testing found the payment policy tests left unchecked (docs/testing.md):
a case's term started by a payment counts the declared holidays, the policy's events carry
the payment's correlation id, and an event naming something that is not a case is ignored."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import Tracking

from application.payment_policies import CasesFollowPayments, PaymentsFollowCases
from domain.agency import AgencyRef
from domain.calendar import HolidayCalendar, WorkingCalendar
from domain.payment import Payment
from tests.fakes.adapters import FixedClock
from tests.unit.builders import META, empty_case, names
from tests.unit.test_payment_policies import NOW, NoCalendar, awaiting, run

AGENCY = AgencyRef(UUID(int=1), "justice-1703202")
PAYMENT_META = {**META, "correlation_id": "corr-payment-7"}


class OneCalendar:
    """Finds the national holiday calendar by its type and id, and nothing else."""

    def __init__(self, calendar: HolidayCalendar) -> None:
        self.calendar = calendar

    def find(self, cls: type[Any], aggregate_id: UUID) -> Any:
        if cls is HolidayCalendar and aggregate_id == HolidayCalendar.create_id():
            return self.calendar
        return None


def succeeded_for(application_id: UUID) -> Any:
    payment = Payment.request(
        application_id=application_id,
        tracking_number="AR-2026-0000003",
        agency_code="justice-1703202",
        service_code="x",
        attempt=1,
        amount=100,
        currency="UZS",
        provider="sandbox",
        refund_on=[],
        requested_at=NOW,
        meta=META,
    )
    payment.succeed(
        provider_event_id="evt", provider_payment_id="pi", amount=100, meta=PAYMENT_META
    )
    return payment.collect_events()[-1]


def test_the_term_a_payment_starts_skips_the_declared_holidays() -> None:
    calendar = HolidayCalendar.open(meta=META)
    calendar.declare_holiday(day=date(2026, 12, 1), names=names("Bayram"), meta=META)
    policy = CasesFollowPayments.bind(
        clock=FixedClock(NOW), calendar_source=OneCalendar(calendar)
    )()
    application = awaiting(policy)
    run(policy, succeeded_for(application.id), 1)
    # Fri 27 Nov + 5 working days, Tue 1 Dec a holiday: Mon 7 Dec
    assert policy.repository.get(application.id).due_date == date(2026, 12, 7)


def test_the_policys_events_carry_the_payments_correlation_id() -> None:
    policy = CasesFollowPayments.bind(clock=FixedClock(NOW), calendar_source=NoCalendar())()
    application = awaiting(policy)
    run(policy, succeeded_for(application.id), 1)
    recorded = policy.repository.event_store.get(application.id, gt=application.version)
    metas = [event.meta for event in recorded]
    assert metas
    assert all(meta["correlation_id"] == "corr-payment-7" for meta in metas)
    assert all(meta["actor"] == "system:policy" for meta in metas)


def test_a_payment_naming_something_that_is_not_a_case_is_ignored() -> None:
    policy = CasesFollowPayments.bind(clock=FixedClock(NOW), calendar_source=NoCalendar())()
    calendar = HolidayCalendar.open(meta=META)
    policy.save(calendar)
    run(policy, succeeded_for(calendar.id), 1)
    assert policy.repository.get(calendar.id).version == calendar.version
    assert policy.recorder.max_tracking_id("Payments") == 1


# --- PaymentsFollowCases: every attempt of a case, and what the requests it makes record ---

CASE_META = {**META, "correlation_id": "corr-case-9"}
POLICY_ACTOR = "system:policy"


class CaseWithAttempts:
    """A case awaiting its fee, some payment attempts, and the payments policy."""

    def __init__(self) -> None:
        self.policy = PaymentsFollowCases.bind(
            clock=FixedClock(NOW), calendar_source=NoCalendar()
        )()
        self.position = 0
        self.case = empty_case(
            application_id=uuid4(),
            tracking_number="AR-2026-0000043",
            service_code="x",
            meta=CASE_META,
        )
        self.case.route(
            agency=AGENCY,
            term_working_days=5,
            fee=(100, "UZS", None),
            today=NOW.date(),
            calendar=WorkingCalendar(),
            meta=CASE_META,
        )
        self.attempts: list[Payment] = []

    def attempt(self, refund_on: list[str], outcome: str | None) -> Payment:
        """A further attempt: left requested (``None``), ``failed`` or ``succeeded``."""
        payment = Payment.request(
            application_id=self.case.id,
            tracking_number=self.case.tracking_number,
            agency_code=AGENCY.code,
            service_code="x",
            attempt=len(self.attempts) + 1,
            amount=100,
            currency="UZS",
            provider="sandbox",
            refund_on=refund_on,
            requested_at=NOW,
            meta=META,
        )
        n = len(self.attempts) + 1
        if outcome == "failed":
            payment.fail(provider_event_id=f"evt_no_{n}", reason="declined", meta=META)
        elif outcome == "succeeded":
            payment.succeed(
                provider_event_id=f"evt_ok_{n}",
                provider_payment_id=f"pi_{n}",
                amount=100,
                meta=META,
            )
            self.case.confirm_payment(
                payment_id=payment.id,
                amount=100,
                today=NOW.date(),
                calendar=WorkingCalendar(),
                meta=CASE_META,
            )
        self.policy.save(payment)
        self.attempts.append(payment)
        return payment

    def follow(self) -> None:
        for domain_event in self.case.collect_events():
            self.position += 1
            self.policy.process_event(domain_event, Tracking("Cases", self.position))

    def recorded(self, payment: Payment, kind: type[Any]) -> list[Any]:
        return [
            e for e in self.policy.repository.event_store.get(payment.id) if isinstance(e, kind)
        ]


@pytest.mark.parametrize("first_refund_on", [[], ["rejection"]])
def test_a_rejection_refunds_the_paid_attempt_after_an_unrefundable_one(
    first_refund_on: list[str],
) -> None:
    """The first attempt failed (not refundable: either its terms do not refund rejections
    or, failed, it holds no money); the second was paid and is refunded, with the policy's
    actor, the case's correlation id and the reason."""
    s = CaseWithAttempts()
    failed = s.attempt(first_refund_on, "failed")
    paid = s.attempt(["rejection"], "succeeded")
    s.follow()
    s.case.accept(officer="officer-1", meta=CASE_META)
    s.case.decide(
        officer="officer-1",
        outcome="rejected",
        decision_id=uuid4(),
        registration_number="R-1",
        today=NOW.date(),
        calendar=WorkingCalendar(),
        meta=CASE_META,
    )
    s.follow()
    assert s.recorded(failed, Payment.RefundRequested) == []
    [requested] = s.recorded(paid, Payment.RefundRequested)
    assert requested.reason == "the application was rejected"
    assert requested.meta["correlation_id"] == "corr-case-9"
    assert requested.meta["actor"] == POLICY_ACTOR


def test_the_third_attempt_is_found_too() -> None:
    s = CaseWithAttempts()
    s.attempt(["rejection"], "failed")
    s.attempt(["rejection"], "failed")
    third = s.attempt(["rejection"], "succeeded")
    s.follow()
    s.case.accept(officer="officer-1", meta=CASE_META)
    s.case.decide(
        officer="officer-1",
        outcome="rejected",
        decision_id=uuid4(),
        registration_number="R-1",
        today=NOW.date(),
        calendar=WorkingCalendar(),
        meta=CASE_META,
    )
    s.follow()
    assert len(s.recorded(third, Payment.RefundRequested)) == 1


@pytest.mark.parametrize(
    ("end", "reason"),
    [
        ("withdraw", "the application was withdrawn"),
        ("cancel", "the application was cancelled"),
    ],
)
def test_a_case_that_ends_unpaid_expires_every_unfinished_attempt(end: str, reason: str) -> None:
    s = CaseWithAttempts()
    failed = s.attempt([], "failed")
    unfinished = s.attempt([], None)
    getattr(s.case, end)(reason="r", meta=CASE_META)
    s.follow()
    assert s.recorded(failed, Payment.Expired) == []  # a failure is no longer awaited
    [expired] = s.recorded(unfinished, Payment.Expired)
    assert expired.reason == reason
    assert expired.meta["correlation_id"] == "corr-case-9"
    assert expired.meta["actor"] == POLICY_ACTOR
    assert s.policy.repository.get(unfinished.id).status == "expired"


def test_an_event_without_a_correlation_id_gets_the_policys() -> None:
    s = CaseWithAttempts()
    unfinished = s.attempt([], None)
    no_correlation = {k: v for k, v in CASE_META.items() if k != "correlation_id"}
    s.case.cancel(reason="r", meta=no_correlation)
    s.follow()
    [expired] = s.recorded(unfinished, Payment.Expired)
    assert expired.meta["correlation_id"] == "policy"
