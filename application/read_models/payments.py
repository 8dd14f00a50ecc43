"""The payments ledger: every payment with its amounts and state, and the day's
reconciliation per agency and service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from application.pagination import Page


@dataclass(frozen=True)
class LedgerEntry:
    payment_id: UUID
    application_id: UUID
    tracking_number: str
    agency_code: str
    service_code: str
    attempt: int
    provider: str
    provider_payment_id: str | None
    amount: int
    currency: str
    status: str
    paid_amount: int
    refunded_amount: int
    provider_refund_id: str | None
    requested_at: datetime
    paid_at: datetime | None
    refunded_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True)
class ReconciliationLine:
    agency_code: str
    service_code: str
    currency: str
    payments: int
    collected: int
    refunds: int
    refunded: int

    @property
    def net(self) -> int:
        return self.collected - self.refunded


class PaymentsLedger(Protocol):
    def entry(self, payment_id: UUID) -> LedgerEntry | None: ...

    def entries(
        self,
        *,
        filters: dict[str, str | None],
        requested_from: date | None = None,
        requested_to: date | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> Page[LedgerEntry]: ...

    def unpaid_before(self, cutoff: datetime, limit: int = 1000) -> list[UUID]: ...

    def reconciliation(self, day: date, agency: str | None = None) -> list[ReconciliationLine]: ...
