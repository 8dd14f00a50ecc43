"""Shapes of appeals (murojaat)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.legal_source import LegalSourceOut
from api.schemas.vocabularies import AppealKind, AppealStatus, AppealSubject, AppealTerm, Language
from application.read_models.cases import CitizenAppealRow
from domain.appeal import Appeal
from domain.appeal_terms import CIVIL_CODE_ART_146, DEFAULT_KIND


class AppealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    territory: str = Field(
        pattern=r"^\d{4}(\d{3})?$", description="SOATO code of a district, city or region"
    )
    subject: AppealSubject = Field(
        description="what it is about; regional-roads, public-transport, environment and "
        "investment go to the regional hokimiyat, the rest to the district or city's"
    )
    text: str = Field(min_length=1, max_length=10000)
    application_id: str | None = Field(
        None, max_length=64, description="one's own application it is about (id or tracking number)"
    )
    language: Language | None = None
    kind: AppealKind = Field(
        DEFAULT_KIND,
        description="complaint (a right infringed, an appeal against a decision: the default), "
        "statement (a request to exercise a right) or proposal; the kind sets the legal term",
    )


class AnswerTextIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=10000)


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rating: int = Field(ge=1, le=5, strict=True)


class ReasonRequired(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=4000)


class AppealAnswerOut(BaseModel):
    text: str
    agency_code: str
    answered_on: date
    on_time: bool


class AppealOut(BaseModel):
    id: UUID
    number: str = Field(examples=["MJ-2026-0000001"])
    status: AppealStatus
    subject: str
    territory: str
    agency_code: str = Field(description="the hokimiyat it was filed with")
    escalated_to: str | None = Field(description="the higher level handling it now, if any")
    handling_agency: str
    kind: AppealKind
    filed_on: date
    due_date: date
    term: AppealTerm = Field(
        description="the term the due date ends: fifteen-days, one-month-for-study, "
        "head-extension, one-month-proposal, or escalated (a new first term higher up)"
    )
    term_source: LegalSourceOut = Field(description="the act and article that set the term")
    counting_source: LegalSourceOut = Field(
        description="how the term is counted: from the day after filing; a term ending on a "
        "day off ends on the next working day"
    )
    extended: bool = Field(description="extended for study (one month from filing)")
    extension_reason: str | None
    head_extended: bool = Field(description="extended by the head by one more month")
    head_extension_reason: str | None
    deadline_breached: bool
    application_id: UUID | None
    decision_id: UUID | None
    text: str
    answer: AppealAnswerOut | None
    disputed: bool
    rating: int | None

    @classmethod
    def of(cls, appeal: Appeal) -> AppealOut:
        answer: dict[str, Any] | None = appeal.answer
        return cls(
            id=appeal.id,
            number=appeal.number,
            status=appeal.status,
            subject=appeal.subject,
            territory=appeal.territory,
            agency_code=appeal.agency.code,
            escalated_to=appeal.escalated_to.code if appeal.escalated_to else None,
            handling_agency=appeal.handling_agency.code,
            kind=appeal.kind,
            filed_on=appeal.filed_on,
            due_date=appeal.due_date,
            term=appeal.term,
            term_source=LegalSourceOut.of(appeal.term_source),
            counting_source=LegalSourceOut.of(CIVIL_CODE_ART_146),
            extended=appeal.extended,
            extension_reason=appeal.extension_reason,
            head_extended=appeal.head_extended,
            head_extension_reason=appeal.head_extension_reason,
            deadline_breached=appeal.deadline_breached,
            application_id=appeal.application_id,
            decision_id=appeal.decision_id,
            text=appeal.text,
            answer=(
                AppealAnswerOut(
                    text=answer["text"],
                    agency_code=answer["agency_code"],
                    answered_on=date.fromisoformat(answer["answered_on"]),
                    on_time=answer["on_time"],
                )
                if answer
                else None
            ),
            disputed=appeal.disputed,
            rating=appeal.rating,
        )


class AppealSummary(BaseModel):
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

    @classmethod
    def of(cls, row: CitizenAppealRow) -> AppealSummary:
        return cls.model_validate(row, from_attributes=True)


class AppealPage(BaseModel):
    items: list[AppealSummary]
    next: str | None
