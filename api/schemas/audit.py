"""Shapes of audit records."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from application.audit import jsonable
from application.ports import AccessRecord, ArchivedEvent


class HistoryItem(BaseModel):
    stream: str = Field(description="the context's event log: Cases or Payments")
    position: int = Field(description="position in that log")
    aggregate: str = Field(description="the aggregate's type")
    aggregate_id: UUID
    version: int
    type: str = Field(examples=["ServiceApplication.Submitted"])
    time: datetime | None
    actor: str | None
    role: str | None
    correlation_id: str | None
    payload: dict[str, Any] | None = Field(
        description="the decrypted event; null when the stored row no longer decrypts"
    )

    @classmethod
    def of(cls, event: ArchivedEvent) -> HistoryItem:
        qualified = event.type
        return cls(
            stream=event.stream,
            position=event.position,
            aggregate=qualified.split(".", 1)[0],
            aggregate_id=event.aggregate_id,
            version=event.version,
            type=qualified,
            time=event.timestamp,
            actor=event.meta.get("actor"),
            role=event.meta.get("role"),
            correlation_id=event.meta.get("correlation_id"),
            payload=jsonable(event.payload) if event.payload is not None else None,
        )


class HistoryPage(BaseModel):
    items: list[HistoryItem]
    next: str | None


class StateOut(BaseModel):
    version: int
    recorded_at: datetime | None
    state: dict[str, Any]
    compared_with: int | None = None
    changes: dict[str, dict[str, Any]] | None = Field(
        None, description="fields that differ from version `compared_with`: {from, to}"
    )


class FindingOut(BaseModel):
    stream: str
    aggregate_id: str
    version: int
    problem: str = Field(
        description="modified, missing, reordered, inserted, chain_rewritten, seal_mismatch "
        "or seals_broken"
    )
    detail: str


class ChainVerificationOut(BaseModel):
    intact: bool
    events: int
    aggregates: int
    first_broken_link: FindingOut | None
    findings: list[FindingOut]


class ExportKeyOut(BaseModel):
    algorithm: str = Field(description="Ed25519", examples=["Ed25519"])
    key_id: str = Field(
        description="first 16 hex digits of the sha256 of the raw public key; each export's "
        "manifest names it as signing_key_id"
    )
    public_key: str = Field(description="the raw 32-byte Ed25519 public key, base64")


class AccessOut(BaseModel):
    at: datetime
    actor: str
    role: str
    action: str
    subject_kind: str
    subject_id: str
    purpose: str

    @classmethod
    def of(cls, record: AccessRecord) -> AccessOut:
        e = record.entry
        return cls(
            at=record.at,
            actor=e.actor,
            role=e.role,
            action=e.action,
            subject_kind=e.subject_kind,
            subject_id=e.subject_id,
            purpose=e.purpose,
        )


class AccessPage(BaseModel):
    items: list[AccessOut]
    next: str | None


class ActionOut(BaseModel):
    stream: str
    aggregate_id: UUID
    version: int
    type: str
    role: str
    correlation_id: str
    at: datetime


class ActorActions(BaseModel):
    actor: str
    actions: list[ActionOut] = Field(description="commands the actor recorded")
    next: str | None
    reads: list[AccessOut] = Field(description="reads of personal data by the actor")
