"""Citizens' appeals (murojaat) to the administration, resolved locally.

    filed (routed to the district or city hokimiyat that owns the territory, or higher when
    the subject belongs higher) -> [extended for study] -> [extended by the head] ->
    answered -> rated 1-5
    overdue, or answer disputed -> escalated to the regional level -> answered there

An appeal is a statement, a complaint (an appeal against a decision is one) or a proposal,
with the terms of the Law on appeals, art. 28 (``domain.appeal_terms``, which also holds the
extension commands). An escalated appeal gets a new first term at the higher level.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import appeal_terms as terms
from domain.agency import AgencyRef
from domain.appeal_subjects import DISTRICT, REGION, SUBJECTS, subject_level
from domain.appeal_terms import DEFAULT_KIND, appeal_kind
from domain.calendar import WorkingCalendar
from domain.errors import InvalidInput, InvalidTransition, NothingChanged
from domain.i18n import LANGUAGES
from domain.quoting import quoted
from domain.text import required_text

UNDER_REVIEW = "under_review"
ESCALATED = "escalated"
ANSWERED = "answered"
STATUSES = (UNDER_REVIEW, ESCALATED, ANSWERED)
OPEN = (UNDER_REVIEW, ESCALATED)

NUMBER = re.compile(r"MJ-\d{4}-\d{7,}")
__all__ = ["DISTRICT", "REGION", "SUBJECTS", "Appeal", "subject_level"]

ESCALATE_OVERDUE, ESCALATE_DISPUTED = "overdue", "disputed"


class Appeal(Aggregate, terms.ExtensionCommands):
    """A citizen's appeal: who owns it, by when it must be answered, the answer, the rating."""

    id: UUID  # derived from its number, so either finds it

    class Filed(Aggregate.Created):
        number: str
        applicant: str
        applicant_ref: str
        territory: str
        subject: str
        text: str
        language: str
        application_id: UUID | None
        decision_id: UUID | None
        agency_id: UUID
        agency_code: str
        filed_on: str
        due_date: str
        status: str
        meta: dict[str, str]
        kind: str = DEFAULT_KIND  # appeals filed before kinds are complaints

    class Extended(Aggregate.Event):
        """Extended for study: up to one month from filing (art. 28, part 1)."""

        officer: str
        reason: str
        due_date: str
        meta: dict[str, str]

    class HeadExtended(Extended):
        """Extended by the head of the body by one more month (art. 28, part 2); a kind of
        extension, so whatever follows extensions (due dates, the notice) follows it."""

        position: str | None = None

    class Answered(Aggregate.Event):
        officer: str
        agency_code: str
        text: str
        answered_on: str
        on_time: bool
        status: str
        meta: dict[str, str]

    class Disputed(Aggregate.Event):
        reason: str
        disputed_on: str
        meta: dict[str, str]

    class Escalated(Aggregate.Event):
        to_agency_id: UUID
        to_agency_code: str
        reason: str
        escalated_on: str
        due_date: str
        status: str
        meta: dict[str, str]

    class DeadlineBreached(Aggregate.Event):
        due_date: str
        detected_on: str
        meta: dict[str, str]

    class Rated(Aggregate.Event):
        rating: int
        meta: dict[str, str]

    # --- filing -----------------------------------------------------------------------------

    @classmethod
    def file(
        cls,
        *,
        appeal_id: UUID,
        number: str,
        applicant: str,
        applicant_ref: str,
        territory: str,
        subject: str,
        text: str,
        language: str,
        application_id: UUID | None,
        decision_id: UUID | None,
        agency: AgencyRef,
        today: date,
        meta: dict[str, str],
        kind: str = DEFAULT_KIND,
        calendar: WorkingCalendar | None = None,
    ) -> Appeal:
        if not NUMBER.fullmatch(number):
            raise InvalidInput(f"an appeal number looks like MJ-2026-0000123, not {quoted(number)}")
        subject_level(subject)
        appeal_kind(kind)
        if language not in LANGUAGES:
            raise InvalidInput(f"language must be one of {', '.join(LANGUAGES)}")
        fields: dict[str, Any] = {
            "id": appeal_id,
            "number": number,
            "applicant": applicant,
            "applicant_ref": applicant_ref,
            "territory": territory,
            "subject": subject,
            "text": required_text("text", text, limit=10000),
            "language": language,
            "application_id": application_id,
            "decision_id": decision_id,
            "agency_id": agency.id,
            "agency_code": agency.code,
            "filed_on": today.isoformat(),
            "due_date": terms.due(
                calendar or WorkingCalendar(), terms.first_term_end(kind, today)
            ).isoformat(),
            "status": UNDER_REVIEW,
            "meta": meta,
            "kind": kind,
        }
        return cls(**fields)

    @event(Filed)
    def __init__(
        self,
        number: str,
        applicant: str,
        applicant_ref: str,
        territory: str,
        subject: str,
        text: str,
        language: str,
        application_id: UUID | None,
        decision_id: UUID | None,
        agency_id: UUID,
        agency_code: str,
        filed_on: str,
        due_date: str,
        status: str,
        meta: dict[str, str],
        kind: str = DEFAULT_KIND,
    ) -> None:
        self.number = number
        self.kind = kind
        self.term = terms.first_term(kind)
        self.applicant = applicant
        self.applicant_ref = applicant_ref
        self.territory = territory
        self.subject = subject
        self.text = text
        self.language = language
        self.application_id = application_id
        self.decision_id = decision_id
        self.agency = AgencyRef(agency_id, agency_code)
        self.filed_on = date.fromisoformat(filed_on)
        self.due_date = date.fromisoformat(due_date)
        self.status = status
        self.extended = False
        self.extension_reason: str | None = None
        self.head_extended = False
        self.head_extension_reason: str | None = None
        self.escalated_to: AgencyRef | None = None
        self.deadline_breached = False
        self.disputed = False
        self.answer: dict[str, Any] | None = None
        self.rating: int | None = None

    # --- who handles it ---------------------------------------------------------------------

    @property
    def escalated(self) -> bool:
        return self.escalated_to is not None

    @property
    def handling_agency(self) -> AgencyRef:
        """The agency that must answer now: the one escalated to, else the one filed with."""
        return self.escalated_to or self.agency

    def _require(self, action: str, *allowed: str) -> None:
        if self.status not in allowed:
            raise InvalidTransition(
                f"appeal {self.number} is {self.status}; {action} is allowed only when it is "
                f"{' or '.join(allowed)}",
                state=self.status,
            )

    # --- the agency's side ------------------------------------------------------------------

    @event(Extended)
    def _extended(self, officer: str, reason: str, due_date: str, meta: dict[str, str]) -> None:
        self.extended = True
        self.extension_reason = reason
        self.due_date = date.fromisoformat(due_date)
        self.term = terms.TERM_STUDY

    @event(HeadExtended)
    def _head_extended(
        self,
        officer: str,
        reason: str,
        due_date: str,
        meta: dict[str, str],
        position: str | None = None,
    ) -> None:
        self.head_extended = True
        self.head_extension_reason = reason
        self.due_date = date.fromisoformat(due_date)
        self.term = terms.TERM_HEAD_EXTENSION

    def answer_appeal(
        self, *, officer: str, agency_code: str, text: str, today: date, meta: dict[str, str]
    ) -> None:
        self._require("an answer", *OPEN)
        self._answered(
            officer=officer,
            agency_code=agency_code,
            text=required_text("text", text, limit=10000),
            answered_on=today.isoformat(),
            on_time=today <= self.due_date,
            status=ANSWERED,
            meta=meta,
        )

    @event(Answered)
    def _answered(
        self,
        officer: str,
        agency_code: str,
        text: str,
        answered_on: str,
        on_time: bool,
        status: str,
        meta: dict[str, str],
    ) -> None:
        self.answer = {
            "officer": officer,
            "agency_code": agency_code,
            "text": text,
            "answered_on": answered_on,
            "on_time": on_time,
        }
        self.status = status

    def check_deadline(
        self,
        *,
        today: date,
        escalate_to: AgencyRef | None,
        meta: dict[str, str],
        calendar: WorkingCalendar | None = None,
    ) -> None:
        """Past its term and unanswered: recorded once, and escalated to the higher level
        when there is one (which gets a new first term)."""
        if self.status not in OPEN or today <= self.due_date or self.deadline_breached:
            raise NothingChanged(f"appeal {self.number} is within its term or not open")
        self._deadline_breached(
            due_date=self.due_date.isoformat(), detected_on=today.isoformat(), meta=meta
        )
        if escalate_to is not None and self.escalated_to is None:
            self._escalate(escalate_to, ESCALATE_OVERDUE, today, meta, calendar)

    @event(DeadlineBreached)
    def _deadline_breached(self, due_date: str, detected_on: str, meta: dict[str, str]) -> None:
        self.deadline_breached = True

    def _escalate(
        self,
        to: AgencyRef,
        reason: str,
        today: date,
        meta: dict[str, str],
        calendar: WorkingCalendar | None,
    ) -> None:
        end = terms.first_term_end(self.kind, today)
        self._escalated(
            to_agency_id=to.id,
            to_agency_code=to.code,
            reason=reason,
            escalated_on=today.isoformat(),
            due_date=terms.due(calendar or WorkingCalendar(), end).isoformat(),
            status=ESCALATED,
            meta=meta,
        )

    @event(Escalated)
    def _escalated(
        self,
        to_agency_id: UUID,
        to_agency_code: str,
        reason: str,
        escalated_on: str,
        due_date: str,
        status: str,
        meta: dict[str, str],
    ) -> None:
        self.escalated_to = AgencyRef(to_agency_id, to_agency_code)
        self.due_date = date.fromisoformat(due_date)
        self.deadline_breached = False  # a new term at the new level
        self.status = status
        self.term = terms.TERM_ESCALATED

    # --- the citizen's side -----------------------------------------------------------------

    def dispute(
        self,
        *,
        reason: str,
        today: date,
        escalate_to: AgencyRef | None,
        meta: dict[str, str],
        calendar: WorkingCalendar | None = None,
    ) -> None:
        """The citizen disputes the answer: the appeal goes to the higher level (once)."""
        self._require("a dispute", ANSWERED)
        if self.disputed:
            raise InvalidTransition(
                f"appeal {self.number}'s answer was already disputed once", state=self.status
            )
        if self.rating is not None:
            raise InvalidTransition(
                f"appeal {self.number}'s answer was rated; it can no longer be disputed",
                state=self.status,
            )
        if escalate_to is None:
            raise InvalidTransition(
                f"appeal {self.number} was answered at the highest level it can reach here",
                state=self.status,
            )
        self._disputed(
            reason=required_text("reason", reason), disputed_on=today.isoformat(), meta=meta
        )
        self._escalate(escalate_to, ESCALATE_DISPUTED, today, meta, calendar)

    @event(Disputed)
    def _disputed(self, reason: str, disputed_on: str, meta: dict[str, str]) -> None:
        self.disputed = True

    def rate(self, *, rating: int, meta: dict[str, str]) -> None:
        self._require("a rating", ANSWERED)
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise InvalidInput("rating must be a whole number from 1 to 5")
        if self.rating is not None:
            raise InvalidTransition(f"appeal {self.number} was already rated", state=self.status)
        self._rated(rating=rating, meta=meta)

    @event(Rated)
    def _rated(self, rating: int, meta: dict[str, str]) -> None:
        self.rating = rating
