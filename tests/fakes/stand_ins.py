"""In-memory stand-ins for the adapters PostgreSQL or the network provide in production:
remembered Idempotency-Key responses, a payment provider, a notifier, webhook subscriptions
and their sender, the feed, the audit seals, chain checks and archive, and the notices'
outbox. Each keeps what it is given in lists and dicts; the audit and feed ones are minimal
(empty archive and feed, every chain intact), enough for HTTP tests of routing, validation
and authorization on ``bootstrap(persistence="memory")``."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from application.feed import FeedEvent, FeedPage
from application.pagination import Page
from application.ports import Notice, ProviderPayment, ProviderRefund
from application.webhooks import Attempt, Delivery, NewDelivery, SendResult, Subscription
from domain.audit_chain import Finding
from domain.webhook_addresses import IPAddress
from infrastructure.audit import Seal, VerificationReport
from infrastructure.idempotency import Claim, StoredResponse


@dataclass
class _Entry:
    fingerprint: str
    response: StoredResponse | None
    at: datetime


class MemoryIdempotencyStore:
    """Claims and responses by (caller, key), as ``IdempotencyStore`` keeps them."""

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], _Entry] = {}
        self._lock = threading.Lock()

    def claim(self, caller: str, key: str, fingerprint: str) -> Claim:
        with self._lock:
            entry = self.entries.get((caller, key))
            if entry is None:
                self.entries[(caller, key)] = _Entry(fingerprint, None, datetime.now().astimezone())
                return Claim(won=True)
            return Claim(won=False, fingerprint=entry.fingerprint, response=entry.response)

    def complete(self, caller: str, key: str, response: StoredResponse) -> None:
        with self._lock:
            entry = self.entries.get((caller, key))
            if entry is not None:
                entry.response = response

    def release(self, caller: str, key: str) -> None:
        with self._lock:
            entry = self.entries.get((caller, key))
            if entry is not None and entry.response is None:
                del self.entries[(caller, key)]

    def purge(self, older_than: timedelta) -> int:
        cutoff = datetime.now().astimezone() - older_than
        with self._lock:
            old = [k for k, e in self.entries.items() if e.at < cutoff]
            for k in old:
                del self.entries[k]
        return len(old)

    def close(self) -> None:
        pass


class FakePaymentProvider:
    """Takes every payment and refund; records the calls."""

    name = "fake"

    def __init__(self) -> None:
        self.payments: dict[UUID, ProviderPayment] = {}
        self.refunds: list[UUID] = []
        self.canceled: list[str] = []

    def create_payment(
        self, *, payment_id: UUID, amount: int, currency: str, description: str
    ) -> ProviderPayment:
        payment = self.payments.get(payment_id) or ProviderPayment(
            f"fake_{payment_id.hex}",
            "requires_payment",
            confirmation_url=f"http://127.0.0.1/fake/{payment_id.hex}",
        )
        self.payments[payment_id] = payment
        return payment

    def resume_payment(self, *, payment_id: UUID, provider_payment_id: str) -> ProviderPayment:
        return self.payments.get(payment_id) or ProviderPayment(provider_payment_id, "pending")

    def refund(
        self,
        *,
        payment_id: UUID,
        refund_id: UUID,
        provider_payment_id: str,
        amount: int,
        currency: str,
    ) -> ProviderRefund:
        self.refunds.append(refund_id)
        return ProviderRefund(f"fake_re_{refund_id.hex}", "succeeded")

    def cancel(self, *, provider_payment_id: str) -> None:
        self.canceled.append(provider_payment_id)


class RecordingNotifier:
    def __init__(self) -> None:
        self.sent: list[Notice] = []

    def send(self, notice: Notice) -> None:
        self.sent.append(notice)


@dataclass
class MemoryNoticeOutbox:
    notices: list[Notice] = field(default_factory=list)
    sent: dict[int, datetime] = field(default_factory=dict)

    def unsent(self) -> list[Notice]:
        return [n for n in self.notices if n.id not in self.sent]

    def mark_sent(self, notice_id: int, at: datetime) -> None:
        self.sent[notice_id] = at


class MemoryWebhookStore:
    def __init__(self) -> None:
        self.subscriptions: dict[UUID, Subscription] = {}
        self.pending: list[Delivery] = []
        self.attempts: list[tuple[int, Attempt, str]] = []
        self.position = 0
        self._lock = threading.Lock()

    def add(self, subscription: Subscription) -> None:
        with self._lock:
            self.subscriptions[subscription.id] = subscription

    def get(self, subscription_id: UUID) -> Subscription | None:
        return self.subscriptions.get(subscription_id)

    def of_client(self, client_id: str) -> list[Subscription]:
        return [s for s in self.subscriptions.values() if s.client_id == client_id]

    def active(self) -> list[Subscription]:
        return [s for s in self.subscriptions.values() if s.deleted_at is None]

    def delete(self, subscription_id: UUID, at: datetime) -> None:
        with self._lock:
            found = self.subscriptions.get(subscription_id)
            if found is not None:
                self.subscriptions[subscription_id] = replace(found, deleted_at=at)

    def fanout_position(self) -> int:
        return self.position

    def fan_out(self, deliveries: list[NewDelivery], position: int, due: datetime) -> None:
        self.position = position  # nothing is delivered in memory

    def claim_due(self, now: datetime, limit: int, lease_until: datetime) -> list[Delivery]:
        return []

    def record(
        self, delivery_id: int, attempt: Attempt, *, status: str, next_attempt: datetime | None
    ) -> None:
        self.attempts.append((delivery_id, attempt, status))

    def deliveries(self, subscription_id: UUID, *, after: int, limit: int) -> list[Delivery]:
        return []


class RecordingSender:
    """Sends nothing anywhere; answers 204 and remembers the posts."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, bytes]] = []
        self.addresses: list[IPAddress] = []

    def post(
        self, url: str, body: bytes, headers: dict[str, str], *, address: IPAddress
    ) -> SendResult:
        self.posts.append((url, body))
        self.addresses.append(address)
        return SendResult(status_code=204, error=None, duration_ms=0)


