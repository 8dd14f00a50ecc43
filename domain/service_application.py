"""Applications for a service (the case), from submission to result.

    submitted -> routed (agency, legal term) -> [fee assessed -> paid] -> queued
    queued -> accepted by an officer (assigned) -> information requested <-> provided
           -> decided -> result issued -> closed
    withdrawn by the citizen before a decision; deadline breached -> escalated

The legal term runs in working days from the day the clock starts (submission, or payment
for paid services) and pauses while the agency waits for the citizen's information.
Every refused transition raises a named error that says which state forbids it.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.agency import AgencyRef
from domain.application_rules import check_submission, require_assignee, require_status
from domain.application_statuses import OPEN, SUBMITTED
from domain.attachment import Attachment
from domain.case_handling import CaseHandling
from domain.case_routing import CaseRouting


class ServiceApplication(CaseRouting, CaseHandling, Aggregate):
    """A citizen's application for a service: the case an agency works on.

    Its state and the ``@event`` methods that change it are here, with the event classes
    (their topics are ``domain.service_application:ServiceApplication.<Event>``); the
    commands come from the mixins: routing, the fee and the legal term from ``CaseRouting``
    (``domain/case_routing.py``), the work on the case to its closing from ``CaseHandling``
    (``domain/case_handling.py``)."""

    id: UUID  # given at submission (derived from an idempotency key when there is one)

    class Submitted(Aggregate.Created):
        tracking_number: str
        service_code: str
        service_version: int
        applicant: str
        applicant_ref: str
        applicant_name: str | None
        language: str
        territory: str
        form: dict[str, Any]
        attachments: list[dict[str, Any]]
        meta: dict[str, str]

    class Routed(Aggregate.Event):
        agency_id: UUID
        agency_code: str
        term_working_days: int
        status: str
        meta: dict[str, str]

    class FeeAssessed(Aggregate.Event):
        amount: int
        currency: str
        assessed_on: str
        exemption: dict[str, str] | None
        meta: dict[str, str]

    class Paid(Aggregate.Event):
        payment_id: UUID
        amount: int
        paid_on: str
        meta: dict[str, str]

    class PaymentNotExpected(Aggregate.Event):
        payment_id: UUID
        reason: str
        meta: dict[str, str]

    class Cancelled(Aggregate.Event):
        reason: str
        status: str
        meta: dict[str, str]

    class ClockStarted(Aggregate.Event):
        started_on: str
        due_date: str
        status: str
        meta: dict[str, str]

    class Accepted(Aggregate.Event):
        officer: str
        status: str
        meta: dict[str, str]

    class AssignmentReleased(Aggregate.Event):
        officer: str
        status: str
        meta: dict[str, str]

    class InformationRequested(Aggregate.Event):
        officer: str
        message: str
        requested_on: str
        status: str
        meta: dict[str, str]

    class InformationProvided(Aggregate.Event):
        message: str
        form: dict[str, Any]
        provided_on: str
        paused_working_days: int
        due_date: str
        status: str
        meta: dict[str, str]

    class DueDateRecomputed(Aggregate.Event):
        due_date: str
        meta: dict[str, str]

    class DeadlineBreached(Aggregate.Event):
        due_date: str
        detected_on: str
        meta: dict[str, str]

    class Escalated(Aggregate.Event):
        to_agency_id: UUID
        to_agency_code: str
        meta: dict[str, str]

    class Decided(Aggregate.Event):
        decision_id: UUID
        registration_number: str
        outcome: str
        officer: str
        decided_on: str
        working_days_taken: int  # from the clock's start, pauses excluded
        within_term: bool
        status: str
        meta: dict[str, str]

    class ResultIssued(Aggregate.Event):
        decision_id: UUID
        registration_number: str
        documents: dict[str, str]
        status: str
        meta: dict[str, str]

    class Withdrawn(Aggregate.Event):
        reason: str
        before_acceptance: bool
        status: str
        meta: dict[str, str]

    class Closed(Aggregate.Event):
        reason: str
        status: str
        meta: dict[str, str]

    # --- creation ---------------------------------------------------------------------------

    @classmethod
    def submit(
        cls,
        *,
        application_id: UUID,
        tracking_number: str,
        service_code: str,
        service_version: int,
        applicant: str,
        applicant_ref: str,
        applicant_name: str | None,
        language: str,
        territory: str,
        form: dict[str, Any],
        attachments: list[Attachment],
        meta: dict[str, str],
    ) -> ServiceApplication:
        check_submission(tracking_number, language)
        fields: dict[str, Any] = {
            "id": application_id,
            "tracking_number": tracking_number,
            "service_code": service_code,
            "service_version": service_version,
            "applicant": applicant,
            "applicant_ref": applicant_ref,
            "applicant_name": applicant_name,
            "language": language,
            "territory": territory,
            "form": dict(form),
            "attachments": [a.to_dict() for a in attachments],
            "meta": meta,
        }
        return cls(**fields)

    @event(Submitted)
    def __init__(
        self,
        tracking_number: str,
        service_code: str,
        service_version: int,
        applicant: str,
        applicant_ref: str,
        applicant_name: str | None,
        language: str,
        territory: str,
        form: dict[str, Any],
        attachments: list[dict[str, Any]],
        meta: dict[str, str],
    ) -> None:
        self.tracking_number = tracking_number
        self.service_code = service_code
        self.service_version = service_version
        self.applicant = applicant
        self.applicant_ref = applicant_ref
        self.applicant_name = applicant_name
        self.language = language
        self.territory = territory
        self.form = dict(form)
        self.attachments = [Attachment.from_dict(a) for a in attachments]
        self.status = SUBMITTED
        self.agency: AgencyRef | None = None
        self.term_working_days = 0
        self.fee: tuple[int, str] | None = None
        self.clock_started_on: date | None = None
        self.paused_since: date | None = None
        self.paused_working_days = 0
        self.due_date: date | None = None
        self.assignee: str | None = None
        self.deadline_breached = False
        self.escalated_to: AgencyRef | None = None
        self.decision_id: UUID | None = None
        self.registration_number: str | None = None
        self.outcome: str | None = None
        self.documents: dict[str, str] = {}
        self.information_requests: list[dict[str, str]] = []
        self.exemption: dict[str, str] | None = None
        self.paid_by: UUID | None = None
        self.was_accepted = False

    # --- guards -----------------------------------------------------------------------------

    def _require(self, action: str, *allowed: str) -> None:
        require_status(self.tracking_number, self.status, action, allowed)

    def _require_assignee(self, officer: str, action: str) -> None:
        require_assignee(self.tracking_number, self.status, self.assignee, officer, action)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    # --- routing, fee and the legal term: events (commands in CaseRouting) -----------------

    @event(Routed)
    def _routed(
        self,
        agency_id: UUID,
        agency_code: str,
        term_working_days: int,
        status: str,
        meta: dict[str, str],
    ) -> None:
        self.agency = AgencyRef(agency_id, agency_code)
        self.term_working_days = term_working_days
        self.status = status

    @event(FeeAssessed)
    def _fee_assessed(
        self,
        amount: int,
        currency: str,
        assessed_on: str,
        exemption: dict[str, str] | None,
        meta: dict[str, str],
    ) -> None:
        self.fee = (amount, currency)
        self.exemption = exemption

    @event(Paid)
    def _paid(self, payment_id: UUID, amount: int, paid_on: str, meta: dict[str, str]) -> None:
        self.paid_by = payment_id

    @event(PaymentNotExpected)
    def _payment_not_expected(self, payment_id: UUID, reason: str, meta: dict[str, str]) -> None:
        pass

    @event(Cancelled)
    def _cancelled(self, reason: str, status: str, meta: dict[str, str]) -> None:
        self.status = status

    @event(ClockStarted)
    def _clock_started(
        self, started_on: str, due_date: str, status: str, meta: dict[str, str]
    ) -> None:
        self.clock_started_on = date.fromisoformat(started_on)
        self.due_date = date.fromisoformat(due_date)
        self.status = status

    @event(DueDateRecomputed)
    def _due_date_recomputed(self, due_date: str, meta: dict[str, str]) -> None:
        self.due_date = date.fromisoformat(due_date)

    @event(DeadlineBreached)
    def _deadline_breached(self, due_date: str, detected_on: str, meta: dict[str, str]) -> None:
        self.deadline_breached = True

    @event(Escalated)
    def _escalated(self, to_agency_id: UUID, to_agency_code: str, meta: dict[str, str]) -> None:
        self.escalated_to = AgencyRef(to_agency_id, to_agency_code)

    # --- officer's work: events (commands in CaseHandling) ----------------------------------

    @event(Accepted)
    def _accepted(self, officer: str, status: str, meta: dict[str, str]) -> None:
        self.assignee = officer
        self.status = status
        self.was_accepted = True

    @event(AssignmentReleased)
    def _assignment_released(self, officer: str, status: str, meta: dict[str, str]) -> None:
        self.assignee = None
        self.status = status

    @event(InformationRequested)
    def _information_requested(
        self, officer: str, message: str, requested_on: str, status: str, meta: dict[str, str]
    ) -> None:
        self.paused_since = date.fromisoformat(requested_on)
        self.status = status
        self.information_requests.append({"message": message, "requested_on": requested_on})

    @event(InformationProvided)
    def _information_provided(
        self,
        message: str,
        form: dict[str, Any],
        provided_on: str,
        paused_working_days: int,
        due_date: str,
        status: str,
        meta: dict[str, str],
    ) -> None:
        self.form.update(form)
        self.paused_working_days += paused_working_days
        self.paused_since = None
        self.due_date = date.fromisoformat(due_date)
        self.status = status
        if self.information_requests:
            self.information_requests[-1] = {
                **self.information_requests[-1],
                "answer": message,
                "provided_on": provided_on,
            }

    @event(Decided)
    def _decided(
        self,
        decision_id: UUID,
        registration_number: str,
        outcome: str,
        officer: str,
        decided_on: str,
        working_days_taken: int,
        within_term: bool,
        status: str,
        meta: dict[str, str],
    ) -> None:
        self.decision_id = decision_id
        self.registration_number = registration_number
        self.outcome = outcome
        self.status = status

    @event(ResultIssued)
    def _result_issued(
        self,
        decision_id: UUID,
        registration_number: str,
        documents: dict[str, str],
        status: str,
        meta: dict[str, str],
    ) -> None:
        self.documents = dict(documents)
        self.status = status

    # --- citizen's withdrawal and closing: events (commands in CaseHandling) -----------------

    @event(Withdrawn)
    def _withdrawn(
        self, reason: str, before_acceptance: bool, status: str, meta: dict[str, str]
    ) -> None:
        self.status = status
        self.assignee = None

    @event(Closed)
    def _closed(self, reason: str, status: str, meta: dict[str, str]) -> None:
        self.status = status
