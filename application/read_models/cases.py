"""The read models over cases: the citizen's applications and appeals, the officers' work
queue and the decisions register."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from application.pagination import Page
from domain import appeal as appeal_statuses
from domain import application_statuses
from domain import inter_agency as request_statuses


@dataclass(frozen=True)
class CitizenApplicationRow:
    id: str
    tracking_number: str
    service_code: str
    service_version: int
    territory: str
    agency_code: str | None
    status: str
    fee_amount: int | None
    fee_currency: str | None
    due_date: date | None
    registration_number: str | None
    outcome: str | None
    submitted_at: datetime
    updated_at: datetime
    payment_id: UUID | None = None  # the latest payment attempt, if one was made
    payment_status: str | None = None  # its status (domain.payment.STATUSES)


@dataclass(frozen=True)
class CitizenAppealRow:
    id: UUID
    number: str
    subject: str
    territory: str
    agency_code: str
    escalated_to: str | None
    status: str
    due_date: date
    application_id: UUID | None
    rating: int | None
    filed_at: datetime
    updated_at: datetime


# What the applications summary can be grouped by.
SUMMARY_GROUPS = ("agency", "service", "status", "territory", "month")


class CitizenApplications(Protocol):
    """The citizen's applications and appeals, keyed by the applicant's pseudonym."""

    def for_applicant(
        self,
        applicant_ref: str,
        *,
        status: str | None = None,
        cursor: str | None = None,
        limit: int = 20,
    ) -> Page[CitizenApplicationRow]: ...

    def appeals_for_applicant(
        self, applicant_ref: str, *, cursor: str | None = None, limit: int = 20
    ) -> Page[CitizenAppealRow]: ...

    def ids_for_applicant(self, applicant_ref: str) -> list[str]: ...

    def summary(
        self,
        group_by: list[str],
        *,
        filters: dict[str, str | None],
        submitted_from: date | None = None,
        submitted_to: date | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> Page[dict[str, Any]]: ...


# The open statuses of the work in a queue: applications once paid (an unpaid one is not
# the agency's work yet), appeals and requests not yet answered.
QUEUE_STATUSES = (
    *(s for s in application_statuses.OPEN if s != application_statuses.AWAITING_PAYMENT),
    *appeal_statuses.OPEN,
    *request_statuses.AWAITING,
)
KINDS = ("application", "appeal", "inter_agency_request")


@dataclass(frozen=True)
class QueueItem:
    id: UUID
    kind: str
    tracking_number: str
    service_code: str
    territory: str
    agency_code: str | None
    escalated_to: str | None
    status: str
    assignee: str | None
    due_date: date | None
    deadline_breached: bool
    submitted_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class QueueFilter:
    agency: str
    statuses: tuple[str, ...] = QUEUE_STATUSES
    service: str | None = None
    kind: str | None = None
    assignee: str | None = None
    due_within_days: int | None = None  # due on or before today + N days
    overdue: bool | None = None


class OfficerQueue(Protocol):
    """The work of each agency: applications, appeals and inter-agency requests."""

    def queue(
        self, filters: QueueFilter, *, today: date, cursor: str | None = None, limit: int = 20
    ) -> Page[QueueItem]: ...

    def overdue_cases(self, today: date, limit: int = 1000) -> list[tuple[UUID, str]]: ...

    def open_cases(self, kind: str = "application") -> list[UUID]: ...


@dataclass(frozen=True)
class DecisionEntry:
    registration_number: str
    decision_id: UUID
    application_id: UUID
    agency_code: str
    service_code: str
    service_version: int
    outcome: str
    status: str
    decided_at: datetime
    pdf_sha256: str | None
    html_sha256: str | None


class DecisionsRegister(Protocol):
    """Registered decisions, newest first; no personal data."""

    def entries(
        self,
        *,
        agency: str | None = None,
        service: str | None = None,
        outcome: str | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Page[DecisionEntry]: ...
