"""Webhooks against a local receiver on PostgreSQL: signed deliveries, retries on the
schedule (with an injected clock), the delivery log, cancellation. The receivers listen on
127.0.0.1, so these containers allow loopback receivers (YAGONA_WEBHOOKS_ALLOW_LOOPBACK)."""

from __future__ import annotations

import json
import socket
import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from application.principal import Principal
from application.webhooks import CANCELLED, DELIVERED, FAILED, PENDING, Delivery
from domain.context import CommandContext
from domain.indexes import ProviderPaymentIndex, TrackingNumberIndex
from domain.webhooks import verify_signature
from infrastructure.container import Container, build_container
from infrastructure.database import DatabaseConfig
from tests.conftest import settings_for
from tests.fakes.adapters import FixedClock
from tests.fakes.network import StubResolver

ADMIN = Principal("admin-1", "admin")
ADMIN_CTX = CommandContext(actor="admin-1", role="admin", correlation_id="test")


@pytest.fixture
def container(
    test_database: DatabaseConfig, fresh_schema: str, clock: FixedClock, tmp_path: Path
) -> Iterator[Container]:
    """A container over a fresh schema that delivers to loopback receivers."""
    settings = settings_for(test_database, fresh_schema, tmp_path, webhooks_allow_loopback=True)
    built = build_container(settings, clock=clock)
    yield built
    built.close()


