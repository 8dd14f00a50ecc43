"""The system's jobs: what the scheduler in infrastructure runs, periodically or when an
event asks for it. Each finds what is due through a port and runs a command per item,
idempotently, as ``SYSTEM``; running one twice (after a crash, or on two workers) records
nothing twice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from application.appeals import Appeals
from application.case_attached import parent_of, record_deadline
from application.cases import Cases
from application.inter_agency import InterAgency
from application.payments import Payments
from application.ports import (
    AgencyDirectory,
    Clock,
    DueWork,
    NoticeOutbox,
    Notifier,
    RequestKeyPurger,
    Sealer,
    UnpaidPayments,
)
from domain.calendar import HolidayCalendar, WorkingCalendar
from domain.context import CommandContext
from domain.errors import InvalidTransition, NothingChanged
from domain.payment import Payment
from domain.service_application import ServiceApplication

SYSTEM = CommandContext(actor="system:worker", role="system", correlation_id="worker")

# The catalogue's events after which open cases' due dates follow the calendar.
CALENDAR_CHANGES = (
    get_topic(HolidayCalendar.HolidayDeclared),
    get_topic(HolidayCalendar.HolidayWithdrawn),
    get_topic(HolidayCalendar.WorkingWeekendDeclared),
    get_topic(HolidayCalendar.WorkingWeekendWithdrawn),
)
# The payments' events whose outcome is carried out at the provider.
PROVIDER_ORDERS = (get_topic(Payment.RefundRequested), get_topic(Payment.Expired))


class Jobs:
    """Deadlines, calendar changes, payment expiry and provider orders, notices, audit
    seals and the purge of remembered Idempotency-Keys."""

    def __init__(
        self,
        cases: Cases,
        *,
        appeals: Appeals,
        inter_agency: InterAgency,
        payments: Payments,
        directory: AgencyDirectory,
        clock: Clock,
        due_work: DueWork,
        unpaid: UnpaidPayments,
        outbox: NoticeOutbox,
        notifier: Notifier,
        sealer: Sealer,
        request_keys: RequestKeyPurger,
        payment_expiry: timedelta,
        request_key_ttl: timedelta,
    ) -> None:
        self.cases = cases
        self.appeals = appeals
        self.inter_agency = inter_agency
        self.payments = payments
        self.directory = directory
        self.clock = clock
        self.due_work = due_work
        self.unpaid = unpaid
        self.outbox = outbox
        self.notifier = notifier
        self.sealer = sealer
        self.request_keys = request_keys
        self.payment_expiry = payment_expiry
        self.request_key_ttl = request_key_ttl

    # --- one case ---------------------------------------------------------------------------

    def check_deadline(self, ctx: CommandContext, application_id: UUID) -> bool:
        """Record a breach of the legal term and escalate to the parent agency; False when
        there is nothing to record (within term, already recorded, no longer open)."""
        application = self.cases.find(ServiceApplication, application_id)
        if application is None or application.agency is None:
            return False
        parent = parent_of(self.directory, application.agency.id)
        return record_deadline(
            self.cases, ctx, application, today=self.clock.today(), escalate_to=parent
        )

    def recompute_due_date(
        self, ctx: CommandContext, application_id: UUID, calendar: WorkingCalendar
    ) -> bool:
        """Follow a holiday calendar change; False when the due date stays."""
        application = self.cases.find(ServiceApplication, application_id)
        if application is None:
            return False
        try:
            application.recompute_due_date(calendar=calendar, meta=ctx.meta())
        except (NothingChanged, InvalidTransition):
            return False
        self.cases.store(application)
        return True

    # --- the scheduled jobs -------------------------------------------------------------------

    def check_deadlines(self) -> int:
        """Record breaches of legal terms (and escalations) of applications, appeals and
        inter-agency requests; the number recorded."""
        checks = {
            "application": self.check_deadline,
            "appeal": self.appeals.check_deadline,
            "inter_agency_request": self.inter_agency.check_deadline,
        }
        overdue = self.due_work.overdue_cases(self.clock.today())
        return sum(checks[kind](SYSTEM, case_id) for case_id, kind in overdue)

    def follow_calendar(self) -> int:
        """Move open cases' due dates after a change of the holiday calendar (recomputing
        is idempotent, so a replay after a crash is harmless)."""
        calendar = self.cases.working_calendar()
        return sum(
            self.recompute_due_date(SYSTEM, case_id, calendar)
            for case_id in self.due_work.open_cases()
        )

    def expire_unpaid(self) -> int:
        """Expire payments not made in time; a policy then cancels their applications."""
        cutoff = self.clock.now() - self.payment_expiry
        return sum(
            self.payments.expire(SYSTEM, payment_id, reason="not paid in time")
            for payment_id in self.unpaid.unpaid_before(cutoff)
        )

    def carry_out_at_provider(self, domain_event: Any) -> None:
        """Carry out what the payments record: a requested refund is made at the provider
        (its idempotency key makes a repeat after a crash harmless) and an expired payment
        is cancelled there. At least once, and idempotent."""
        if isinstance(domain_event, Payment.RefundRequested):
            self.payments.execute_refund(SYSTEM, domain_event.originator_id)
        elif isinstance(domain_event, Payment.Expired):
            self.payments.cancel_at_provider(domain_event.originator_id)

    def deliver_notifications(self) -> int:
        """Hand unsent notices to the notifier; each is marked sent once delivered."""
        sent = 0
        for notice in self.outbox.unsent():
            self.notifier.send(notice)
            self.outbox.mark_sent(notice.id, self.clock.now())
            sent += 1
        return sent

    def seal_audit_chains(self) -> int:
        """Seal the heads of the chains that grew since the last seal."""
        seal = self.sealer.seal()
        return len(seal.heads) if seal else 0

    def purge_idempotency_keys(self) -> int:
        """Forget remembered Idempotency-Key responses past their time to live."""
        return self.request_keys.purge(self.request_key_ttl)
