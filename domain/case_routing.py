"""ServiceApplication's commands from routing to the legal term's end: the system's.

The case is routed to its agency, its fee assessed and paid (or, unpaid, cancelled); its
legal term then runs, follows the holiday calendar, and a breach of it is recorded and
escalated. Each command checks the case's state (``domain/application_rules.py``, the term's
arithmetic in ``domain/due_dates.py``) and records its events through the aggregate's
``@event`` methods (``domain/service_application.py``), which is where the state changes.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.agency import AgencyRef
from domain.application_rules import breached_due_date
from domain.application_statuses import (
    AWAITING_INFORMATION,
    AWAITING_PAYMENT,
    CANCELLED,
    IN_REVIEW,
    QUEUED,
    SUBMITTED,
)
from domain.calendar import WorkingCalendar
from domain.case_state import CaseState
from domain.due_dates import term_due_date
from domain.errors import NothingChanged
from domain.text import required_text


class CaseRouting:
    """Routing, the fee and the legal term (a mixin of ServiceApplication)."""

    def route(
        self: CaseState,
        *,
        agency: AgencyRef,
        term_working_days: int,
        fee: tuple[int, str, dict[str, str] | None],
        today: date,
        calendar: WorkingCalendar,
        meta: dict[str, str],
    ) -> None:
        """Send the application to its agency. A fee owed holds it until paid; otherwise it is
        queued and its legal term starts today."""
        self._require("routing", SUBMITTED)
        self._routed(
            agency_id=agency.id,
            agency_code=agency.code,
            term_working_days=term_working_days,
            status=AWAITING_PAYMENT,
            meta=meta,
        )
        amount, currency, exemption = fee
        if amount > 0 or exemption is not None:
            self._fee_assessed(
                amount=amount,
                currency=currency,
                assessed_on=today.isoformat(),
                exemption=exemption,
                meta=meta,
            )
        if amount == 0:
            self._start_clock(today, calendar, meta)

    def _start_clock(
        self: CaseState, today: date, calendar: WorkingCalendar, meta: dict[str, str]
    ) -> None:
        due = term_due_date(calendar, today, self.term_working_days, 0)
        self._clock_started(
            started_on=today.isoformat(), due_date=due.isoformat(), status=QUEUED, meta=meta
        )

    def confirm_payment(
        self: CaseState,
        *,
        payment_id: UUID,
        amount: int,
        today: date,
        calendar: WorkingCalendar,
        meta: dict[str, str],
    ) -> None:
        """The fee is paid: the case joins the queue and its legal term starts today. A
        payment that arrives when the case no longer waits for one is recorded as not
        expected, so that it is refunded."""
        if self.paid_by == payment_id:
            raise NothingChanged(f"payment {payment_id} is already recorded")
        if self.status != AWAITING_PAYMENT:
            self._payment_not_expected(
                payment_id=payment_id,
                reason=f"the application was {self.status} when the payment arrived",
                meta=meta,
            )
            return
        self._paid(payment_id=payment_id, amount=amount, paid_on=today.isoformat(), meta=meta)
        self._start_clock(today, calendar, meta)

    def cancel(self: CaseState, *, reason: str, meta: dict[str, str]) -> None:
        """The fee was not paid in time: the application ends without a decision."""
        self._require("cancellation", AWAITING_PAYMENT)
        self._cancelled(reason=required_text("reason", reason, 1000), status=CANCELLED, meta=meta)

    def recompute_due_date(
        self: CaseState, *, calendar: WorkingCalendar, meta: dict[str, str]
    ) -> None:
        """Follow a change of the holiday calendar (open cases whose clock has started)."""
        self._require("recomputing the due date", QUEUED, IN_REVIEW, AWAITING_INFORMATION)
        if self.clock_started_on is None:
            raise NothingChanged(f"the clock of {self.tracking_number} has not started")
        due = term_due_date(
            calendar, self.clock_started_on, self.term_working_days, self.paused_working_days
        )
        if due == self.due_date:
            raise NothingChanged(f"the due date of {self.tracking_number} stays {due}")
        self._due_date_recomputed(due_date=due.isoformat(), meta=meta)

    def check_deadline(
        self: CaseState, *, today: date, escalate_to: AgencyRef | None, meta: dict[str, str]
    ) -> None:
        """Record a breach of the legal term (and escalate to the parent agency) once."""
        self._require("a deadline breach", QUEUED, IN_REVIEW)
        due = breached_due_date(self.tracking_number, self.deadline_breached, self.due_date, today)
        self._deadline_breached(due_date=due.isoformat(), detected_on=today.isoformat(), meta=meta)
        if escalate_to is not None:
            self._escalated(to_agency_id=escalate_to.id, to_agency_code=escalate_to.code, meta=meta)
