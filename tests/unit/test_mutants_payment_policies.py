"""What mutation testing found the payment policy tests left unchecked (docs/testing.md):
a case's term started by a payment counts the declared holidays, the policy's events carry
the payment's correlation id, and an event naming something that is not a case is ignored."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from application.payment_policies import CasesFollowPayments
from domain.calendar import HolidayCalendar
from domain.payment import Payment
from infrastructure.clock import FixedClock
from tests.unit.builders import META, names
from tests.unit.test_payment_policies import NOW, NoCalendar, awaiting, run

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
