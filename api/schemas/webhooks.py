"""Shapes of webhook subscriptions and their delivery log."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from application.webhooks import Attempt, Delivery, Subscription


class WebhookIn(BaseModel):
    url: str = Field(max_length=2000, examples=["https://bank.example/yagona/events"])
    event_types: list[str] = Field(
        max_length=50,
        description="event types (`Payment.Succeeded`), aggregates (`Payment`) or `*`",
        examples=[["Payment.Succeeded", "ServiceApplication.ResultIssued"]],
    )


class WebhookOut(BaseModel):
    id: UUID
    url: str
    event_types: list[str]
    created_at: datetime
    from_position: int = Field(description="events after this feed position are delivered")
    deleted_at: datetime | None = None

    @classmethod
    def of(cls, s: Subscription) -> WebhookOut:
        return cls(
            id=s.id,
            url=s.url,
            event_types=list(s.event_types),
            created_at=s.created_at,
            from_position=s.from_position,
            deleted_at=s.deleted_at,
        )


class WebhookCreated(WebhookOut):
    secret: str = Field(
        description="signs every delivery (`Yagona-Signature: t=…,v1=HMAC-SHA256(secret, "
        "'<t>.<body>')`); shown only now"
    )


class WebhookList(BaseModel):
    items: list[WebhookOut]
    next: str | None = None


class AttemptOut(BaseModel):
    attempt: int
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int

    @classmethod
    def of(cls, a: Attempt) -> AttemptOut:
        return cls.model_validate(a, from_attributes=True)


class DeliveryOut(BaseModel):
    id: int
    event_id: str = Field(description="receivers dedupe by it")
    position: int
    event_type: str
    status: str = Field(description="pending, delivered, failed (gave up) or cancelled")
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    history: list[AttemptOut]

    @classmethod
    def of(cls, d: Delivery) -> DeliveryOut:
        return cls(
            id=d.id,
            event_id=d.event_id,
            position=d.position,
            event_type=d.event_type,
            status=d.status,
            attempts=d.attempts,
            next_attempt_at=d.next_attempt_at if d.status == "pending" else None,
            created_at=d.created_at,
            history=[AttemptOut.of(a) for a in d.history],
        )


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    next: str | None
