"""Shapes of the read models integrators page through."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from application.read_models.payments import LedgerEntry


class SummaryRow(BaseModel):
    agency: str | None = Field(None, description="agency code (null: not yet routed)")
    service: str | None = None
    status: str | None = None
    territory: str | None = Field(None, description="SOATO code")
    month: str | None = Field(None, description="month of submission in Uzbekistan, YYYY-MM")
    applications: int
    fees_assessed: int = Field(description="fees assessed, in minor units (UZS tiyin)")

    @classmethod
    def of(cls, row: dict[str, Any]) -> SummaryRow:
        return cls(**row)


class SummaryPage(BaseModel):
    items: list[SummaryRow]
    next: str | None


class LedgerRow(BaseModel):
    payment_id: UUID
    application_id: UUID
    tracking_number: str
    agency_code: str
    service_code: str
    attempt: int
    provider: str
    amount: int = Field(description="minor units")
    currency: str
    status: str
    paid_amount: int
    refunded_amount: int
    requested_at: datetime
    paid_at: datetime | None
    refunded_at: datetime | None
    updated_at: datetime

    @classmethod
    def of(cls, entry: LedgerEntry) -> LedgerRow:
        return cls.model_validate(entry, from_attributes=True)


class LedgerPage(BaseModel):
    items: list[LedgerRow]
    next: str | None
