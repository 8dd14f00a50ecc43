"""ServiceApplication's commands on the work on the case, from acceptance to closing.

An officer accepts the case (or releases it), asks the citizen for information, decides and
issues the result; the citizen provides the information asked for or withdraws; the case
is closed at the end. Each command checks the case's state (``domain/application_rules.py``,
the term's arithmetic in ``domain/due_dates.py``) and records its events through the
aggregate's ``@event`` methods (``domain/service_application.py``), which is where the
state changes.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain.application_rules import check_acceptance, check_outcome, check_result_documents
from domain.application_statuses import (
    AWAITING_INFORMATION,
    CANCELLED,
    CLOSED,
    DECIDED,
    IN_REVIEW,
    OPEN,
    QUEUED,
    RESULT_ISSUED,
    WITHDRAWN,
)
from domain.calendar import WorkingCalendar
from domain.case_state import CaseState
from domain.due_dates import term_due_date, working_days_taken
from domain.text import required_text


class CaseHandling:
    """The officer's work on the case, the citizen's answers and withdrawal, and closing
    (a mixin of ServiceApplication)."""

    def accept(self: CaseState, *, officer: str, meta: dict[str, str]) -> None:
        """An officer takes the case; others cannot act on it until it is released."""
        self._require("acceptance", QUEUED, IN_REVIEW, AWAITING_INFORMATION)
        check_acceptance(self.tracking_number, self.status, self.assignee, officer)
        self._accepted(
            officer=officer, status=IN_REVIEW if self.status == QUEUED else self.status, meta=meta
        )

    def release(self: CaseState, *, officer: str, meta: dict[str, str]) -> None:
        self._require("releasing", IN_REVIEW, AWAITING_INFORMATION)
        self._require_assignee(officer, "releasing it")
        self._assignment_released(
            officer=officer, status=QUEUED if self.status == IN_REVIEW else self.status, meta=meta
        )

    def request_information(
        self: CaseState, *, officer: str, message: str, today: date, meta: dict[str, str]
    ) -> None:
        """Ask the citizen for information; the legal term pauses until it is provided."""
        self._require("requesting information", IN_REVIEW)
        self._require_assignee(officer, "requesting information")
        self._information_requested(
            officer=officer,
            message=required_text("message", message),
            requested_on=today.isoformat(),
            status=AWAITING_INFORMATION,
            meta=meta,
        )

    def provide_information(
        self: CaseState,
        *,
        message: str,
        form: dict[str, Any],
        today: date,
        calendar: WorkingCalendar,
        meta: dict[str, str],
    ) -> None:
        """The citizen answers (and may correct form fields); the term resumes, extended by
        the working days it was paused."""
        self._require("providing information", AWAITING_INFORMATION)
        assert self.paused_since is not None
        paused = calendar.working_days_between(self.paused_since, today)
        assert self.clock_started_on is not None
        due = term_due_date(
            calendar,
            self.clock_started_on,
            self.term_working_days,
            self.paused_working_days + paused,
        )
        self._information_provided(
            message=required_text("message", message),
            form=dict(form),
            provided_on=today.isoformat(),
            paused_working_days=paused,
            due_date=due.isoformat(),
            status=IN_REVIEW if self.assignee is not None else QUEUED,
            meta=meta,
        )

    def decide(
        self: CaseState,
        *,
        officer: str,
        outcome: str,
        decision_id: UUID,
        registration_number: str,
        today: date,
        calendar: WorkingCalendar,
        meta: dict[str, str],
    ) -> None:
        """Decide; the event records the working days the agency took (from the clock's
        start, the days it waited for the citizen left out) and whether the term was kept."""
        self._require("a decision", IN_REVIEW)
        self._require_assignee(officer, "deciding")
        check_outcome(outcome)
        started = self.clock_started_on or today
        taken = working_days_taken(calendar, started, today, self.paused_working_days)
        self._decided(
            decision_id=decision_id,
            registration_number=registration_number,
            outcome=outcome,
            officer=officer,
            decided_on=today.isoformat(),
            working_days_taken=taken,
            within_term=self.due_date is None or today <= self.due_date,
            status=DECIDED,
            meta=meta,
        )

    def issue_result(self: CaseState, *, documents: dict[str, str], meta: dict[str, str]) -> None:
        """Record the result documents' hashes; the citizen can download them now."""
        self._require("issuing the result", DECIDED)
        check_result_documents(documents)
        assert self.decision_id is not None
        assert self.registration_number is not None
        self._result_issued(
            decision_id=self.decision_id,
            registration_number=self.registration_number,
            documents=dict(documents),
            status=RESULT_ISSUED,
            meta=meta,
        )

    def withdraw(self: CaseState, *, reason: str, meta: dict[str, str]) -> None:
        self._require("withdrawal", *OPEN)
        self._withdrawn(
            reason=required_text("reason", reason, 1000),
            before_acceptance=not self.was_accepted,
            status=WITHDRAWN,
            meta=meta,
        )

    def close(self: CaseState, *, reason: str, meta: dict[str, str]) -> None:
        self._require("closing", RESULT_ISSUED, WITHDRAWN, CANCELLED)
        self._closed(reason=required_text("reason", reason, 1000), status=CLOSED, meta=meta)
