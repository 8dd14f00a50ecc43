"""Shapes of payments, receipts and reconciliation."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.vocabularies import PaymentStatus
from application.ports import ProviderPayment
from application.read_models.payments import LedgerEntry, ReconciliationLine
from domain.payment import Payment


class PaymentOut(BaseModel):
    id: UUID
    application_id: UUID
    tracking_number: str
    attempt: int
    status: PaymentStatus
    amount: int = Field(description="minor units (tiyin)", examples=[20600000])
    currency: str = Field(examples=["UZS"])
    provider: Literal["stripe", "sandbox"]
    provider_payment_id: str | None = Field(description="e.g. the Stripe PaymentIntent id")
    client_secret: str | None = Field(
        None, description="Stripe: give it to stripe.js on the citizen's device to pay"
    )
    confirmation_url: str | None = Field(
        None, description="sandbox: the page where the citizen pays or declines"
    )
    receipt: str = Field(description="the receipt's address (JSON; add ?format=pdf)")

    @classmethod
    def of(cls, payment: Payment, provider: ProviderPayment | None = None) -> PaymentOut:
        return cls(
            id=payment.id,
            application_id=payment.application_id,
            tracking_number=payment.tracking_number,
            attempt=payment.attempt,
            status=payment.status,
            amount=payment.amount,
            currency=payment.currency,
            provider=payment.provider,
            provider_payment_id=payment.provider_payment_id,
            client_secret=provider.client_secret if provider else None,
            confirmation_url=provider.confirmation_url if provider else None,
            receipt=f"/v1/payments/{payment.id}/receipt",
        )


class ReceiptOut(BaseModel):
    payment_id: UUID
    tracking_number: str
    service_code: str
    agency_code: str
    status: str
    amount: int
    paid_amount: int
    refunded_amount: int
    currency: str
    provider: str
    provider_payment_id: str | None
    provider_refund_id: str | None
    requested_at: datetime
    paid_at: datetime | None
    refunded_at: datetime | None

    @classmethod
    def of(cls, entry: LedgerEntry) -> ReceiptOut:
        return cls(
            payment_id=entry.payment_id,
            tracking_number=entry.tracking_number,
            service_code=entry.service_code,
            agency_code=entry.agency_code,
            status=entry.status,
            amount=entry.amount,
            paid_amount=entry.paid_amount,
            refunded_amount=entry.refunded_amount,
            currency=entry.currency,
            provider=entry.provider,
            provider_payment_id=entry.provider_payment_id,
            provider_refund_id=entry.provider_refund_id,
            requested_at=entry.requested_at,
            paid_at=entry.paid_at,
            refunded_at=entry.refunded_at,
        )


class ReconciliationLineOut(BaseModel):
    agency_code: str
    service_code: str
    currency: str
    payments: int = Field(description="payments taken on the day")
    collected: int = Field(description="minor units taken on the day")
    refunds: int = Field(description="refunds made on the day")
    refunded: int = Field(description="minor units returned on the day")
    net: int

    @classmethod
    def of(cls, line: ReconciliationLine) -> ReconciliationLineOut:
        return cls(
            agency_code=line.agency_code,
            service_code=line.service_code,
            currency=line.currency,
            payments=line.payments,
            collected=line.collected,
            refunds=line.refunds,
            refunded=line.refunded,
            net=line.net,
        )


class ReconciliationTotal(BaseModel):
    currency: str
    collected: int
    refunded: int
    net: int


class ReconciliationOut(BaseModel):
    date: dt.date = Field(description="the day in Uzbekistan (UTC+5)")
    agency: str | None
    lines: list[ReconciliationLineOut]
    totals: list[ReconciliationTotal]


class SandboxOutcomeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["succeeded", "failed"]


class CorrectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: PaymentStatus
    reason: str = Field(min_length=1, max_length=1000)
