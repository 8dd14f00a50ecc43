"""Inter-agency requests: inside a case, an officer asks another agency for data instead of
sending the citizen from office to office.

    requested (purpose and legal basis required; term in working days)
        -> answered (structured data and/or a document, its hash recorded)
        -> refused (with a reason)
        -> overdue after its term -> escalated to the receiving agency's parent
           (still answerable, by the receiving agency or the parent)
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.agency import AgencyRef
from domain.calendar import WorkingCalendar
from domain.errors import InvalidInput, InvalidTransition, NothingChanged
from domain.quoting import quoted
from domain.text import required_text

OPEN = "open"
OVERDUE = "overdue"
ANSWERED = "answered"
REFUSED = "refused"
STATUSES = (OPEN, OVERDUE, ANSWERED, REFUSED)
AWAITING = (OPEN, OVERDUE)

DEFAULT_TERM_WORKING_DAYS = 5
MAX_TERM_WORKING_DAYS = 30
NUMBER = re.compile(r"IA-\d{4}-\d{7,}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


class InterAgencyRequest(Aggregate):
    id: UUID  # derived from its number, so either finds it

    class Requested(Aggregate.Created):
        number: str
        application_id: UUID
        tracking_number: str
        service_code: str
        territory: str
        from_agency_id: UUID
        from_agency_code: str
        to_agency_id: UUID
        to_agency_code: str
        officer: str
        requested_data: str
        purpose: str
        legal_basis: str
        term_working_days: int
        requested_on: str
        due_date: str
        status: str
        meta: dict[str, str]

    class Answered(Aggregate.Event):
        officer: str
        agency_code: str
        data: dict[str, Any]
        document_sha256: str | None
        answered_on: str
        on_time: bool
        status: str
        meta: dict[str, str]

    class Refused(Aggregate.Event):
        officer: str
        agency_code: str
        reason: str
        refused_on: str
        status: str
        meta: dict[str, str]

    class Escalated(Aggregate.Event):
        to_agency_id: UUID
        to_agency_code: str
        detected_on: str
        status: str
        meta: dict[str, str]

    @classmethod
    def request(
        cls,
        *,
        request_id: UUID,
        number: str,
        application_id: UUID,
        tracking_number: str,
        service_code: str,
        territory: str,
        from_agency: AgencyRef,
        to_agency: AgencyRef,
        officer: str,
        requested_data: str,
        purpose: str,
        legal_basis: str,
        term_working_days: int,
        today: date,
        calendar: WorkingCalendar,
        meta: dict[str, str],
    ) -> InterAgencyRequest:
        if not NUMBER.fullmatch(number):
            raise InvalidInput(f"a request number looks like IA-2026-0000123, not {quoted(number)}")
        if from_agency.id == to_agency.id:
            raise InvalidInput("an agency does not send an inter-agency request to itself")
        if (
            isinstance(term_working_days, bool)
            or not isinstance(term_working_days, int)
            or not 1 <= term_working_days <= MAX_TERM_WORKING_DAYS
        ):
            raise InvalidInput(
                f"term_working_days must be a whole number from 1 to {MAX_TERM_WORKING_DAYS}"
            )
        fields: dict[str, Any] = {
            "id": request_id,
            "number": number,
            "application_id": application_id,
            "tracking_number": tracking_number,
            "service_code": service_code,
            "territory": territory,
            "from_agency_id": from_agency.id,
            "from_agency_code": from_agency.code,
            "to_agency_id": to_agency.id,
            "to_agency_code": to_agency.code,
            "officer": officer,
            "requested_data": required_text("requested_data", requested_data),
            "purpose": required_text("purpose", purpose),
            "legal_basis": required_text("legal_basis", legal_basis, limit=1000),
            "term_working_days": term_working_days,
            "requested_on": today.isoformat(),
            "due_date": calendar.add_working_days(today, term_working_days).isoformat(),
            "status": OPEN,
            "meta": meta,
        }
        return cls(**fields)

    @event(Requested)
    def __init__(
        self,
        number: str,
        application_id: UUID,
        tracking_number: str,
        service_code: str,
        territory: str,
        from_agency_id: UUID,
        from_agency_code: str,
        to_agency_id: UUID,
        to_agency_code: str,
        officer: str,
        requested_data: str,
        purpose: str,
        legal_basis: str,
        term_working_days: int,
        requested_on: str,
        due_date: str,
        status: str,
        meta: dict[str, str],
    ) -> None:
        self.number = number
        self.application_id = application_id
        self.tracking_number = tracking_number
        self.service_code = service_code
        self.territory = territory
        self.from_agency = AgencyRef(from_agency_id, from_agency_code)
        self.to_agency = AgencyRef(to_agency_id, to_agency_code)
        self.officer = officer
        self.requested_data = requested_data
        self.purpose = purpose
        self.legal_basis = legal_basis
        self.term_working_days = term_working_days
        self.requested_on = date.fromisoformat(requested_on)
        self.due_date = date.fromisoformat(due_date)
        self.status = status
        self.escalated_to: AgencyRef | None = None
        self.answer: dict[str, Any] | None = None
        self.refusal: dict[str, str] | None = None

    def involves(self, agency_code: str) -> bool:
        """The agencies that may read it: the requesting, the receiving and (once it is
        escalated) the receiving agency's parent."""
        codes = {self.from_agency.code, self.to_agency.code}
        if self.escalated_to is not None:
            codes.add(self.escalated_to.code)
        return agency_code in codes

    def may_answer(self, agency_code: str) -> bool:
        return agency_code == self.to_agency.code or (
            self.escalated_to is not None and agency_code == self.escalated_to.code
        )

    def _require_awaiting(self, action: str) -> None:
        if self.status not in AWAITING:
            raise InvalidTransition(
                f"request {self.number} is {self.status}; {action} is allowed only while it "
                f"is {' or '.join(AWAITING)}",
                state=self.status,
            )

    def answer_request(
        self,
        *,
        officer: str,
        agency_code: str,
        data: dict[str, Any],
        document_sha256: str | None,
        today: date,
        meta: dict[str, str],
    ) -> None:
        self._require_awaiting("an answer")
        if not data and document_sha256 is None:
            raise InvalidInput("an answer carries data, a document, or both")
        if document_sha256 is not None and not _SHA256.fullmatch(document_sha256):
            raise InvalidInput("a document is recorded by its sha256 (64 lowercase hex digits)")
        self._answered(
            officer=officer,
            agency_code=agency_code,
            data=dict(data),
            document_sha256=document_sha256,
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
        data: dict[str, Any],
        document_sha256: str | None,
        answered_on: str,
        on_time: bool,
        status: str,
        meta: dict[str, str],
    ) -> None:
        self.answer = {
            "officer": officer,
            "agency_code": agency_code,
            "data": data,
            "document_sha256": document_sha256,
            "answered_on": answered_on,
            "on_time": on_time,
        }
        self.status = status

    def refuse(
        self, *, officer: str, agency_code: str, reason: str, today: date, meta: dict[str, str]
    ) -> None:
        self._require_awaiting("a refusal")
        self._refused(
            officer=officer,
            agency_code=agency_code,
            reason=required_text("reason", reason),
            refused_on=today.isoformat(),
            status=REFUSED,
            meta=meta,
        )

    @event(Refused)
    def _refused(
        self,
        officer: str,
        agency_code: str,
        reason: str,
        refused_on: str,
        status: str,
        meta: dict[str, str],
    ) -> None:
        self.refusal = {
            "officer": officer,
            "agency_code": agency_code,
            "reason": reason,
            "refused_on": refused_on,
        }
        self.status = status

    def check_deadline(
        self, *, today: date, escalate_to: AgencyRef | None, meta: dict[str, str]
    ) -> None:
        """Past its term and unanswered: overdue, escalated to the receiving agency's parent
        (recorded once)."""
        if self.status != OPEN or today <= self.due_date:
            raise NothingChanged(f"request {self.number} is within its term or not open")
        target = escalate_to or self.to_agency
        self._escalated(
            to_agency_id=target.id,
            to_agency_code=target.code,
            detected_on=today.isoformat(),
            status=OVERDUE,
            meta=meta,
        )

    @event(Escalated)
    def _escalated(
        self,
        to_agency_id: UUID,
        to_agency_code: str,
        detected_on: str,
        status: str,
        meta: dict[str, str],
    ) -> None:
        if to_agency_id != self.to_agency.id:
            self.escalated_to = AgencyRef(to_agency_id, to_agency_code)
        self.status = status
