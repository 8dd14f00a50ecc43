"""Shapes of applications, decisions and the queue."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.schemas.vocabularies import (
    ApplicationStatus,
    AttachmentType,
    DecisionStatus,
    FeeStatus,
    Language,
    Outcome,
    QueueItemStatus,
    QueueKind,
)
from application.attachments import AttachmentUpload
from application.principal import Principal
from application.read_models.cases import CitizenApplicationRow, DecisionEntry, QueueItem
from domain.application_statuses import AWAITING_PAYMENT
from domain.decision import Decision
from domain.fee_status import fee_status
from domain.identity import CITIZEN
from domain.payment import Payment
from domain.service_application import ServiceApplication


class AttachmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document: str = Field(
        max_length=64,
        description="the required document's code, or `other`",
        examples=["medical-birth-certificate"],
    )
    filename: str = Field(max_length=200, examples=["certificate.pdf"])
    content_type: AttachmentType
    content_base64: str = Field(description="the file, base64-encoded (at most 5 MiB decoded)")

    @field_validator("content_base64")
    @classmethod
    def _is_base64(cls, value: str) -> str:
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("is not valid base64") from None
        return value

    def upload(self) -> AttachmentUpload:
        return AttachmentUpload(
            self.document, self.filename, self.content_type, base64.b64decode(self.content_base64)
        )


class SubmissionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "service_code": "birth-registration",
                    "territory": "1703202",
                    "form": {"child_full_name": "…", "child_birth_date": "2026-11-01"},
                    "language": "uz-Latn",
                }
            ]
        },
    )

    service_code: str = Field(max_length=64)
    territory: str = Field(pattern=r"^\d{2}(\d{2}(\d{3})?)?$", description="SOATO code")
    form: dict[str, Any] = Field(description="filled in per GET /v1/services/{code}/form")
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=10)
    language: Language = Field("uz-Latn", description="language of the result document and notices")
    exemption: str | None = Field(
        None,
        max_length=64,
        description="a fee exemption category of the service the applicant claims (its code)",
    )


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: str = Field(min_length=1, max_length=4000)


class InformationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: str = Field(min_length=1, max_length=4000)
    form: dict[str, Any] | None = Field(None, description="changed form fields, if any")


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field("withdrawn by the applicant", min_length=1, max_length=1000)


class DecisionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "outcome": "approved",
                    "reasons": "All documents are in order.",
                    "legal_basis": "Law 'On civil status acts', article 12",
                }
            ]
        },
    )
    outcome: Outcome
    reasons: str = Field(min_length=1, max_length=10000)
    legal_basis: str = Field(min_length=1, max_length=2000)


class AttachmentOut(BaseModel):
    document: str
    filename: str
    content_type: str
    size: int
    sha256: str


class ApplicationPaymentOut(BaseModel):
    status: FeeStatus = Field(
        description="the fee's state: not_required (free), exempt, pending (owed), paid, "
        "failed or expired (the latest attempt; pay again while the case waits), "
        "refund_pending, refunded, refund_failed, unpaid (never paid, no longer owed)"
    )
    amount: int = Field(description="minor units (tiyin)")
    currency: str
    payment_id: UUID | None = Field(None, description="the latest payment attempt")
    exemption: dict[str, str] | None = Field(
        None, description="the exemption category and its legal basis, when exempt"
    )

    @classmethod
    def of(cls, application: ServiceApplication, payment: Payment | None) -> ApplicationPaymentOut:
        amount, currency = application.fee or (0, "UZS")
        return cls(
            status=fee_status(
                amount=amount,
                exempt=application.exemption is not None,
                payment_status=payment.status if payment else None,
                awaiting_payment=application.status == AWAITING_PAYMENT,
            ),
            amount=amount,
            currency=currency,
            payment_id=payment.id if payment else None,
            exemption=application.exemption if amount == 0 else None,
        )


class DecisionOut(BaseModel):
    registration_number: str
    outcome: Outcome
    verification_code: str | None = Field(
        description="to verify the result document (shown to the applicant and officers)"
    )
    result: dict[str, str] = Field(description="download links by format (pdf, html)")


class InformationRequestOut(BaseModel):
    message: str
    requested_on: date
    answer: str | None = None
    provided_on: date | None = None


class ApplicationOut(BaseModel):
    id: UUID
    tracking_number: str = Field(examples=["AR-2026-0000123"])
    status: ApplicationStatus
    service_code: str
    service_version: int = Field(description="the version of the service's terms it is pinned to")
    territory: str
    language: str
    agency_id: UUID | None
    agency_code: str | None
    assignee: str | None = Field(description="the officer who accepted it")
    due_date: date | None = Field(description="the legal term's last day (working days)")
    deadline_breached: bool
    escalated_to: str | None
    form: dict[str, Any]
    attachments: list[AttachmentOut]
    information_requests: list[InformationRequestOut]
    payment: ApplicationPaymentOut
    decision: DecisionOut | None
    submitted_at: datetime
    updated_at: datetime

    @classmethod
    def of(
        cls,
        application: ServiceApplication,
        viewer: Principal,
        decision: Decision | None,
        payment: Payment | None = None,
    ) -> ApplicationOut:
        decision_out = None
        if application.registration_number is not None and application.outcome is not None:
            base = f"/v1/applications/{application.id}/result"
            decision_out = DecisionOut(
                registration_number=application.registration_number,
                outcome=application.outcome,
                verification_code=decision.verification_code if decision else None,
                result={kind: f"{base}?format={kind}" for kind in application.documents},
            )
        return cls(
            id=application.id,
            tracking_number=application.tracking_number,
            status=application.status,
            service_code=application.service_code,
            service_version=application.service_version,
            territory=application.territory,
            language=application.language,
            agency_id=application.agency.id if application.agency else None,
            agency_code=application.agency.code if application.agency else None,
            assignee=application.assignee if viewer.role != CITIZEN else None,
            due_date=application.due_date,
            deadline_breached=application.deadline_breached,
            escalated_to=application.escalated_to.code if application.escalated_to else None,
            form=application.form,
            attachments=[AttachmentOut(**a.to_dict()) for a in application.attachments],
            information_requests=[
                InformationRequestOut(**r) for r in application.information_requests
            ],
            payment=ApplicationPaymentOut.of(application, payment),
            decision=decision_out,
            submitted_at=application.created_on,
            updated_at=application.modified_on,
        )


class ApplicationSummary(BaseModel):
    id: UUID
    tracking_number: str
    service_code: str
    service_version: int
    territory: str
    agency_code: str | None
    status: ApplicationStatus
    payment: ApplicationPaymentOut | None = Field(description="null for a free service")
    due_date: date | None
    registration_number: str | None
    outcome: Outcome | None
    submitted_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: CitizenApplicationRow) -> ApplicationSummary:
        payment = None
        if row.fee_amount is not None:  # a fee was assessed (zero when exempt)
            payment = ApplicationPaymentOut(
                status=fee_status(
                    amount=row.fee_amount,
                    exempt=row.fee_amount == 0,
                    payment_status=row.payment_status,
                    awaiting_payment=row.status == AWAITING_PAYMENT,
                ),
                amount=row.fee_amount,
                currency=row.fee_currency or "UZS",
                payment_id=row.payment_id,
            )
        return cls(
            id=UUID(row.id),
            tracking_number=row.tracking_number,
            service_code=row.service_code,
            service_version=row.service_version,
            territory=row.territory,
            agency_code=row.agency_code,
            status=row.status,
            payment=payment,
            due_date=row.due_date,
            registration_number=row.registration_number,
            outcome=row.outcome,
            submitted_at=row.submitted_at,
            updated_at=row.updated_at,
        )


class ApplicationPage(BaseModel):
    items: list[ApplicationSummary]
    next: str | None


class QueueItemOut(BaseModel):
    kind: QueueKind
    id: UUID
    tracking_number: str
    service_code: str
    territory: str
    agency_code: str | None
    escalated_to: str | None
    status: QueueItemStatus
    assignee: str | None
    due_date: date | None
    overdue: bool
    deadline_breached: bool
    submitted_at: datetime

    @classmethod
    def of(cls, item: QueueItem, today: date) -> QueueItemOut:
        return cls(
            kind=item.kind,
            id=item.id,
            tracking_number=item.tracking_number,
            service_code=item.service_code,
            territory=item.territory,
            agency_code=item.agency_code,
            escalated_to=item.escalated_to,
            status=item.status,
            assignee=item.assignee,
            due_date=item.due_date,
            overdue=item.due_date is not None and item.due_date < today,
            deadline_breached=item.deadline_breached,
            submitted_at=item.submitted_at,
        )


class QueuePage(BaseModel):
    items: list[QueueItemOut]
    next: str | None


class DecisionCreated(BaseModel):
    decision_id: UUID
    registration_number: str
    outcome: Outcome
    verification_code: str
    documents: dict[str, str] = Field(description="sha256 of each result document by format")
    application: ApplicationOut


class DecisionVerificationOut(BaseModel):
    """Minimal disclosure: enough to trust the document, nothing about the applicant."""

    registration_number: str
    valid: bool = Field(description="false once the decision has been revoked")
    status: DecisionStatus
    outcome: Outcome
    decided_on: date
    service_code: str
    service_name: str
    agency_code: str
    agency_name: str
    documents: dict[str, str] = Field(description="sha256 of each result document by format")


class DecisionEntryOut(BaseModel):
    registration_number: str
    decision_id: UUID
    application_id: UUID
    agency_code: str
    service_code: str
    service_version: int
    outcome: Outcome
    status: DecisionStatus
    decided_at: datetime
    documents: dict[str, str]

    @classmethod
    def of(cls, entry: DecisionEntry) -> DecisionEntryOut:
        documents = {
            kind: sha
            for kind, sha in (("pdf", entry.pdf_sha256), ("html", entry.html_sha256))
            if sha
        }
        return cls(
            registration_number=entry.registration_number,
            decision_id=entry.decision_id,
            application_id=entry.application_id,
            agency_code=entry.agency_code,
            service_code=entry.service_code,
            service_version=entry.service_version,
            outcome=entry.outcome,
            status=entry.status,
            decided_at=entry.decided_at,
            documents=documents,
        )


class DecisionPage(BaseModel):
    items: list[DecisionEntryOut]
    next: str | None
