"""Ports: what the application needs from the outside world, as Protocols."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from application.result_facts import GrantedFact, ValidityPeriod
from domain.agency import AgencyRef
from domain.calendar import DeclaredDay


class Clock(Protocol):
    """Time comes in through this port, so tests can pin it."""

    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...

    def today(self) -> date:
        """Today's date in Uzbekistan (UTC+5, no daylight saving)."""
        ...


class HolidaySource(Protocol):
    """A country's days off and working weekends by year, each with its act (a maintained
    calendar such as the ``holidays`` package, plus the decrees it lacks)."""

    @property
    def years(self) -> range:
        """The years it has a decreed calendar for."""
        ...

    def days_off(self, year: int) -> list[DeclaredDay]:
        """The year's holidays and working weekends, by date; raises
        ``domain.errors.CalendarYearNotCovered`` for a year outside ``years``."""
        ...


class NumberSequence(Protocol):
    """Gap-tolerant, strictly unique numbers (tracking and registration numbers)."""

    def next_value(self, name: str) -> int: ...


class BlobStore(Protocol):
    """Content-addressed bytes: attachments and result documents, found by their sha256."""

    def put(self, content: bytes) -> str:
        """Store ``content`` (idempotently) and return its sha256 in hex."""
        ...

    def get(self, sha256: str) -> bytes | None:
        """The bytes whose sha256 is ``sha256``, None if none are stored; raises
        ``domain.errors.StoredFileDamaged`` rather than return bytes that fail their checks."""
        ...


class AgencyDirectory(Protocol):
    """Which agency serves what: the catalogue's agencies by kind, level and territory."""

    def responsible_agency(self, kind: str, level: str, territory: str) -> AgencyRef | None:
        """The agency of ``kind`` at ``level`` whose territory contains ``territory``."""
        ...

    def agency_ref(self, agency_id: UUID) -> AgencyRef | None: ...

    def agency_by_code(self, code: str) -> AgencyRef | None: ...

    def agency_names(self, agency_id: UUID) -> dict[str, str] | None: ...

    def agency_details(self, agency_id: UUID) -> AgencyDetails | None:
        """The agency's names with its parent agency's and its territory's, for documents."""
        ...


@dataclass(frozen=True)
class AgencyDetails:
    names: dict[str, str]
    parent_names: dict[str, str] | None  # None: it has no parent agency
    territory_code: str
    territory_names: dict[str, str] | None


@dataclass(frozen=True)
class ResultData:
    """What a result document states (texts already in the applicant's language)."""

    language: str
    outcome: str
    registration_number: str
    verification_code: str
    decided_at: datetime
    tracking_number: str
    service_name: str
    agency_name: str
    officer: str  # the deciding officer's account id
    applicant_name: str
    applicant_pinfl_masked: str
    reasons: str
    legal_basis: str
    result_kind: str = "decision"  # the service's: certificate, permit, licence, ...
    granted: tuple[GrantedFact, ...] = ()  # what an approval grants; none for a refusal
    validity: ValidityPeriod | None = None  # an approved permit's or licence's
    officer_name: str | None = None  # None: the officer's token carried no name
    officer_position: str | None = None
    agency_parent_name: str | None = None
    agency_territory_name: str | None = None


class ResultRenderer(Protocol):
    """Renders a decision's result document; returns bytes by format (``pdf``, ``html``)."""

    def render(self, data: ResultData) -> dict[str, bytes]: ...


@dataclass(frozen=True)
class AccessEntry:
    """A read of personal data (or of a verification), on the record."""

    actor: str
    role: str
    action: str  # e.g. "application.read", "result.download", "decision.verify"
    subject_kind: str  # "application", "decision"
    subject_id: str
    purpose: str
    correlation_id: str


class AccessLog(Protocol):
    def record(self, entry: AccessEntry) -> None: ...


# --- payments -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderPayment:
    """The provider's side of a payment: what the citizen's client needs to pay."""

    provider_payment_id: str
    status: str
    client_secret: str | None = None  # Stripe: for stripe.js on the citizen's device
    confirmation_url: str | None = None  # sandbox: the page where one pays or declines


@dataclass(frozen=True)
class ProviderRefund:
    provider_refund_id: str
    status: str  # succeeded | pending | failed


