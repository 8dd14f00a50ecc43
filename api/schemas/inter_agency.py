"""Shapes of inter-agency requests."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from api.schemas.applications import AttachmentIn
from api.schemas.vocabularies import RequestStatus
from domain.inter_agency import DEFAULT_TERM_WORKING_DAYS, MAX_TERM_WORKING_DAYS, InterAgencyRequest


class RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to_agency: str = Field(max_length=64, description="the receiving agency's code")
    requested_data: str = Field(min_length=1, max_length=4000, description="what is asked for")
    purpose: str = Field(min_length=1, max_length=4000)
    legal_basis: str = Field(min_length=1, max_length=1000)
    term_working_days: int = Field(DEFAULT_TERM_WORKING_DAYS, ge=1, le=MAX_TERM_WORKING_DAYS)


_JSON_TYPES = {str: "a string", int: "a number", float: "a number", bool: "true or false"}


class RequestAnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    data: dict[str, Any] = Field(
        default_factory=dict,
        description="the data asked for: a JSON object of the requested fields, e.g. "
        '`{"address": "Mustaqillik 12"}`; words go in a field: `{"note": "No records"}`',
        examples=[{"address": "Oltinkoʻl, Mustaqillik 12"}],
    )
    document: AttachmentIn | None = Field(
        None, description="a document (its `document` is `answer`); its sha256 is recorded"
    )

    @field_validator("data", mode="before")
    @classmethod
    def _an_object(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return value
        given = "null" if value is None else _JSON_TYPES.get(type(value), "an array")
        raise PydanticCustomError(
            "object_expected",
            "must be a JSON object of the requested fields, such as "
            '{"address": "Mustaqillik 12"}, not {given}; to answer in words, put them in '
            'a field: {"note": "No records"}',
            {"given": given},
        )


class RequestOut(BaseModel):
    id: UUID
    number: str = Field(examples=["IA-2026-0000001"])
    status: RequestStatus
    application_id: UUID
    tracking_number: str
    service_code: str
    from_agency: str
    to_agency: str
    escalated_to: str | None
    officer: str
    requested_data: str
    purpose: str
    legal_basis: str
    term_working_days: int
    requested_on: date
    due_date: date
    answer: dict[str, Any] | None
    refusal: dict[str, Any] | None

    @classmethod
    def of(cls, r: InterAgencyRequest) -> RequestOut:
        return cls(
            id=r.id,
            number=r.number,
            status=r.status,
            application_id=r.application_id,
            tracking_number=r.tracking_number,
            service_code=r.service_code,
            from_agency=r.from_agency.code,
            to_agency=r.to_agency.code,
            escalated_to=r.escalated_to.code if r.escalated_to else None,
            officer=r.officer,
            requested_data=r.requested_data,
            purpose=r.purpose,
            legal_basis=r.legal_basis,
            term_working_days=r.term_working_days,
            requested_on=r.requested_on,
            due_date=r.due_date,
            answer=r.answer,
            refusal=r.refusal,
        )
