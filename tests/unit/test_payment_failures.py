"""A provider's failure is a failure: the payment says so, the case keeps waiting for its
fee, and nothing queues it. The aggregate in given/when/then, then the payments use case
and the cases' policy on in-memory persistence, fed what the provider said."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import Tracking

from application.payment_policies import CasesFollowPayments
from application.payments import Payments
from application.ports import PAYMENT_FAILED, PAYMENT_SUCCEEDED, ProviderEvent
from domain.agency import AgencyRef
from domain.calendar import WorkingCalendar
from domain.context import CommandContext
from domain.errors import InvalidTransition, NothingChanged
from domain.fee_status import fee_status
from domain.payment import Payment
from domain.service_application import ServiceApplication
from infrastructure.payments.webhooks import to_provider_event
from tests.fakes.adapters import FixedClock
from tests.unit.builders import META, empty_case
from tests.unit.gwt import given
from tests.unit.test_payment import STEPS, case

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
PROVIDER = CommandContext(actor="provider:stripe", role="system", correlation_id="webhook")
DECLINED = "Your card was declined."


def declined(event_id: str = "evt_no") -> Any:
    return lambda p: p.fail(provider_event_id=event_id, reason=DECLINED, meta=META)


# --- the aggregate ---------------------------------------------------------------------------


@pytest.mark.parametrize("before", [(), ("created",)], ids=["requested", "pending"])
def test_a_failure_leaves_the_payment_failed(before: tuple[str, ...]) -> None:
    outcome = given(*case(*before)).when(declined())
    outcome.then(Payment.Failed, status="failed", reason=DECLINED, provider_event_id="evt_no")
    payment = outcome.aggregate
    assert payment.status == "failed"
    assert payment.paid_amount == 0
    assert fee_status(
        amount=payment.amount, exempt=False, payment_status=payment.status, awaiting_payment=True
    ) == ("failed")


def test_the_failed_payment_replays_as_failed() -> None:
    outcome = given(*case("created")).when(declined())
    replayed = given(*outcome.aggregate_history()).aggregate
    assert (replayed.status, replayed.paid_amount) == ("failed", 0)
    assert "evt_no" in replayed.provider_events


def test_a_failure_after_a_failure_or_a_success_changes_nothing() -> None:
    given(*case("created", "failed")).when(declined("evt_no_2")).then_error(NothingChanged)
    given(*case("created", "succeeded")).when(declined("evt_no_2")).then_error(NothingChanged)


def test_a_failed_payment_is_not_refunded() -> None:
    given(*case("created", "failed")).when(STEPS["refund"]).then_error(InvalidTransition)


# --- the use case and the policy -------------------------------------------------------------


class Books:
    """A case waiting for its fee, its payment at the provider, the payments use case and
    the policy that queues paid cases, all in memory."""

    def __init__(self) -> None:
        self.payments = Payments()  # reading and provider events need no adapters
        self.cases = CasesFollowPayments.bind(
            clock=FixedClock(NOW), calendar_source=_NoCalendar()
        )()
        self.case = empty_case(
            application_id=UUID(int=11),
            tracking_number="AR-2026-0000011",
            service_code="marriage-registration",
            meta=META,
        )
        self.case.route(
            agency=AgencyRef(UUID(int=1), "justice-1703202"),
            term_working_days=5,
            fee=(20_600_000, "UZS", None),
            today=date(2026, 11, 27),
            calendar=WorkingCalendar(),
            meta=META,
        )
        self.cases.save(self.case)
        payment = Payment.request(
            application_id=self.case.id,
            tracking_number=self.case.tracking_number,
            agency_code="justice-1703202",
            service_code="marriage-registration",
            attempt=1,
            amount=20_600_000,
            currency="UZS",
            provider="stripe",
            refund_on=["rejection", "withdrawal_before_acceptance"],
            requested_at=NOW,
            meta=META,
        )
        payment.provider_payment_created(provider_payment_id="pi_1", meta=META)
        self.payments.save(payment)
        self.payment_id = payment.id
        self.followed = 0

    def provider_says(self, kind: str, event_id: str) -> None:
        self.payments.apply_provider_event(
            PROVIDER,
            ProviderEvent(
                event_id=event_id,
                kind=kind,
                payment_id=self.payment_id,
                provider_payment_id="pi_1",
                amount=20_600_000 if kind == PAYMENT_SUCCEEDED else None,
                reason=DECLINED if kind == PAYMENT_FAILED else "",
            ),
        )
        self.follow()

    def follow(self) -> None:
        """The cases' policy over every payment event recorded since the last call."""
        for notification in self.payments.recorder.select_notifications(self.followed + 1, 100):
            self.followed = notification.id
            domain_event = self.payments.mapper.to_domain_event(notification)
            self.cases.process_event(domain_event, Tracking("Payments", notification.id))

    def case_now(self) -> ServiceApplication:
        found: ServiceApplication = self.cases.repository.get(self.case.id)
        return found

    def case_events(self) -> list[Any]:
        return list(self.cases.repository.event_store.get(self.case.id))


class _NoCalendar:
    def find(self, *_: Any) -> None:
        return None


def test_a_provider_failure_leaves_the_case_awaiting_payment_with_no_paid_event() -> None:
    books = Books()
    books.provider_says(PAYMENT_FAILED, "evt_declined")
    payment = books.payments.payment(books.payment_id)
    assert payment.status == "failed"
    assert [type(e) for e in books.payments.repository.event_store.get(payment.id)][-1] is (
        Payment.Failed
    )
    case_now = books.case_now()
    assert case_now.status == "awaiting_payment"
    assert case_now.paid_by is None
    assert case_now.due_date is None  # the legal term has not started
    assert not any(isinstance(e, ServiceApplication.Paid) for e in books.case_events())


def test_a_retried_card_after_a_failure_queues_the_case() -> None:
    """The contrast that shows the policy is listening: a success does queue the case."""
    books = Books()
    books.provider_says(PAYMENT_FAILED, "evt_declined")
    books.provider_says(PAYMENT_SUCCEEDED, "evt_paid")
    assert books.payments.payment(books.payment_id).status == "succeeded"
    assert books.case_now().status == "queued"
    paid = [e for e in books.case_events() if isinstance(e, ServiceApplication.Paid)]
    assert [e.payment_id for e in paid] == [books.payment_id]


def test_the_same_failure_delivered_twice_is_recorded_once() -> None:
    books = Books()
    books.provider_says(PAYMENT_FAILED, "evt_declined")
    books.provider_says(PAYMENT_FAILED, "evt_declined")
    events = list(books.payments.repository.event_store.get(books.payment_id))
    assert [type(e) for e in events].count(Payment.Failed) == 1


def test_stripes_payment_failed_notification_is_a_failure() -> None:
    event = to_provider_event(
        {
            "id": "evt_1",
            "type": "payment_intent.payment_failed",
            "data": {
                "object": {
                    "id": "pi_1",
                    "amount": 700,
                    "amount_received": 0,
                    "metadata": {"payment_id": str(UUID(int=5))},
                    "last_payment_error": {"message": DECLINED},
                }
            },
        }
    )
    assert event is not None
    assert (event.kind, event.payment_id, event.reason) == (PAYMENT_FAILED, UUID(int=5), DECLINED)
