"""Webhooks: integrators register a URL and the event types they want; the worker fans the
feed out into deliveries and sends them, signed, at least once, retrying on a schedule.

Receivers are public: every address a URL's host resolves to is checked at registration and
again before each delivery (``domain/webhook_addresses.py``), and the sender connects to the
address that was checked, so a name that later resolves inside the network (DNS rebinding)
is refused, not sent to.

Receivers dedupe by the event id (``Yagona-Event-Id``): a delivery may arrive more than once
(a retry after a lost answer, or after a worker crash mid-send).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit
from uuid import UUID

from application.audit import jsonable
from application.authorization import authorize, authorize_reach
from application.feed import FeedEvent, redact
from application.integrators import IntegratorClient
from application.ports import Clock
from application.principal import Principal
from domain.errors import InvalidWebhook, WebhookNotFound
from domain.identity import PERSONAL_DATA_READ
from domain.webhook_addresses import IPAddress, literal_address, require_public, require_public_name
from domain.webhooks import (
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    next_attempt_at,
    signature,
    validate_event_types,
    validate_url,
    wants,
)

EVENT_NAMESPACE = UUID("6f1f3c1e-8d2a-5b7e-9c4d-3a2b1c0d9e8f")
PENDING, DELIVERED, FAILED, CANCELLED = "pending", "delivered", "failed", "cancelled"
LEASE_SECONDS = 120  # a claimed delivery is due again after this if its sender died


def event_id(event: FeedEvent) -> str:
    """Stable across retries and redeliveries: receivers dedupe by it."""
    return str(uuid.uuid5(EVENT_NAMESPACE, f"{event.stream}/{event.aggregate_id}/{event.version}"))


@dataclass(frozen=True)
class Subscription:
    id: UUID
    client_id: str
    url: str
    event_types: tuple[str, ...]
    created_at: datetime
    from_position: int  # events after this feed position are delivered
    deleted_at: datetime | None = None


@dataclass(frozen=True)
class Attempt:
    attempt: int
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


@dataclass(frozen=True)
class Delivery:
    id: int
    subscription_id: UUID
    position: int
    event_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    history: list[Attempt] = field(default_factory=list)


@dataclass(frozen=True)
class NewDelivery:
    subscription_id: UUID
    position: int
    event_id: str
    event_type: str


@dataclass(frozen=True)
class SendResult:
    status_code: int | None  # None: no HTTP answer (refused, timed out, TLS...)
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class WebhookStore(Protocol):
    def add(self, subscription: Subscription) -> None: ...

    def get(self, subscription_id: UUID) -> Subscription | None: ...

    def of_client(self, client_id: str) -> list[Subscription]: ...

    def active(self) -> list[Subscription]: ...

    def delete(self, subscription_id: UUID, at: datetime) -> None: ...

    def fanout_position(self) -> int: ...

    def fan_out(self, deliveries: list[NewDelivery], position: int, due: datetime) -> None:
        """Record new deliveries and the feed position reached, in one transaction."""
        ...

    def claim_due(self, now: datetime, limit: int, lease_until: datetime) -> list[Delivery]: ...

    def record(
        self,
        delivery_id: int,
        attempt: Attempt,
        *,
        status: str,
        next_attempt: datetime | None,
    ) -> None: ...

    def deliveries(self, subscription_id: UUID, *, after: int, limit: int) -> list[Delivery]: ...


class FeedReader(Protocol):
    def page(self, after: int, limit: int, types: Any = ()) -> Any: ...

    def at_positions(self, positions: list[int]) -> list[FeedEvent]: ...

    def head(self) -> int: ...


class Sender(Protocol):
    def post(
        self, url: str, body: bytes, headers: dict[str, str], *, address: IPAddress
    ) -> SendResult:
        """POST to ``url`` over a connection to ``address`` (checked, one of those the URL's
        host resolved to), with the URL's host in the Host header and, for https, in SNI
        and the certificate check; no redirect followed. Errors say ``timeout``,
        ``refused`` or ``HTTP <status>``, never what the remote said."""
        ...


class Resolver(Protocol):
    def resolve(self, host: str) -> list[IPAddress]:
        """Every address ``host`` resolves to, as the operating system reads it (numeric
        forms like ``2130706433`` included); empty when it does not resolve."""
        ...


@dataclass(frozen=True)
class Registered:
    subscription: Subscription
    secret: str  # shown once


class Webhooks:
    def __init__(
        self,
        *,
        store: WebhookStore,
        feed: FeedReader,
        sender: Sender,
        clock: Clock,
        secret_for: Callable[[UUID], str],
        client_of: Callable[[str], IntegratorClient | None],
        require_https: bool,
        resolver: Resolver,
        allow_loopback: bool = False,
    ) -> None:
        self.store = store
        self.feed = feed
        self.sender = sender
        self.clock = clock
        self.secret_for = secret_for
        self.client_of = client_of
        self.require_https = require_https
        self.resolver = resolver
        self.allow_loopback = allow_loopback  # development and tests only

    # --- the integrator's side --------------------------------------------------------------

    def register(self, principal: Principal, *, url: str, event_types: list[str]) -> Registered:
        """Subscribe to the events recorded from now on; the secret signs every delivery."""
        authorize(principal, "webhooks.manage")
        valid_url = validate_url(url, require_https=self.require_https)
        types = validate_event_types(event_types)
        self.receiver_address(valid_url)
        subscription = Subscription(
            id=uuid.uuid4(),
            client_id=principal.subject,
            url=valid_url,
            event_types=types,
            created_at=self.clock.now(),
            from_position=self.feed.head(),
        )
        self.store.add(subscription)
        return Registered(subscription, self.secret_for(subscription.id))

    def receiver_address(self, url: str) -> IPAddress:
        """The address to deliver to: what the URL's host resolves to, when all of it is
        public (``InvalidWebhook`` otherwise). A literal address is not looked up."""
        host = urlsplit(url).hostname or ""
        literal = literal_address(host)
        if literal is not None:
            return require_public(host, [literal], allow_loopback=self.allow_loopback)
        require_public_name(host, allow_loopback=self.allow_loopback)
        addresses = self.resolver.resolve(host)
        return require_public(host, addresses, allow_loopback=self.allow_loopback)

    def _own(self, principal: Principal, subscription_id: UUID) -> Subscription:
        not_found = WebhookNotFound(f"no webhook subscription {subscription_id}")
        authorize(principal, "webhooks.subscription")
        subscription = self.store.get(subscription_id)
        if subscription is None:
            raise not_found
        authorize_reach(
            principal, "webhooks.subscription", not_found=not_found, owner=subscription.client_id
        )
        return subscription

    def subscriptions(self, principal: Principal) -> list[Subscription]:
        authorize(principal, "webhooks.manage")
        return self.store.of_client(principal.subject)

    def subscription(self, principal: Principal, subscription_id: UUID) -> Subscription:
        return self._own(principal, subscription_id)

    def delete(self, principal: Principal, subscription_id: UUID) -> None:
        """Stop delivering (what is pending is cancelled). Deleting twice changes nothing."""
        subscription = self._own(principal, subscription_id)
        if subscription.deleted_at is None:
            self.store.delete(subscription_id, self.clock.now())

    def deliveries(
        self, principal: Principal, subscription_id: UUID, *, after: int, limit: int
    ) -> list[Delivery]:
        self._own(principal, subscription_id)
        return self.store.deliveries(subscription_id, after=after, limit=limit)

    # --- the worker's side -------------------------------------------------------------------

    def fan_out(self, batch: int = 500) -> int:
        """Turn the feed's next events into deliveries for the subscriptions that want them."""
        position = self.store.fanout_position()
        page = self.feed.page(position, batch)
        if not page.items:
            if page.next > position:
                self.store.fan_out([], page.next, self.clock.now())
            return 0
        subscriptions = self.store.active()
        new = [
            NewDelivery(s.id, e.position, event_id(e), e.type)
            for e in page.items
            for s in subscriptions
            if e.position > s.from_position and wants(s.event_types, e.type)
        ]
        self.store.fan_out(new, page.next, self.clock.now())
        return len(page.items)

    def dispatch(self, batch: int = 20) -> int:
        """Send the deliveries that are due; how many were attempted."""
        now = self.clock.now()
        due = self.store.claim_due(now, batch, lease_until=_after(now, LEASE_SECONDS))
        if not due:
            return 0
        events = {e.position: e for e in self.feed.at_positions([d.position for d in due])}
        for delivery in due:
            self._send(delivery, events.get(delivery.position))
        return len(due)

    def run_once(self) -> int:
        return self.fan_out() + self.dispatch()

    def _send(self, delivery: Delivery, event: FeedEvent | None) -> None:
        subscription = self.store.get(delivery.subscription_id)
        client = self.client_of(subscription.client_id) if subscription else None
        attempt_no = delivery.attempts + 1
        now = self.clock.now()
        if subscription is None or subscription.deleted_at or client is None or not client.active:
            reason = "the subscription was deleted or its client revoked"
            self.store.record(
                delivery.id,
                Attempt(attempt_no, now, None, reason, 0),
                status=CANCELLED,
                next_attempt=None,
            )
            return
        body = self._body(delivery, event, client)
        timestamp = int(now.timestamp())
        headers = {
            "Content-Type": "application/json",
            EVENT_ID_HEADER: delivery.event_id,
            SIGNATURE_HEADER: signature(self.secret_for(subscription.id), timestamp, body),
            "Yagona-Delivery": str(delivery.id),
            "Yagona-Attempt": str(attempt_no),
        }
        try:  # again: what the name resolves to may have changed since it was registered
            address = self.receiver_address(subscription.url)
        except InvalidWebhook as refused:
            result = SendResult(None, f"refused: {refused.detail}"[:500], 0)
        else:
            result = self.sender.post(subscription.url, body, headers, address=address)
        attempt = Attempt(attempt_no, now, result.status_code, result.error, result.duration_ms)
        if result.ok:
            self.store.record(delivery.id, attempt, status=DELIVERED, next_attempt=None)
            return
        retry = next_attempt_at(attempt_no, now)
        self.store.record(
            delivery.id, attempt, status=PENDING if retry else FAILED, next_attempt=retry
        )

    @staticmethod
    def _body(delivery: Delivery, event: FeedEvent | None, client: IntegratorClient) -> bytes:
        if event is not None and PERSONAL_DATA_READ not in client.scopes:
            event = redact(event)
        payload = {
            "id": delivery.event_id,
            "position": delivery.position,
            "type": delivery.event_type,
            "stream": event.stream if event else None,
            "aggregate_id": str(event.aggregate_id) if event else None,
            "version": event.version if event else None,
            "recorded_at": event.recorded_at.isoformat() if event and event.recorded_at else None,
            "data": jsonable(event.data) if event and event.data is not None else None,
            "redacted": list(event.redacted) if event else [],
        }
        return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def _after(now: datetime, seconds: int) -> datetime:
    return now + timedelta(seconds=seconds)
