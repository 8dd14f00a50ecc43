"""The payments context: fees paid through a provider, and refunds.

One eventsourcing application (``payments_events``). Provider calls are never made inside
an event-store transaction: a payment is recorded as requested, the provider is called with
an idempotency key derived from the payment's id, and its answer is recorded as a new event.
A crash between the call and the record is healed by calling again with the same key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import structlog
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from application.authorization import authorize
from application.cases import Cases
from application.ports import (
    PAYMENT_CANCELED,
    PAYMENT_FAILED,
    PAYMENT_SUCCEEDED,
    REFUND_FAILED,
    REFUND_PENDING,
    REFUND_SUCCEEDED,
    Clock,
    PaymentProvider,
    ProviderEvent,
    ProviderPayment,
)
from application.principal import Principal
from domain.application_statuses import AWAITING_PAYMENT
from domain.context import CommandContext
from domain.errors import (
    ApplicationNotFound,
    ConcurrentModification,
    InvalidTransition,
    NothingChanged,
    NothingToPay,
    PaymentNotFound,
    PaymentProviderUnavailable,
)
from domain.indexes import ProviderPaymentIndex
from domain.payment import AWAITING, REFUND_REQUESTED, Payment
from domain.quoting import quoted
from domain.service_application import ServiceApplication

log = structlog.get_logger(__name__)
MAX_ATTEMPTS = 50


@dataclass
class PaymentDependencies:
    cases: Cases
    provider: PaymentProvider
    clock: Clock


@dataclass(frozen=True)
class PaymentStart:
    payment: Payment
    provider: ProviderPayment | None  # None once the payment has succeeded


class Payments(Application[UUID]):
    name = "Payments"

    def __init__(self, env: Any = None, *, deps: PaymentDependencies | None = None) -> None:
        super().__init__(env)
        self._deps = deps

    @property
    def deps(self) -> PaymentDependencies:
        if self._deps is None:
            raise RuntimeError("this Payments instance only reads events; it has no adapters")
        return self._deps

    # --- reading ----------------------------------------------------------------------------

    def _get(self, cls: type[Any], aggregate_id: UUID) -> Any:
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, cls) else None

    def attempts(self, application_id: UUID) -> list[Payment]:
        """Every payment attempt for an application, first to last."""
        found: list[Payment] = []
        for attempt in range(1, MAX_ATTEMPTS + 1):
            payment = self._get(Payment, Payment.create_id(application_id, attempt))
            if payment is None:
                break
            found.append(payment)
        return found

    def latest(self, application_id: UUID) -> Payment | None:
        attempts = self.attempts(application_id)
        return attempts[-1] if attempts else None

    def payment(self, payment_id: UUID) -> Payment:
        payment: Payment | None = self._get(Payment, payment_id)
        if payment is None:
            raise PaymentNotFound(f"no payment {payment_id}")
        return payment

    def find_by_provider_id(self, provider_payment_id: str) -> Payment | None:
        index = self._get(ProviderPaymentIndex, ProviderPaymentIndex.create_id(provider_payment_id))
        return self._get(Payment, index.payment_id) if index else None

    # --- the citizen pays -------------------------------------------------------------------

    def start(self, principal: Principal, ctx: CommandContext, key: str) -> PaymentStart:
        """Start paying an application's fee, or resume the payment already started."""
        authorize(principal, "payment.pay")
        application = self.deps.cases.view(principal, ctx, key, purpose="payment")
        attempts = self.attempts(application.id)
        latest = attempts[-1] if attempts else None
        if latest is not None and latest.status not in (*AWAITING, "failed", "expired"):
            return PaymentStart(latest, None)  # paid already: nothing more to do
        if application.status != AWAITING_PAYMENT or application.fee is None:
            raise NothingToPay(
                f"application {application.tracking_number} is {application.status} and owes "
                "no fee now"
            )
        if latest is None or latest.status not in AWAITING:
            latest = self._request(ctx, application, len(attempts) + 1)
        return PaymentStart(latest, self._at_provider(ctx, latest, application))

    def _request(
        self, ctx: CommandContext, application: ServiceApplication, attempt: int
    ) -> Payment:
        assert application.fee is not None
        assert application.agency is not None
        amount, currency = application.fee
        service = self.deps.cases.service(application.service_code)
        version = service.terms_version(application.service_version)
        payment = Payment.request(
            application_id=application.id,
            tracking_number=application.tracking_number,
            agency_code=application.agency.code,
            service_code=application.service_code,
            attempt=attempt,
            amount=amount,
            currency=currency,
            provider=self.deps.provider.name,
            refund_on=list(version.terms.refund_on) if version else [],
            requested_at=self.deps.clock.now(),
            meta=ctx.meta(),
        )
        try:
            self.save(payment)
        except IntegrityError:  # a concurrent start created this attempt: resume it
            return self.payment(payment.id)
        return payment

    def _at_provider(
        self, ctx: CommandContext, payment: Payment, application: ServiceApplication
    ) -> ProviderPayment:
        provider = self.deps.provider
        try:
            if payment.provider_payment_id is not None:
                return provider.resume_payment(
                    payment_id=payment.id, provider_payment_id=payment.provider_payment_id
                )
            created = provider.create_payment(
                payment_id=payment.id,
                amount=payment.amount,
                currency=payment.currency,
                description=f"{application.tracking_number} {application.service_code}",
            )
        except PaymentProviderUnavailable:
            raise
        except Exception as error:
            log.warning(
                "payment.provider_error", payment=str(payment.id), error=type(error).__name__
            )
            raise PaymentProviderUnavailable(
                "the payment provider did not answer; try again shortly"
            ) from None
        try:
            payment.provider_payment_created(
                provider_payment_id=created.provider_payment_id, meta=ctx.meta()
            )
        except (NothingChanged, InvalidTransition):
            return created  # a webhook got there first; the payment is what it is
        self._save(payment, self._index(payment, created.provider_payment_id))
        return created

    def _index(self, payment: Payment, provider_payment_id: str) -> ProviderPaymentIndex | None:
        index_id = ProviderPaymentIndex.create_id(provider_payment_id)
        if self._get(ProviderPaymentIndex, index_id) is not None:
            return None
        return ProviderPaymentIndex(provider_payment_id=provider_payment_id, payment_id=payment.id)

    def _save(self, *aggregates: Aggregate | None) -> None:
        try:
            self.save(*aggregates)
        except IntegrityError:
            raise ConcurrentModification("the payment changed meanwhile; retry") from None

    # --- the provider tells us --------------------------------------------------------------

    def apply_provider_event(self, ctx: CommandContext, event: ProviderEvent) -> Payment | None:
        """Apply a verified provider event at most once; events that would move a payment
        backwards, or that name no payment of ours, are ignored (and logged)."""
        for _ in range(3):  # a concurrent change of the same payment is retried
            payment = self._locate(event)
            if payment is None:
                log.info("payment.event_ignored", provider_event=event.event_id, kind=event.kind)
                return None
            try:
                self._apply(payment, event, ctx)
            except (NothingChanged, InvalidTransition) as reason:
                log.info(
                    "payment.event_no_change", provider_event=event.event_id, detail=str(reason)
                )
                return payment
            index = (
                self._index(payment, event.provider_payment_id)
                if event.provider_payment_id
                else None
            )
            try:
                self.save(payment, index)
            except IntegrityError:
                continue
            return payment
        raise ConcurrentModification("the payment kept changing; the provider will retry")

    def _locate(self, event: ProviderEvent) -> Payment | None:
        if event.payment_id is not None:
            payment: Payment | None = self._get(Payment, event.payment_id)
            if payment is not None:
                return payment
        if event.provider_payment_id:
            return self.find_by_provider_id(event.provider_payment_id)
        return None

    def _apply(self, payment: Payment, event: ProviderEvent, ctx: CommandContext) -> None:
        meta = ctx.meta()
        if event.kind == PAYMENT_SUCCEEDED:
            payment.succeed(
                provider_event_id=event.event_id,
                provider_payment_id=event.provider_payment_id or "",
                amount=event.amount if event.amount is not None else payment.amount,
                meta=meta,
            )
        elif event.kind == PAYMENT_FAILED:
            payment.fail(
                provider_event_id=event.event_id, reason=event.reason or "declined", meta=meta
            )
        elif event.kind == PAYMENT_CANCELED:
            payment.expire(reason=event.reason or "cancelled at the provider", meta=meta)
        elif event.kind == REFUND_SUCCEEDED:
            payment.refunded(
                provider_event_id=event.event_id,
                provider_refund_id=event.provider_refund_id or "",
                amount=event.amount if event.amount is not None else payment.paid_amount,
                meta=meta,
            )
        elif event.kind == REFUND_FAILED:
            payment.refund_failed(
                provider_event_id=event.event_id, reason=event.reason or "refund failed", meta=meta
            )
        elif event.kind == REFUND_PENDING and event.provider_refund_id:
            payment.refund_submitted(provider_refund_id=event.provider_refund_id, meta=meta)
        else:
            raise NothingChanged(f"provider events of kind {quoted(event.kind)} change nothing")

    # --- refunds and expiry (policies and jobs) -------------------------------------------

    def execute_refund(self, ctx: CommandContext, payment_id: UUID) -> bool:
        """Carry out a requested refund at the provider and record what it said. Safe to
        repeat: the refund's idempotency key makes the provider return the same refund."""
        payment = self.payment(payment_id)
        if payment.status != REFUND_REQUESTED or payment.refund_id is None:
            return False
        assert payment.provider_payment_id is not None
        try:
            refund = self.deps.provider.refund(
                payment_id=payment.id,
                refund_id=payment.refund_id,
                provider_payment_id=payment.provider_payment_id,
                amount=payment.refund_amount,
                currency=payment.currency,
            )
        except Exception as error:
            log.warning(
                "refund.provider_error", payment=str(payment.id), error=type(error).__name__
            )
            raise PaymentProviderUnavailable("the provider did not take the refund yet") from None
        try:
            if refund.status == "succeeded":
                payment.refunded(
                    provider_event_id="",
                    provider_refund_id=refund.provider_refund_id,
                    amount=payment.refund_amount,
                    meta=ctx.meta(),
                )
            elif refund.status == "failed":
                payment.refund_failed(
                    provider_event_id="", reason="refused by the provider", meta=ctx.meta()
                )
            else:
                payment.refund_submitted(
                    provider_refund_id=refund.provider_refund_id, meta=ctx.meta()
                )
        except (NothingChanged, InvalidTransition):
            return False
        self._save(payment)
        return True

    def expire(self, ctx: CommandContext, payment_id: UUID, *, reason: str) -> bool:
        payment = self.payment(payment_id)
        try:
            payment.expire(reason=reason, meta=ctx.meta())
        except InvalidTransition:
            return False
        self._save(payment)
        return True

    def cancel_at_provider(self, payment_id: UUID) -> None:
        payment = self.payment(payment_id)
        if payment.provider_payment_id:
            try:
                self.deps.provider.cancel(provider_payment_id=payment.provider_payment_id)
            except Exception as error:
                log.info(
                    "payment.cancel_failed", payment=str(payment_id), error=type(error).__name__
                )

    # --- reading and correcting, with authorization -----------------------------------------

    def view(self, principal: Principal, ctx: CommandContext, payment_id: UUID) -> Payment:
        """A payment, for whoever may read its application (the applicant, its agency's
        officers, auditors, admins)."""
        payment = self.payment(payment_id)
        try:
            self.deps.cases.view(principal, ctx, str(payment.application_id), purpose="payment")
        except ApplicationNotFound:  # another citizen's: answered as an unknown payment is
            raise PaymentNotFound(f"no payment {payment_id}") from None
        return payment

    def correct(
        self,
        principal: Principal,
        ctx: CommandContext,
        payment_id: UUID,
        *,
        status: str,
        reason: str,
    ) -> Payment:
        """An administrator's correction of the books: a new event, never an edit."""
        authorize(principal, "payment.correct")
        payment = self.payment(payment_id)
        payment.correct(status=status, reason=reason, meta=ctx.meta())
        self._save(payment)
        return payment
