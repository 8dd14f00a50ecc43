"""The payment policies, run on in-memory persistence as the runner runs them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import ProcessingEvent
from eventsourcing.persistence import Tracking

from application.payment_policies import CasesFollowPayments, PaymentsFollowCases
from domain.agency import AgencyRef
from domain.calendar import WorkingCalendar
from domain.payment import Payment
from domain.service_application import ServiceApplication
from tests.fakes.adapters import FixedClock
from tests.unit.builders import META

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


class NoCalendar:
    def find(self, *_: Any) -> None:
        return None


def test_binding_keeps_the_name_that_picks_the_tables() -> None:
    bound = CasesFollowPayments.bind(clock=FixedClock(NOW), calendar_source=NoCalendar())
    assert bound.name == "Cases"
    assert PaymentsFollowCases.bind(clock=FixedClock(NOW), calendar_source=NoCalendar()).name == (
        "Payments"
    )


def awaiting(policy: Any) -> ServiceApplication:
    application = ServiceApplication.submit(
        application_id=UUID(int=3),
        tracking_number="AR-2026-0000003",
        service_code="x",
        service_version=1,
        applicant="31503901234567",
        applicant_ref="r",
        applicant_name=None,
        language="ru",
        territory="1703202",
        form={},
        attachments=[],
        meta=META,
    )
    application.route(
        agency=AgencyRef(UUID(int=1), "justice-1703202"),
        term_working_days=5,
        fee=(100, "UZS", None),
        today=date(2026, 11, 23),
        calendar=WorkingCalendar(),
        meta=META,
    )
    policy.save(application)
    return application


def run(policy: Any, domain_event: Any, position: int) -> None:
    policy.process_event(domain_event, Tracking("Payments", position))


def test_a_succeeded_payment_queues_the_case_exactly_once() -> None:
    policy = CasesFollowPayments.bind(clock=FixedClock(NOW), calendar_source=NoCalendar())()
    application = awaiting(policy)
    payment = Payment.request(
        application_id=application.id,
        tracking_number=application.tracking_number,
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
    payment.succeed(provider_event_id="evt", provider_payment_id="pi", amount=100, meta=META)
    succeeded = payment.collect_events()[-1]
    run(policy, succeeded, 1)
    stored = policy.repository.get(application.id)
    assert stored.status == "queued"
    assert stored.due_date == date(2026, 12, 4)  # Fri 27 Nov + 5 working days
    assert policy.recorder.max_tracking_id("Payments") == 1
    processed = ProcessingEvent(Tracking("Payments", 2))
    policy.policy(succeeded, processed)  # the same payment again changes nothing
    assert processed.events == []
