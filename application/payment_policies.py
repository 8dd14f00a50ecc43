"""Process policies between cases and payments, each applied exactly once.

Each policy is an eventsourcing process application writing to the events table of the
context it changes, with its tracking position in the same transaction: the new events and
the position commit together, so a crash neither loses a reaction nor repeats it.

- ``CasesFollowPayments`` (writes cases): a succeeded payment queues its case and starts its
  legal term (or, when the case no longer waits, is marked as not expected); an expired
  payment cancels a case still waiting for it.
- ``PaymentsFollowCases`` (writes payments): a rejection, or a withdrawal before acceptance,
  refunds the fee when the service's refund rule says so; a payment that was not expected
  is refunded; a withdrawn or cancelled case's unfinished payments expire.

Calls to the provider are not made here: the requested refund is an event, carried out by
the refund executor afterwards.
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent
from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import JSONTranscoder
from eventsourcing.projection import EventSourcedProjection
from eventsourcing.utils import get_topic

from application.ports import Clock
from application.transcodings import register_case_transcodings
from domain.application_statuses import REJECTED
from domain.calendar import HolidayCalendar, WorkingCalendar
from domain.context import CommandContext
from domain.errors import InvalidTransition, NothingChanged
from domain.payment import AWAITING, Payment
from domain.service_application import ServiceApplication

POLICY = CommandContext(actor="system:policy", role="system", correlation_id="policy")


class _Policy(EventSourcedProjection[UUID]):
    clock: ClassVar[Clock | None] = None
    calendar_source: ClassVar[Any] = None  # something with find(HolidayCalendar, id)

    @classmethod
    def bind(cls, *, clock: Clock, calendar_source: Any) -> type[Any]:
        """This policy with its adapters (the runner constructs policies from a class)."""
        # ``name`` is restated: eventsourcing names a subclass after itself otherwise, and the
        # name picks the tables the policy writes to.
        return type(
            cls.__name__,
            (cls,),
            {"name": cls.name, "clock": clock, "calendar_source": calendar_source},
        )

    def _get(self, cls: type[Any], aggregate_id: UUID) -> Any:
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, cls) else None

    def _meta(self, domain_event: Any) -> dict[str, str]:
        meta = dict(POLICY.meta())
        upstream = getattr(domain_event, "meta", None) or {}
        meta["correlation_id"] = upstream.get("correlation_id", POLICY.correlation_id)
        return meta


class CasesFollowPayments(_Policy):
    name = "Cases"  # it writes the cases' events table, with the cases' cipher
    topics = (get_topic(Payment.Succeeded), get_topic(Payment.Expired))

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_case_transcodings(transcoder)  # it reads the cases' snapshots

    @singledispatchmethod
    def policy(self, domain_event: Any, processing_event: ProcessingEvent[UUID]) -> None:
        """Other payment events need nothing from the cases."""

    @policy.register
    def _paid(self, e: Payment.Succeeded, processing_event: ProcessingEvent[UUID]) -> None:
        application = self._get(ServiceApplication, e.application_id)
        if application is None:
            return
        assert self.clock is not None
        try:
            application.confirm_payment(
                payment_id=e.originator_id,
                amount=e.amount,
                today=self.clock.today(),
                calendar=self._calendar(),
                meta=self._meta(e),
            )
        except NothingChanged:
            return
        processing_event.collect_events(application)

    @policy.register
    def _expired(self, e: Payment.Expired, processing_event: ProcessingEvent[UUID]) -> None:
        application = self._get(ServiceApplication, e.application_id)
        if application is None:
            return
        try:
            application.cancel(reason=f"the fee was not paid: {e.reason}", meta=self._meta(e))
        except InvalidTransition:
            return  # paid by another attempt, withdrawn, or already cancelled
        processing_event.collect_events(application)

    def _calendar(self) -> WorkingCalendar:
        found = self.calendar_source.find(HolidayCalendar, HolidayCalendar.create_id())
        return found.working_calendar if found is not None else WorkingCalendar()


class PaymentsFollowCases(_Policy):
    name = "Payments"  # it writes the payments' events table
    topics = (
        get_topic(ServiceApplication.Decided),
        get_topic(ServiceApplication.Withdrawn),
        get_topic(ServiceApplication.Cancelled),
        get_topic(ServiceApplication.PaymentNotExpected),
    )

    @singledispatchmethod
    def policy(self, domain_event: Any, processing_event: ProcessingEvent[UUID]) -> None:
        """Other case events need nothing from the payments."""

    @policy.register
    def _decided(
        self, e: ServiceApplication.Decided, processing_event: ProcessingEvent[UUID]
    ) -> None:
        if e.outcome == REJECTED:
            self._refund(
                e.originator_id, "rejection", "the application was rejected", processing_event, e
            )

    @policy.register
    def _withdrawn(
        self, e: ServiceApplication.Withdrawn, processing_event: ProcessingEvent[UUID]
    ) -> None:
        self._expire_unfinished(
            e.originator_id, "the application was withdrawn", processing_event, e
        )
        if e.before_acceptance:
            self._refund(
                e.originator_id,
                "withdrawal_before_acceptance",
                "the application was withdrawn before an officer accepted it",
                processing_event,
                e,
            )

    @policy.register
    def _cancelled(
        self, e: ServiceApplication.Cancelled, processing_event: ProcessingEvent[UUID]
    ) -> None:
        self._expire_unfinished(
            e.originator_id, "the application was cancelled", processing_event, e
        )

    @policy.register
    def _unexpected(
        self, e: ServiceApplication.PaymentNotExpected, processing_event: ProcessingEvent[UUID]
    ) -> None:
        payment = self._get(Payment, e.payment_id)
        if payment is None:
            return
        try:
            payment.request_refund(reason=f"payment not expected: {e.reason}", meta=self._meta(e))
        except (NothingChanged, InvalidTransition):
            return
        processing_event.collect_events(payment)

    def _attempts(self, application_id: UUID) -> list[Payment]:
        found = []
        attempt = 1
        while payment := self._get(Payment, Payment.create_id(application_id, attempt)):
            found.append(payment)
            attempt += 1
        return found

    def _refund(
        self,
        application_id: UUID,
        occasion: str,
        reason: str,
        processing_event: ProcessingEvent[UUID],
        e: Any,
    ) -> None:
        for payment in self._attempts(application_id):
            if occasion not in payment.refund_on:
                continue
            try:
                payment.request_refund(reason=reason, meta=self._meta(e))
            except (NothingChanged, InvalidTransition):
                continue
            processing_event.collect_events(payment)

    def _expire_unfinished(
        self,
        application_id: UUID,
        reason: str,
        processing_event: ProcessingEvent[UUID],
        e: Any,
    ) -> None:
        for payment in self._attempts(application_id):
            if payment.status in AWAITING:
                payment.expire(reason=reason, meta=self._meta(e))
                processing_event.collect_events(payment)
