"""Webhook subscriptions over HTTP: register (secret once), validation, ownership, the
delivery log, unsubscribe."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from application.principal import Principal
from domain.context import CommandContext
from infrastructure.container import Container
from tests.fakes.network import StubResolver

ADMIN = Principal("admin-1", "admin")
ADMIN_CTX = CommandContext(actor="admin-1", role="admin", correlation_id="e2e")
HOOK = "https://bank.example/yagona/events"


def api_key(container: Container, *scopes: str) -> dict[str, str]:
    issued = container.integrators.create(ADMIN, ADMIN_CTX, name="Bank", scopes=list(scopes))
    return {"X-API-Key": issued.api_key}


def test_register_list_read_log_and_delete(client: TestClient, seeded: Container) -> None:
    auth = api_key(seeded, "webhooks:manage")
    created = client.post(
        "/v1/webhooks",
        json={"url": HOOK, "event_types": ["Payment.Succeeded", "ServiceApplication"]},
        headers=auth,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["event_types"] == ["Payment.Succeeded", "ServiceApplication"]
    hook = body["id"]

    listed = client.get("/v1/webhooks", headers=auth).json()["items"]
    assert [h["id"] for h in listed] == [hook]
    assert "secret" not in listed[0]
    one = client.get(f"/v1/webhooks/{hook}", headers=auth)
    assert one.status_code == 200
    assert "secret" not in one.json()
    log = client.get(f"/v1/webhooks/{hook}/deliveries", headers=auth)
    assert log.status_code == 200
    assert log.json() == {"items": [], "next": None}

    other = api_key(seeded, "webhooks:manage")
    assert client.get(f"/v1/webhooks/{hook}", headers=other).status_code == 404
    assert client.delete(f"/v1/webhooks/{hook}", headers=other).status_code == 404

    assert client.delete(f"/v1/webhooks/{hook}", headers=auth).status_code == 204
    assert client.delete(f"/v1/webhooks/{hook}", headers=auth).status_code == 204
    assert client.get("/v1/webhooks", headers=auth).json()["items"] == []
    assert client.get(f"/v1/webhooks/{hook}", headers=auth).json()["deleted_at"]


def test_registration_is_idempotent_with_a_key(client: TestClient, seeded: Container) -> None:
    auth = {**api_key(seeded, "webhooks:manage"), "Idempotency-Key": "hook-1"}
    body = {"url": HOOK, "event_types": ["*"]}
    first = client.post("/v1/webhooks", json=body, headers=auth)
    second = client.post("/v1/webhooks", json=body, headers=auth)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert len(client.get("/v1/webhooks", headers=auth).json()["items"]) == 1


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"url": "ftp://bank.example/x", "event_types": ["*"]}, "must use https or http"),
        ({"url": "https://user:pw@bank.example/x", "event_types": ["*"]}, "credentials"),
        ({"url": "https:///x", "event_types": ["*"]}, "no host"),
        ({"url": "not a url", "event_types": ["*"]}, "must use"),
        ({"url": HOOK, "event_types": []}, "at least one event type"),
        ({"url": HOOK, "event_types": ["payment succeeded"]}, "is not an event type"),
    ],
)
def test_bad_subscriptions_are_refused_with_the_reason(
    client: TestClient, seeded: Container, body: dict[str, Any], detail: str
) -> None:
    auth = api_key(seeded, "webhooks:manage")
    response = client.post("/v1/webhooks", json=body, headers=auth)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert detail in response.json()["detail"]
    assert client.get("/v1/webhooks", headers=auth).json()["items"] == []


@pytest.mark.parametrize(
    ("url", "detail"),
    [
        (
            "http://169.254.169.254/",
            "url's host is 169.254.169.254, a link-local address (cloud metadata): "
            "webhooks go to public receivers only",
        ),
        (
            "http://localhost:5432/",
            "url's host localhost is a loopback name: webhooks go to public receivers only",
        ),
        ("http://metadata.google.internal/computeMetadata/v1/", "used only inside a network"),
        ("http://[::ffff:127.0.0.1]:6379/", "a loopback address (IPv4-mapped 127.0.0.1)"),
        ("http://0.0.0.0:8000/", "an unspecified address"),
        ("http://10.0.0.5/", "a private address"),
    ],
)
def test_receivers_inside_the_network_are_refused_without_a_lookup(
    client: TestClient,
    seeded: Container,
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    detail: str,
) -> None:
    resolver = StubResolver()
    monkeypatch.setattr(seeded.webhooks, "resolver", resolver)
    auth = api_key(seeded, "webhooks:manage")
    response = client.post("/v1/webhooks", json={"url": url, "event_types": ["*"]}, headers=auth)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert detail in response.json()["detail"]
    assert resolver.asked == []  # literals and internal names: refused before any lookup
    assert client.get("/v1/webhooks", headers=auth).json()["items"] == []


def test_a_name_is_checked_by_what_it_resolves_to(
    client: TestClient, seeded: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolver = StubResolver()
    monkeypatch.setattr(seeded.webhooks, "resolver", resolver)
    auth = api_key(seeded, "webhooks:manage")
    for host, detail in (
        ("0x7f.1", "url's host 0x7f.1 resolves to 127.0.0.1, a loopback address"),
        ("2130706433", "url's host 2130706433 resolves to 127.0.0.1, a loopback address"),
        ("split.example", "url's host split.example resolves to 10.0.0.5, a private address"),
        ("nowhere.example", "url's host nowhere.example does not resolve to an address"),
    ):
        body = {"url": f"http://{host}/hook", "event_types": ["*"]}
        response = client.post("/v1/webhooks", json=body, headers=auth)
        assert response.status_code == 422, response.text
        assert response.json()["detail"].startswith(detail)
    assert resolver.asked == ["0x7f.1", "2130706433", "split.example", "nowhere.example"]


def test_managing_webhooks_needs_the_scope(client: TestClient, seeded: Container) -> None:
    body = {"url": HOOK, "event_types": ["*"]}
    assert (
        client.post("/v1/webhooks", json=body, headers=api_key(seeded, "feed:read")).status_code
        == 403
    )
    assert client.post("/v1/webhooks", json=body).status_code == 401