PAYMENT_SUCCEEDED = "payment_succeeded"
PAYMENT_FAILED = "payment_failed"
PAYMENT_CANCELED = "payment_canceled"
REFUND_SUCCEEDED = "refund_succeeded"
REFUND_FAILED = "refund_failed"
REFUND_PENDING = "refund_pending"


@dataclass(frozen=True)
class ProviderEvent:
    """A provider's notification (a verified webhook), in the provider's terms."""

    event_id: str
    kind: str  # one of the constants above
    payment_id: UUID | None  # ours, from the provider payment's metadata
    provider_payment_id: str | None
    amount: int | None = None
    provider_refund_id: str | None = None
    reason: str = ""


class PaymentProvider(Protocol):
    """A payment service provider. Calls carry idempotency keys derived from our ids, so a
    call repeated after a crash takes no second charge and makes no second refund."""

    name: str

    def create_payment(
        self, *, payment_id: UUID, amount: int, currency: str, description: str
    ) -> ProviderPayment: ...

    def resume_payment(self, *, payment_id: UUID, provider_payment_id: str) -> ProviderPayment: ...

    def refund(
        self,
        *,
        payment_id: UUID,
        refund_id: UUID,
        provider_payment_id: str,
        amount: int,
        currency: str,
    ) -> ProviderRefund: ...

    def cancel(self, *, provider_payment_id: str) -> None: ...


# --- audit ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArchivedEvent:
    """A stored event as an auditor sees it: where it sits, its stored bytes, and (when it
    still decrypts) its payload."""

    stream: str
    position: int
    aggregate_id: UUID
    version: int
    topic: str
    type: str
    timestamp: datetime | None
    meta: dict[str, str]
    payload: dict[str, object] | None
    stored_state: bytes


@dataclass(frozen=True)
class AccessRecord:
    at: datetime
    entry: AccessEntry
    id: int


class AccessQueries(Protocol):
    def for_subjects(
        self, subject_ids: list[str], *, after: int, limit: int
    ) -> list[AccessRecord]: ...

    def by_actor(self, actor: str, *, after: int, limit: int) -> list[AccessRecord]: ...


class AccessRecords(AccessLog, AccessQueries, Protocol):
    """The access log as the composition root holds it: written by the cases, read by
    the audit."""


@dataclass(frozen=True)
class Notice:
    """One status change told to one recipient (a citizen by pseudonym, or an agency)."""

    id: int
    recipient_kind: str  # "citizen" | "agency"
    recipient: str  # applicant_ref or agency code
    subject_kind: str  # "appeal" | "inter_agency_request"
    subject_id: UUID
    number: str
    status: str
    created_at: datetime


class Notifier(Protocol):
    def send(self, notice: Notice) -> None:
        """Deliver a notice (SMS, e-mail, the portal's inbox...); raise to retry later."""
        ...


# --- what the jobs read and drive ---------------------------------------------------------


class DueWork(Protocol):
    """Open work with a legal term (the officer queue's read model)."""

    def overdue_cases(self, today: date) -> list[tuple[UUID, str]]:
        """Open work past its due date whose breach is not yet recorded: (id, kind), kind
        ``application``, ``appeal`` or ``inter_agency_request``."""
        ...

    def open_cases(self) -> list[UUID]:
        """Applications whose legal term is running or paused."""
        ...


class UnpaidPayments(Protocol):
    """The payments ledger's read model, as the expiry job reads it."""

    def unpaid_before(self, cutoff: datetime) -> list[UUID]:
        """Payments still awaiting the money that were requested before ``cutoff``."""
        ...


class NoticeOutbox(Protocol):
    """Status-change notices waiting to be delivered (the notifications read model)."""

    def unsent(self) -> list[Notice]: ...

    def mark_sent(self, notice_id: int, at: datetime) -> None: ...


class SealedHeads(Protocol):
    @property
    def heads(self) -> Mapping[str, Any]: ...


class Sealer(Protocol):
    """Seals the heads of the audit chains that grew since the last seal."""

    def seal(self) -> SealedHeads | None:
        """The seal made, or None when no chain grew."""
        ...


class RequestKeyPurger(Protocol):
    """The HTTP layer's remembered Idempotency-Key responses."""

    def purge(self, older_than: timedelta) -> int:
        """Forget responses older than ``older_than``; the number forgotten."""
        ...
