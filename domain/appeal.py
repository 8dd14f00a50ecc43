"""Citizens' appeals (murojaat) to the administration, resolved locally.

    filed (routed to the district or city hokimiyat that owns the territory, or higher when
    the subject belongs higher) -> [extended once, with a reason] -> answered -> rated 1-5
    overdue, or answer disputed -> escalated to the regional level -> answered there

The legal term is 15 days from filing, extendable once to 30 days. An escalated appeal gets
a new 15-day term at the higher level.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.agency import AgencyRef
from domain.errors import InvalidInput, InvalidTransition, NothingChanged
from domain.i18n import LANGUAGES
from domain.quoting import quoted
from domain.text import required_text

UNDER_REVIEW = "under_review"
ESCALATED = "escalated"
ANSWERED = "answered"
STATUSES = (UNDER_REVIEW, ESCALATED, ANSWERED)
OPEN = (UNDER_REVIEW, ESCALATED)

TERM_DAYS = 15
EXTENDED_TERM_DAYS = 30
NUMBER = re.compile(r"MJ-\d{4}-\d{7,}")

# What appeals are about, and the level of hokimiyat that owns each subject.
DISTRICT, REGION = "district", "region"
SUBJECTS: dict[str, str] = {
    "application": DISTRICT,  # an application or a decision on it
    "utilities": DISTRICT,
    "housing": DISTRICT,
    "land": DISTRICT,
    "local-roads": DISTRICT,
    "social-support": DISTRICT,
    "education": DISTRICT,
    "healthcare": DISTRICT,
    "public-order": DISTRICT,
    "other": DISTRICT,
    "regional-roads": REGION,
    "public-transport": REGION,
    "environment": REGION,
    "investment": REGION,
}
ESCALATE_OVERDUE, ESCALATE_DISPUTED = "overdue", "disputed"


def subject_level(subject: str) -> str:
    level = SUBJECTS.get(subject)
    if level is None:
        raise InvalidInput(f"subject must be one of {', '.join(sorted(SUBJECTS))}")
    return level


class Appeal(Aggregate):
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

    class Extended(Aggregate.Event):
        officer: str
        reason: str
        due_date: str
        meta: dict[str, str]

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
    ) -> Appeal:
        if not NUMBER.fullmatch(number):
            raise InvalidInput(f"an appeal number looks like MJ-2026-0000123, not {quoted(number)}")
        subject_level(subject)
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
            "due_date": (today + timedelta(days=TERM_DAYS)).isoformat(),
            "status": UNDER_REVIEW,
            "meta": meta,
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
    ) -> None:
        self.number = number
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
        self.escalated_to: AgencyRef | None = None
        self.deadline_breached = False
        self.disputed = False
        self.answer: dict[str, Any] | None = None
        self.rating: int | None = None

    # --- who handles it ---------------------------------------------------------------------

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

    def extend(self, *, officer: str, reason: str, meta: dict[str, str]) -> None:
        """Once, with a reason: the term becomes 30 days from filing."""
        self._require("an extension", *OPEN)
        if self.extended:
            raise InvalidTransition(
                f"appeal {self.number}'s term was already extended once", state=self.status
            )
        if self.escalated_to is not None:
            raise InvalidTransition(
                f"appeal {self.number} was escalated; its new term cannot be extended",
                state=self.status,
            )
        self._extended(
            officer=officer,
            reason=required_text("reason", reason),
            due_date=(self.filed_on + timedelta(days=EXTENDED_TERM_DAYS)).isoformat(),
            meta=meta,
        )

    @event(Extended)
    def _extended(self, officer: str, reason: str, due_date: str, meta: dict[str, str]) -> None:
        self.extended = True
        self.extension_reason = reason
        self.due_date = date.fromisoformat(due_date)

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
        self, *, today: date, escalate_to: AgencyRef | None, meta: dict[str, str]
    ) -> None:
        """Past its term and unanswered: recorded once, and escalated to the higher level
        when there is one (which gets a new 15-day term)."""
        if self.status not in OPEN or today <= self.due_date or self.deadline_breached:
            raise NothingChanged(f"appeal {self.number} is within its term or not open")
        self._deadline_breached(
            due_date=self.due_date.isoformat(), detected_on=today.isoformat(), meta=meta
        )
        if escalate_to is not None and self.escalated_to is None:
            self._escalate(escalate_to, ESCALATE_OVERDUE, today, meta)

    @event(DeadlineBreached)
    def _deadline_breached(self, due_date: str, detected_on: str, meta: dict[str, str]) -> None:
        self.deadline_breached = True

    def _escalate(self, to: AgencyRef, reason: str, today: date, meta: dict[str, str]) -> None:
        self._escalated(
            to_agency_id=to.id,
            to_agency_code=to.code,
            reason=reason,
            escalated_on=today.isoformat(),
            due_date=(today + timedelta(days=TERM_DAYS)).isoformat(),
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

    # --- the citizen's side -----------------------------------------------------------------

    def dispute(
        self,
        *,
        reason: str,
        today: date,
        escalate_to: AgencyRef | None,
        meta: dict[str, str],
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
        self._escalate(escalate_to, ESCALATE_DISPUTED, today, meta)

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
