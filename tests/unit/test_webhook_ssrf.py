"""Webhooks go to public receivers only (application/webhooks.py): registration resolves the
URL's host with a stub resolver and refuses a non-public answer with a 422-family error; each
delivery resolves again, and an answer that changed to an address inside the network (DNS
rebinding) is recorded as a refused attempt and not sent. Nothing here sends a packet."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address
from uuid import UUID

import pytest

from application.integrators import IntegratorClient
from application.principal import Principal
from application.webhooks import DELIVERED, PENDING, Attempt, Delivery, Webhooks
from domain.errors import InvalidInput, InvalidWebhook
from tests.fakes.adapters import FixedClock
from tests.fakes.network import PUBLIC, StubResolver
from tests.fakes.stand_ins import EmptyFeed, MemoryWebhookStore, RecordingSender

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
CLIENT = UUID("00000000-0000-4000-8000-000000000001")
BANK = Principal(str(CLIENT), "integrator", scopes=frozenset({"webhooks:manage"}))
ONLY_PUBLIC = "webhooks go to public receivers only"


class DueStore(MemoryWebhookStore):
    """A store with one due delivery per subscription, claimed once."""

    def __init__(self) -> None:
        super().__init__()
        self.next_attempts: list[datetime | None] = []

    def claim_due(self, now: datetime, limit: int, lease_until: datetime) -> list[Delivery]:
        due, self.pending = self.pending, []
        return due

    def record(
        self, delivery_id: int, attempt: Attempt, *, status: str, next_attempt: datetime | None
    ) -> None:
        super().record(delivery_id, attempt, status=status, next_attempt=next_attempt)
        self.next_attempts.append(next_attempt)

    def due(self, subscription_id: UUID) -> None:
        self.pending.append(
            Delivery(
                id=len(self.attempts) + len(self.pending) + 1,
                subscription_id=subscription_id,
                position=1,
                event_id=str(uuid.uuid4()),
                event_type="Payment.Succeeded",
                status=PENDING,
                attempts=0,
                next_attempt_at=NOW,
                created_at=NOW,
            )
        )


def client(client_id: str) -> IntegratorClient:
    return IntegratorClient(
        CLIENT, "Bank", frozenset({"webhooks:manage"}), "0" * 64, NOW, "admin-1"
    )


def webhooks(
    resolver: StubResolver, *, allow_loopback: bool = False
) -> tuple[Webhooks, DueStore, RecordingSender]:
    store, sender = DueStore(), RecordingSender()
    service = Webhooks(
        store=store,
        feed=EmptyFeed(),
        sender=sender,
        clock=FixedClock(NOW),
        secret_for=lambda _: "whsec_test",
        client_of=client,
        require_https=False,
        resolver=resolver,
        allow_loopback=allow_loopback,
    )
    return service, store, sender


@pytest.mark.parametrize(
    ("url", "detail"),
    [
        ("http://127.0.0.1/", "url's host is 127.0.0.1, a loopback address"),
        ("http://localhost:5432/", "url's host localhost is a loopback name"),
        ("http://[::1]/", "url's host is ::1, a loopback address"),
        ("http://0.0.0.0/", "url's host is 0.0.0.0, an unspecified address"),
        ("http://2130706433/", "url's host 2130706433 resolves to 127.0.0.1, a loopback"),
        ("http://0x7f.1/", "url's host 0x7f.1 resolves to 127.0.0.1, a loopback"),
        ("http://127.1:6379/", "url's host 127.1 resolves to 127.0.0.1, a loopback"),
        ("http://10.0.0.5/", "url's host is 10.0.0.5, a private address"),
        ("http://192.168.1.1/", "url's host is 192.168.1.1, a private address"),
        ("http://172.16.0.1/", "url's host is 172.16.0.1, a private address"),
        ("http://100.64.0.1/", "a shared (carrier-grade NAT) address"),
        ("http://169.254.169.254/latest/meta-data/", "a link-local address (cloud metadata)"),
        ("http://metadata.google.internal/", "a name used only inside a network"),
        ("http://[fe80::1]/", "a link-local address"),
        ("http://[fd12:3456::1]/", "a private (unique local) address"),
        ("http://[ff02::1]/", "a multicast address"),
        ("http://224.0.0.1/", "a multicast address"),
        ("http://240.0.0.1/", "a reserved address"),
        (
            "http://[::ffff:127.0.0.1]/",
            "url's host is ::ffff:127.0.0.1, a loopback address (IPv4-mapped 127.0.0.1)",
        ),
        ("http://[::ffff:169.254.169.254]/", "(IPv4-mapped 169.254.169.254)"),
        ("http://[2002:a00:5::]/", "a private address (6to4 10.0.0.5)"),
        ("http://[64:ff9b::a9fe:a9fe]/", "(NAT64 169.254.169.254)"),
        ("http://intranet.example/", "url's host intranet.example resolves to 10.0.0.5"),
        ("http://split.example/", "url's host split.example resolves to 10.0.0.5"),
        ("http://nowhere.example/", "url's host nowhere.example does not resolve"),
    ],
)
def test_registering_a_receiver_that_is_not_public_is_refused_saying_why(
    url: str, detail: str
) -> None:
    service, store, _ = webhooks(StubResolver())
    with pytest.raises(InvalidWebhook) as refused:
        service.register(BANK, url=url, event_types=["*"])
    assert isinstance(refused.value, InvalidInput)  # answered 422
    assert detail in refused.value.detail
    if "resolve" not in detail or "does not" not in detail:
        assert refused.value.detail.endswith(ONLY_PUBLIC)
    assert store.subscriptions == {}


def test_literal_addresses_and_internal_names_are_not_looked_up() -> None:
    resolver = StubResolver()
    service, _, _ = webhooks(resolver)
    for url in ("http://169.254.169.254/", "http://metadata.google.internal/", "http://[::1]/"):
        with pytest.raises(InvalidWebhook):
            service.register(BANK, url=url, event_types=["*"])
    assert resolver.asked == []


def test_a_public_receiver_is_registered() -> None:
    resolver = StubResolver()
    service, store, _ = webhooks(resolver)
    for url in ("https://bank.example/hooks", "https://[2606:4700::1111]/h", "http://8.8.8.8/"):
        service.register(BANK, url=url, event_types=["*"])
    assert len(store.subscriptions) == 3
    assert resolver.asked == ["bank.example"]


def test_loopback_is_allowed_only_when_the_setting_says_so() -> None:
    service, store, _ = webhooks(StubResolver(), allow_loopback=True)
    for url in ("http://127.0.0.1:9/", "http://localhost:9/", "http://0x7f.1:9/", "http://[::1]/"):
        service.register(BANK, url=url, event_types=["*"])
    assert len(store.subscriptions) == 4
    for url in ("http://10.0.0.5/", "http://169.254.169.254/", "http://0.0.0.0/"):
        with pytest.raises(InvalidWebhook):
            service.register(BANK, url=url, event_types=["*"])


@pytest.mark.parametrize(
    ("later", "detail"),
    [
        ("127.0.0.1", "url's host rebind.example resolves to 127.0.0.1, a loopback address"),
        ("10.0.0.5", "url's host rebind.example resolves to 10.0.0.5, a private address"),
        ("169.254.169.254", "a link-local address (cloud metadata)"),
        ("::ffff:127.0.0.1", "a loopback address (IPv4-mapped 127.0.0.1)"),
    ],
)
def test_a_name_that_resolves_inside_the_network_at_delivery_is_refused_not_sent(
    later: str, detail: str
) -> None:
    resolver = StubResolver()
    resolver.answer("rebind.example", PUBLIC)
    service, store, sender = webhooks(resolver)
    registered = service.register(BANK, url="https://rebind.example/hook", event_types=["*"])
    resolver.answer("rebind.example", later)  # the name's owner changes its answer
    store.due(registered.subscription.id)

    assert service.dispatch() == 1

    assert sender.posts == []  # nothing was sent
    [(_, attempt, status)] = store.attempts
    assert status == PENDING  # tried again later, checked again then
    assert attempt.status_code is None
    assert attempt.error is not None
    assert attempt.error.startswith("refused: url's host rebind.example resolves to ")
    assert detail in attempt.error
    assert attempt.error.endswith(ONLY_PUBLIC)


def test_a_name_that_stops_resolving_is_refused_at_delivery() -> None:
    resolver = StubResolver()
    service, store, sender = webhooks(resolver)
    registered = service.register(BANK, url="https://rebind.example/hook", event_types=["*"])
    resolver.answer("rebind.example")
    store.due(registered.subscription.id)
    service.dispatch()
    assert sender.posts == []
    assert store.attempts[0][1].error == (
        "refused: url's host rebind.example does not resolve to an address"
    )


def test_the_delivery_goes_to_the_address_checked_at_delivery() -> None:
    resolver = StubResolver()
    service, store, sender = webhooks(resolver)
    registered = service.register(BANK, url="https://rebind.example/hook", event_types=["*"])
    resolver.answer("rebind.example", "8.8.8.8", "8.8.4.4")  # moved, still public
    store.due(registered.subscription.id)
    service.dispatch()
    assert sender.posts[0][0] == "https://rebind.example/hook"
    assert sender.addresses == [ip_address("8.8.8.8")]
    assert store.attempts[0][2] == DELIVERED
    assert resolver.asked == ["rebind.example", "rebind.example"]


def test_a_refused_delivery_is_retried_on_the_schedule_and_checked_each_time() -> None:
    resolver = StubResolver()
    service, store, sender = webhooks(resolver)
    registered = service.register(BANK, url="https://rebind.example/hook", event_types=["*"])
    resolver.answer("rebind.example", "10.0.0.5")
    store.due(registered.subscription.id)
    service.dispatch()
    assert store.next_attempts == [NOW + timedelta(minutes=1)]
    assert sender.posts == []
    assert resolver.asked == ["rebind.example", "rebind.example"]
