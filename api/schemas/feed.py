"""Shapes of the event feed."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from application.audit import jsonable
from application.feed import FeedEvent


class FeedItem(BaseModel):
    position: int = Field(description="the event's place in the global order")
    type: str = Field(examples=["ServiceApplication.Submitted"])
    stream: str = Field(description="the context's event log: Catalogue, Cases or Payments")
    aggregate_id: UUID
    version: int
    recorded_at: datetime | None
    data: dict[str, Any] | None = Field(
        description="the event's fields; personal ones are left out unless the client holds "
        "personal-data:read (see `redacted`); null if the stored row no longer decodes"
    )
    actor: str | None = Field(None, description="who caused it (citizens: just 'citizen')")
    role: str | None = None
    correlation_id: str | None = None
    redacted: list[str] = Field(default_factory=list, description="fields left out")

    @classmethod
    def of(cls, event: FeedEvent) -> FeedItem:
        return cls(
            position=event.position,
            type=event.type,
            stream=event.stream,
            aggregate_id=event.aggregate_id,
            version=event.version,
            recorded_at=event.recorded_at,
            data=jsonable(event.data) if event.data is not None else None,
            actor=event.meta.get("actor"),
            role=event.meta.get("role"),
            correlation_id=event.meta.get("correlation_id"),
            redacted=list(event.redacted),
        )


class FeedOut(BaseModel):
    items: list[FeedItem]
    next: int = Field(description="pass as `after` to read on; never skips or repeats an event")
    head: int = Field(description="the feed's last position when this page was read")