class Receiver:
    """An HTTP endpoint that records what it is sent and answers with the next status."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": dict(self.headers), "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def integrator(container: Container, *scopes: str) -> Principal:
    issued = container.integrators.create(
        ADMIN, ADMIN_CTX, name="Bank", scopes=["webhooks:manage", *scopes]
    )
    return Principal(str(issued.client.id), "integrator", scopes=issued.client.scopes)


def write_events(container: Container, count: int = 1) -> list[uuid.UUID]:
    ids = []
    for _ in range(count):
        index = TrackingNumberIndex(f"AR-{uuid.uuid4().hex[:8]}", uuid.uuid4())
        container.cases.save(index)
        ids.append(index.id)
    container.feed_log.pull()
    return ids


def log(container: Container, principal: Principal, subscription_id: uuid.UUID) -> list[Delivery]:
    return container.webhooks.deliveries(principal, subscription_id, after=0, limit=100)


def test_deliveries_are_signed_carry_the_event_id_and_go_only_where_wanted(
    container: Container, receiver: Receiver
) -> None:
    bank = integrator(container)
    registered = container.webhooks.register(
        bank, url=receiver.url, event_types=["TrackingNumberIndex.Registered"]
    )
    written = write_events(container, 2)
    container.payments.save(ProviderPaymentIndex("pi_123", uuid.uuid4()))  # not wanted
    container.feed_log.pull()

    assert container.webhooks.run_once() > 0

    assert len(receiver.received) == 2
    for request, aggregate_id in zip(receiver.received, written, strict=True):
        headers, body = request["headers"], request["body"]
        assert verify_signature(registered.secret, headers["Yagona-Signature"], body)
        assert not verify_signature("whsec_wrong", headers["Yagona-Signature"], body)
        payload = json.loads(body)
        assert payload["id"] == headers["Yagona-Event-Id"]
        assert payload["type"] == "TrackingNumberIndex.Registered"
        assert payload["aggregate_id"] == str(aggregate_id)
        assert payload["version"] == 1
        assert payload["data"]["tracking_number"].startswith("AR-")
    deliveries = log(container, bank, registered.subscription.id)
    assert [d.status for d in deliveries] == [DELIVERED, DELIVERED]
    assert [len(d.history) for d in deliveries] == [1, 1]
    assert deliveries[0].history[0].status_code == 200
    # Fanning out again delivers nothing twice.
    container.webhooks.run_once()
    assert len(receiver.received) == 2
    # Events before the subscription are not delivered.
    assert all(d.position > registered.subscription.from_position for d in deliveries)


def test_a_failing_receiver_is_retried_on_the_schedule_then_given_up(
    container: Container, clock: FixedClock, receiver: Receiver
) -> None:
    bank = integrator(container)
    registered = container.webhooks.register(bank, url=receiver.url, event_types=["*"])
    receiver.statuses = [500] * 10
    write_events(container)
    start = clock.now()

    container.webhooks.run_once()
    assert len(receiver.received) == 1
    expected_gaps = [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(hours=1),
        timedelta(days=1),
    ]
    for gap in expected_gaps:
        clock.advance(gap - timedelta(seconds=1))
        container.webhooks.dispatch()
        attempts = len(receiver.received)
        clock.advance(timedelta(seconds=1))
        container.webhooks.dispatch()
        assert len(receiver.received) == attempts + 1, f"not retried after {gap}"
    clock.advance(timedelta(days=30))
    container.webhooks.dispatch()
    assert len(receiver.received) == 5  # then no more

    [delivery] = log(container, bank, registered.subscription.id)
    assert delivery.status == FAILED
    assert delivery.attempts == 5
    assert [a.status_code for a in delivery.history] == [500] * 5
    times = [a.at - start for a in delivery.history]
    assert times == [
        timedelta(0),
        timedelta(minutes=1),
        timedelta(minutes=6),
        timedelta(hours=1, minutes=6),
        timedelta(days=1, hours=1, minutes=6),
    ]
    ids = {r["headers"]["Yagona-Event-Id"] for r in receiver.received}
    assert len(ids) == 1  # the same event each time


def test_a_receiver_that_recovers_gets_the_delivery_once(
    container: Container, clock: FixedClock, receiver: Receiver
) -> None:
    bank = integrator(container)
    registered = container.webhooks.register(bank, url=receiver.url, event_types=["*"])
    receiver.statuses = [503, 302]  # a redirect is not followed: it counts as a failure
    write_events(container)
    container.webhooks.run_once()
    clock.advance(timedelta(minutes=1))
    container.webhooks.dispatch()
    clock.advance(timedelta(minutes=5))
    container.webhooks.dispatch()
    clock.advance(timedelta(days=2))
    container.webhooks.dispatch()

    [delivery] = log(container, bank, registered.subscription.id)
    assert delivery.status == DELIVERED
    assert [a.status_code for a in delivery.history] == [503, 302, 200]
    assert len(receiver.received) == 3


def test_an_unreachable_receiver_is_recorded_with_the_error(
    container: Container, clock: FixedClock
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bank = integrator(container)
    registered = container.webhooks.register(
        bank, url=f"http://127.0.0.1:{port}/hook", event_types=["TrackingNumberIndex"]
    )
    write_events(container)
    container.webhooks.run_once()
    [delivery] = log(container, bank, registered.subscription.id)
    assert delivery.status == PENDING
    assert delivery.next_attempt_at == clock.now() + timedelta(minutes=1)
    assert delivery.history[0].status_code is None
    assert delivery.history[0].error == "refused"  # not the operating system's words


def test_the_delivery_connects_to_the_address_the_name_resolved_to_and_checked(
    container: Container, receiver: Receiver
) -> None:
    resolver = StubResolver({"receiver.example": ["127.0.0.1"]})
    container.webhooks.resolver = resolver
    port = receiver.server.server_address[1]
    bank = integrator(container)
    registered = container.webhooks.register(
        bank, url=f"http://receiver.example:{port}/hook", event_types=["*"]
    )
    write_events(container)
    container.webhooks.run_once()
    [request] = receiver.received
    assert request["headers"]["Host"] == f"receiver.example:{port}"
    assert [d.status for d in log(container, bank, registered.subscription.id)] == [DELIVERED]
    assert resolver.asked == ["receiver.example", "receiver.example"]  # registered, delivered


def test_a_name_rebound_inside_the_network_is_refused_at_delivery_and_logged(
    container: Container, clock: FixedClock, receiver: Receiver
) -> None:
    resolver = StubResolver({"receiver.example": ["127.0.0.1"]})
    container.webhooks.resolver = resolver
    port = receiver.server.server_address[1]
    bank = integrator(container)
    registered = container.webhooks.register(
        bank, url=f"http://receiver.example:{port}/hook", event_types=["*"]
    )
    resolver.answer("receiver.example", "10.0.0.5")  # rebound after registration
    write_events(container)
    container.webhooks.run_once()
    assert receiver.received == []
    [delivery] = log(container, bank, registered.subscription.id)
    assert delivery.status == PENDING
    assert delivery.next_attempt_at == clock.now() + timedelta(minutes=1)
    [attempt] = delivery.history
    assert attempt.status_code is None
    assert attempt.error == (
        "refused: url's host receiver.example resolves to 10.0.0.5, a private address: "
        "webhooks go to public receivers only"
    )


def test_deleting_a_subscription_cancels_what_is_pending(
    container: Container, clock: FixedClock, receiver: Receiver
) -> None:
    bank = integrator(container)
    registered = container.webhooks.register(bank, url=receiver.url, event_types=["*"])
    receiver.statuses = [500]
    write_events(container)
    container.webhooks.run_once()
    container.webhooks.delete(bank, registered.subscription.id)
    container.webhooks.delete(bank, registered.subscription.id)  # twice: no change
    clock.advance(timedelta(hours=1))
    write_events(container)
    container.webhooks.run_once()
    assert len(receiver.received) == 1
    [delivery] = log(container, bank, registered.subscription.id)
    assert delivery.status == CANCELLED


def test_a_revoked_clients_deliveries_are_cancelled_and_personal_data_is_redacted(
    container: Container, clock: FixedClock, receiver: Receiver
) -> None:
    bank = integrator(container)
    registered = container.webhooks.register(bank, url=receiver.url, event_types=["*"])
    write_events(container)
    container.webhooks.run_once()
    assert json.loads(receiver.received[0]["body"])["redacted"] == []  # nothing personal here
    container.integrators.revoke(ADMIN, ADMIN_CTX, uuid.UUID(bank.subject), reason="ended")
    write_events(container)
    container.webhooks.run_once()
    assert len(receiver.received) == 1
    statuses = [d.status for d in log(container, bank, registered.subscription.id)]
    assert statuses == [DELIVERED, CANCELLED]
