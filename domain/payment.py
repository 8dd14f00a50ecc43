"""Payments of state fees, and their refunds.

    requested -> pending (the provider's payment exists) -> succeeded | failed | expired
    succeeded -> refund requested -> refund submitted -> refunded | refund failed

Provider events (webhooks) are applied at most once, by their id, and in any order: a
success is accepted before the provider payment's creation was recorded, and an event that
would move a payment backwards is ignored. Admin corrections are new events, never edits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidInput, InvalidTransition, NothingChanged
from domain.ids import natural_id

REQUESTED = "requested"
PENDING = "pending"
SUCCEEDED = "succeeded"
FAILED = "failed"
EXPIRED = "expired"
REFUND_REQUESTED = "refund_requested"
REFUND_SUBMITTED = "refund_submitted"
REFUNDED = "refunded"
REFUND_FAILED = "refund_failed"
STATUSES = (
    REQUESTED,
    PENDING,
    SUCCEEDED,
    FAILED,
    EXPIRED,
    REFUND_REQUESTED,
    REFUND_SUBMITTED,
    REFUNDED,
    REFUND_FAILED,
)
AWAITING = (REQUESTED, PENDING)  # money not taken yet; the citizen can still pay
MONEY_TAKEN = (SUCCEEDED, REFUND_REQUESTED, REFUND_SUBMITTED, REFUND_FAILED)


class Payment(Aggregate):
    """One attempt to pay an application's fee through a provider."""

    class Requested(Aggregate.Created):
        application_id: UUID
        tracking_number: str
        agency_code: str
        service_code: str
        attempt: int
        amount: int
        currency: str
        provider: str
        refund_on: list[str]
        requested_at: str
        meta: dict[str, str]

    class ProviderPaymentCreated(Aggregate.Event):
        provider_payment_id: str
        status: str
        meta: dict[str, str]

    class Succeeded(Aggregate.Event):
        application_id: UUID
        provider_event_id: str
        provider_payment_id: str
        amount: int
        status: str
        meta: dict[str, str]

    class Failed(Aggregate.Event):
        provider_event_id: str
        reason: str
        status: str
        meta: dict[str, str]

    class Expired(Aggregate.Event):
        application_id: UUID
        reason: str
        status: str
        meta: dict[str, str]

    class RefundRequested(Aggregate.Event):
        refund_id: UUID
        amount: int
        reason: str
        status: str
        meta: dict[str, str]

    class RefundSubmitted(Aggregate.Event):
        provider_refund_id: str
        status: str
        meta: dict[str, str]

    class Refunded(Aggregate.Event):
        provider_event_id: str
        provider_refund_id: str
        amount: int
        status: str
        meta: dict[str, str]

    class RefundFailed(Aggregate.Event):
        provider_event_id: str
        reason: str
        status: str
        meta: dict[str, str]

    class Corrected(Aggregate.Event):
        status: str
        reason: str
        meta: dict[str, str]

    @staticmethod
    def create_id(application_id: UUID, attempt: int, **_: Any) -> UUID:
        return natural_id("payments", f"{application_id}:{attempt}")

    @classmethod
    def request(
        cls,
        *,
        application_id: UUID,
        tracking_number: str,
        agency_code: str,
        service_code: str,
        attempt: int,
        amount: int,
        currency: str,
        provider: str,
        refund_on: list[str],
        requested_at: datetime,
        meta: dict[str, str],
    ) -> Payment:
        if amount <= 0:
            raise InvalidInput(f"a payment is for a positive amount, not {amount}")
        if attempt < 1:
            raise InvalidInput("payment attempts are numbered from 1")
        return cls(
            application_id=application_id,
            tracking_number=tracking_number,
            agency_code=agency_code,
            service_code=service_code,
            attempt=attempt,
            amount=amount,
            currency=currency,
            provider=provider,
            refund_on=list(refund_on),
            requested_at=requested_at.isoformat(),
            meta=meta,
        )

    @event(Requested)
    def __init__(
        self,
        application_id: UUID,
        tracking_number: str,
        agency_code: str,
        service_code: str,
        attempt: int,
        amount: int,
        currency: str,
        provider: str,
        refund_on: list[str],
        requested_at: str,
        meta: dict[str, str],
    ) -> None:
        self.application_id = application_id
        self.requested_at = datetime.fromisoformat(requested_at)
        self.tracking_number = tracking_number
        self.agency_code = agency_code
        self.service_code = service_code
        self.attempt = attempt
        self.amount = amount
        self.currency = currency
        self.provider = provider
        self.refund_on = list(refund_on)
        self.status = REQUESTED
        self.provider_payment_id: str | None = None
        self.paid_amount = 0
        self.refund_id: UUID | None = None
        self.refund_amount = 0
        self.provider_refund_id: str | None = None
        self.provider_events: set[str] = set()

    def _require(self, action: str, *allowed: str) -> None:
        if self.status not in allowed:
            raise InvalidTransition(
                f"payment {self.id} is {self.status}; {action} is allowed only when it is "
                f"{' or '.join(allowed)}",
                state=self.status,
            )

    def _once(self, provider_event_id: str) -> None:
        if provider_event_id and provider_event_id in self.provider_events:
            raise NothingChanged(f"provider event {provider_event_id} is already applied")

    # --- the provider's payment -----------------------------------------------------------

    def provider_payment_created(self, *, provider_payment_id: str, meta: dict[str, str]) -> None:
        """Record the provider's payment (idempotent: the same id again changes nothing)."""
        if self.provider_payment_id == provider_payment_id:
            raise NothingChanged(f"payment {self.id} already has {provider_payment_id}")
        self._require("recording the provider's payment", REQUESTED)
        self._provider_payment_created(
            provider_payment_id=provider_payment_id, status=PENDING, meta=meta
        )

    @event(ProviderPaymentCreated)
    def _provider_payment_created(
        self, provider_payment_id: str, status: str, meta: dict[str, str]
    ) -> None:
        self.provider_payment_id = provider_payment_id
        self.status = status

    def succeed(
        self,
        *,
        provider_event_id: str,
        provider_payment_id: str,
        amount: int,
        meta: dict[str, str],
    ) -> None:
        """The provider took the money. Accepted before the provider payment's creation was
        recorded (events arrive in any order) and after a failed try of the same payment."""
        self._once(provider_event_id)
        if self.status in (SUCCEEDED, *MONEY_TAKEN, REFUNDED):
            raise NothingChanged(f"payment {self.id} already succeeded")
        self._require("success", REQUESTED, PENDING, FAILED, EXPIRED)
        self._succeeded(
            application_id=self.application_id,
            provider_event_id=provider_event_id,
            provider_payment_id=provider_payment_id,
            amount=amount,
            status=SUCCEEDED,
            meta=meta,
        )

    @event(Succeeded)
    def _succeeded(
        self,
        application_id: UUID,
        provider_event_id: str,
        provider_payment_id: str,
        amount: int,
        status: str,
        meta: dict[str, str],
    ) -> None:
        self.provider_events.add(provider_event_id)
        self.provider_payment_id = provider_payment_id
        self.paid_amount = amount
        self.status = status

    def fail(self, *, provider_event_id: str, reason: str, meta: dict[str, str]) -> None:
        self._once(provider_event_id)
        if self.status not in AWAITING:
            raise NothingChanged(f"payment {self.id} is {self.status}; a failure changes nothing")
        self._failed(provider_event_id=provider_event_id, reason=reason, status=FAILED, meta=meta)

    @event(Failed)
    def _failed(
        self, provider_event_id: str, reason: str, status: str, meta: dict[str, str]
    ) -> None:
        self.provider_events.add(provider_event_id)
        self.status = status

    def expire(self, *, reason: str, meta: dict[str, str]) -> None:
        """No payment in time (or the provider cancelled it); the application is cancelled."""
        self._require("expiry", REQUESTED, PENDING, FAILED)
        self._expired(application_id=self.application_id, reason=reason, status=EXPIRED, meta=meta)

    @event(Expired)
    def _expired(
        self, application_id: UUID, reason: str, status: str, meta: dict[str, str]
    ) -> None:
        self.status = status

    # --- refunds --------------------------------------------------------------------------

    def request_refund(self, *, reason: str, meta: dict[str, str]) -> None:
        """Return the fee (in full). The provider is called afterwards, outside this
        transaction, with an idempotency key derived from ``refund_id``."""
        if self.status in (REFUND_REQUESTED, REFUND_SUBMITTED, REFUNDED):
            raise NothingChanged(f"payment {self.id} is already being refunded")
        self._require("a refund", SUCCEEDED, REFUND_FAILED)
        self._refund_requested(
            refund_id=natural_id("refunds", f"{self.id}:{self.version}"),
            amount=self.paid_amount,
            reason=reason,
            status=REFUND_REQUESTED,
            meta=meta,
        )

    @event(RefundRequested)
    def _refund_requested(
        self, refund_id: UUID, amount: int, reason: str, status: str, meta: dict[str, str]
    ) -> None:
        self.refund_id = refund_id
        self.refund_amount = amount
        self.status = status

    def refund_submitted(self, *, provider_refund_id: str, meta: dict[str, str]) -> None:
        if self.provider_refund_id == provider_refund_id:
            raise NothingChanged(f"refund {provider_refund_id} is already recorded")
        if self.status == REFUNDED:
            raise NothingChanged(f"payment {self.id} is already refunded")
        self._require("recording the provider's refund", REFUND_REQUESTED)
        self._refund_submitted(
            provider_refund_id=provider_refund_id, status=REFUND_SUBMITTED, meta=meta
        )

    @event(RefundSubmitted)
    def _refund_submitted(self, provider_refund_id: str, status: str, meta: dict[str, str]) -> None:
        self.provider_refund_id = provider_refund_id
        self.status = status

    def refunded(
        self,
        *,
        provider_event_id: str,
        provider_refund_id: str,
        amount: int,
        meta: dict[str, str],
    ) -> None:
        """The provider returned the money (also a refund made at the provider directly)."""
        self._once(provider_event_id)
        if self.status == REFUNDED:
            raise NothingChanged(f"payment {self.id} is already refunded")
        self._require("a refund", SUCCEEDED, REFUND_REQUESTED, REFUND_SUBMITTED, REFUND_FAILED)
        self._refunded(
            provider_event_id=provider_event_id,
            provider_refund_id=provider_refund_id,
            amount=amount,
            status=REFUNDED,
            meta=meta,
        )

    @event(Refunded)
    def _refunded(
        self,
        provider_event_id: str,
        provider_refund_id: str,
        amount: int,
        status: str,
        meta: dict[str, str],
    ) -> None:
        if provider_event_id:
            self.provider_events.add(provider_event_id)
        self.provider_refund_id = provider_refund_id
        self.refund_amount = amount
        self.status = status

    def refund_failed(self, *, provider_event_id: str, reason: str, meta: dict[str, str]) -> None:
        self._once(provider_event_id)
        self._require("a refund failure", REFUND_REQUESTED, REFUND_SUBMITTED)
        self._refund_failed(
            provider_event_id=provider_event_id, reason=reason, status=REFUND_FAILED, meta=meta
        )

    @event(RefundFailed)
    def _refund_failed(
        self, provider_event_id: str, reason: str, status: str, meta: dict[str, str]
    ) -> None:
        if provider_event_id:
            self.provider_events.add(provider_event_id)
        self.status = status

    # --- admin corrections ----------------------------------------------------------------

    def correct(self, *, status: str, reason: str, meta: dict[str, str]) -> None:
        """An administrator sets the status the books show, with a reason, as a new event."""
        if status not in STATUSES:
            raise InvalidInput(f"status must be one of {', '.join(STATUSES)}")
        if status == self.status:
            raise NothingChanged(f"payment {self.id} is already {status}")
        if not reason.strip():
            raise InvalidInput("a correction states its reason")
        self._corrected(status=status, reason=reason.strip(), meta=meta)

    @event(Corrected)
    def _corrected(self, status: str, reason: str, meta: dict[str, str]) -> None:
        self.status = status
