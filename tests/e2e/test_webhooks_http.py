"""Webhook subscriptions over HTTP: register (secret once), validation, ownership, the
delivery log, unsubscribe."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from application.principal import Principal
from domain.context import CommandContext
from infrastructure.container import Container

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


def test_managing_webhooks_needs_the_scope(client: TestClient, seeded: Container) -> None:
    body = {"url": HOOK, "event_types": ["*"]}
    assert (
        client.post("/v1/webhooks", json=body, headers=api_key(seeded, "feed:read")).status_code
        == 403
    )
    assert client.post("/v1/webhooks", json=body).status_code == 401
