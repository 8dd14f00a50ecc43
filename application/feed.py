"""The integrators' event feed: every event in one global order, personal data redacted
unless the client holds ``personal-data:read``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from application.authorization import authorize
from application.principal import Principal
from domain.errors import InvalidInput
from domain.identity import CITIZEN, PERSONAL_DATA_READ

MAX_LIMIT = 1000

# Fields of the cases' and payments' events that carry no personal data: served to every
# feed reader. Anything else (the applicant, their pseudonym and name, form contents,
# attachments, free-text messages and reasons, exemption categories, verification codes)
# is left out unless the client may read personal data. Unknown fields are left out too.
PUBLIC_FIELDS = frozenset(
    {
        "agency_code",
        "agency_id",
        "amount",
        "application_id",
        "assessed_on",
        "attempt",
        "before_acceptance",
        "currency",
        "decided_at",
        "decision_id",
        "detected_on",
        "documents",
        "due_date",
        "language",
        "legal_basis",
        "officer",
        "outcome",
        "paid_on",
        "paused_working_days",
        "payment_id",
        "provided_on",
        "provider",
        "provider_event_id",
        "provider_payment_id",
        "provider_refund_id",
        "refund_id",
        "refund_on",
        "registration_number",
        "requested_at",
        "requested_on",
        "service_code",
        "service_version",
        "started_on",
        "status",
        "term_working_days",
        "territory",
        "to_agency_code",
        "to_agency_id",
        "tracking_number",
    }
)
PUBLIC_STREAMS = frozenset({"Catalogue"})  # reference data: nothing personal in it


@dataclass(frozen=True)
class FeedEvent:
    position: int
    stream: str
    type: str
    aggregate_id: UUID
    version: int
    recorded_at: datetime | None
    data: dict[str, Any] | None
    meta: dict[str, Any] = field(default_factory=dict)
    redacted: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeedPage:
    items: list[FeedEvent]
    next: int  # the position to read after next time
    head: int  # the feed's last position when read


class FeedSource(Protocol):
    def page(self, after: int, limit: int, types: Iterable[str] = ()) -> FeedPage: ...


def redact(event: FeedEvent) -> FeedEvent:
    """The event without personal data: only public fields, and a citizen actor named by
    role alone."""
    meta = dict(event.meta)
    if meta.get("role") == CITIZEN:
        meta["actor"] = CITIZEN
    if event.stream in PUBLIC_STREAMS or event.data is None:
        return replace(event, meta=meta)
    kept = {k: v for k, v in event.data.items() if k in PUBLIC_FIELDS}
    removed = tuple(sorted(k for k in event.data if k not in PUBLIC_FIELDS))
    return replace(event, data=kept, meta=meta, redacted=removed)


class Feed:
    def __init__(self, source: FeedSource) -> None:
        self.source = source

    def read(self, principal: Principal, *, after: int, limit: int, types: list[str]) -> FeedPage:
        authorize(principal, "feed.read")
        if after < 0:
            raise InvalidInput("after must be a position (0 or more)")
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}")
        page = self.source.page(after, limit, types)
        if PERSONAL_DATA_READ in principal.scopes:
            return page
        return replace(page, items=[redact(e) for e in page.items])