class EmptyFeed:
    """A feed with nothing in it yet (the feed's log is PostgreSQL's)."""

    def pull(self, batch: int = 1000) -> int:
        return 0

    def page(self, after: int, limit: int, types: Any = ()) -> FeedPage:
        return FeedPage(items=[], next=after, head=0)

    def at_positions(self, positions: list[int]) -> list[FeedEvent]:
        return []

    def head(self) -> int:
        return 0

    def lag(self) -> int:
        return 0


class MemorySeals:
    """No seal is ever made: every chain's head is unsealed."""

    def seal(self) -> Seal | None:
        return None

    def latest(self) -> Seal | None:
        return None

    def verify(self) -> tuple[Finding | None, dict[str, tuple[int, str]]]:
        return None, {}


class IntactChains:
    """Every chain checks out (there are no links in memory to compare)."""

    def verify_case(self, aggregates: dict[str, list[UUID]]) -> VerificationReport:
        return VerificationReport(True, 0, sum(map(len, aggregates.values())), 0.0, [])

    def verify_all(self, progress: Any = None) -> VerificationReport:
        return VerificationReport(True, 0, 0, 0.0, [])


class EmptyAuditTrail:
    """The archive, the case membership and the actors' actions, empty."""

    def events(self, stream: str, aggregate_ids: list[UUID]) -> list[Any]:
        return []

    def members(self, case_id: UUID) -> dict[str, list[UUID]]:
        return {}

    def case_of(self, aggregate_id: UUID) -> UUID | None:
        return None

    def actions(self, actor: str, *, cursor: str | None = None, limit: int = 50) -> Any:
        return Page([], None)
