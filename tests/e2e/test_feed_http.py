"""Integrators over HTTP: API keys and tokens of registered clients, scopes, the feed with
personal data redacted by scope, type filters and long polling."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from application.integrators import IssuedKey
from application.principal import Principal
from domain.context import CommandContext
from infrastructure.container import Container
from tests.e2e.cases import CITIZEN_A, headers, submit

ADMIN = Principal("admin-1", "admin")
ADMIN_CTX = CommandContext(actor="admin-1", role="admin", correlation_id="e2e")


def client_with(container: Container, *scopes: str) -> IssuedKey:
    return container.integrators.create(ADMIN, ADMIN_CTX, name="Bank", scopes=list(scopes))


def key(issued: IssuedKey) -> dict[str, str]:
    return {"X-API-Key": issued.api_key}


def follow(client: TestClient, auth: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    """Every item from the start to the head, page by page."""
    items: list[dict[str, Any]] = []
    after = 0
    while True:
        body = client.get("/v1/feed", params={"after": after, **params}, headers=auth).json()
        items.extend(body["items"])
        if body["next"] == after or not body["items"]:
            return items
        after = body["next"]


def wait_for_feed(seeded: Container) -> None:
    deadline = time.monotonic() + 30
    while seeded.feed_log.lag():
        assert time.monotonic() < deadline, "the feed did not catch up"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def submitted(client: TestClient, seeded: Container) -> dict[str, Any]:
    application = submit(client, seeded)
    wait_for_feed(seeded)
    return application


def test_the_feed_redacts_personal_data_without_the_scope(
    client: TestClient, seeded: Container, submitted: dict[str, Any]
) -> None:
    plain = key(client_with(seeded, "feed:read"))
    items = follow(client, plain, limit=1000, types="ServiceApplication.Submitted")
    mine = next(i for i in items if i["aggregate_id"] == submitted["id"])
    assert mine["type"] == "ServiceApplication.Submitted"
    assert mine["data"]["tracking_number"] == submitted["tracking_number"]
    assert mine["data"]["service_code"] == "birth-registration"
    for personal in ("applicant", "applicant_name", "applicant_ref", "form", "attachments"):
        assert personal not in mine["data"]
        assert personal in mine["redacted"]
    assert mine["actor"] == "citizen"
    assert CITIZEN_A not in str(items)

    full = key(client_with(seeded, "feed:read", "personal-data:read"))
    items = follow(client, full, limit=1000, types="ServiceApplication.Submitted")
    mine = next(i for i in items if i["aggregate_id"] == submitted["id"])
    assert mine["data"]["applicant"] == CITIZEN_A
    assert mine["data"]["form"]
    assert mine["redacted"] == []
    assert mine["actor"] == CITIZEN_A


def test_the_feed_is_in_position_order_and_filters_by_type_or_aggregate(
    client: TestClient, seeded: Container, submitted: dict[str, Any]
) -> None:
    auth = key(client_with(seeded, "feed:read"))
    everything = follow(client, auth, limit=500)
    positions = [i["position"] for i in everything]
    assert positions == sorted(set(positions))
    assert {"Catalogue", "Cases"} <= {i["stream"] for i in everything}
    for field in ("position", "type", "aggregate_id", "version", "recorded_at", "data"):
        assert field in everything[0]
    routed = follow(client, auth, limit=500, types="ServiceApplication.Routed")
    assert routed
    assert {i["type"] for i in routed} == {"ServiceApplication.Routed"}
    by_aggregate = follow(client, auth, limit=500, types="ServiceApplication")
    assert {i["type"].split(".")[0] for i in by_aggregate} == {"ServiceApplication"}
    assert {i["position"] for i in routed} <= {i["position"] for i in by_aggregate}
    # A filtered page that finds nothing still moves the cursor to the head.
    head = client.get("/v1/feed", params={"after": 0, "limit": 1}, headers=auth).json()["head"]
    empty = client.get("/v1/feed", params={"after": 0, "types": "No.Such"}, headers=auth).json()
    assert empty == {"items": [], "next": head, "head": head}


def test_long_polling_answers_when_an_event_arrives(
    client: TestClient, seeded: Container, submitted: dict[str, Any]
) -> None:
    auth = key(client_with(seeded, "feed:read"))
    wait_for_feed(seeded)
    head = client.get("/v1/feed", params={"limit": 1}, headers=auth).json()["head"]

    started = time.monotonic()
    idle = client.get("/v1/feed", params={"after": head, "wait": 1}, headers=auth).json()
    assert idle["items"] == []
    assert 0.9 <= time.monotonic() - started < 5

    def later() -> None:
        time.sleep(0.5)
        submit(client, seeded)

    threading.Thread(target=later).start()
    started = time.monotonic()
    woke = client.get("/v1/feed", params={"after": head, "wait": 20}, headers=auth).json()
    elapsed = time.monotonic() - started
    assert woke["items"]
    assert woke["items"][0]["position"] == head + 1
    assert elapsed < 10


def test_keys_scopes_and_revocation(client: TestClient, seeded: Container) -> None:
    issued = client_with(seeded, "read-models:read")
    assert client.get("/v1/feed", headers=key(issued)).status_code == 403
    assert "feed:read" in client.get("/v1/feed", headers=key(issued)).json()["detail"]
    assert (
        client.get("/v1/feed", headers={"Authorization": f"Bearer {issued.api_key}"}).status_code
        == 403
    )
    forged = issued.api_key[:-4] + "AAAA"
    assert client.get("/v1/feed", headers={"X-API-Key": forged}).status_code == 401

    reader = client_with(seeded, "feed:read")
    assert client.get("/v1/feed", headers=key(reader)).status_code == 200
    seeded.integrators.revoke(ADMIN, ADMIN_CTX, reader.client.id, reason="contract ended")
    revoked = client.get("/v1/feed", headers=key(reader))
    assert revoked.status_code == 401
    assert revoked.headers["content-type"].startswith("application/problem+json")


def test_integrator_tokens_count_only_for_registered_active_clients(
    client: TestClient, seeded: Container
) -> None:
    registered = client_with(seeded, "feed:read")
    subject = str(registered.client.id)
    token = headers(seeded, Principal(subject, "integrator", scopes=frozenset({"feed:read"})))
    assert client.get("/v1/feed", headers=token).status_code == 200
    broader = headers(
        seeded,
        Principal(subject, "integrator", scopes=frozenset({"feed:read", "personal-data:read"})),
    )
    assert client.get("/v1/feed", headers=broader).status_code == 401
    stranger = headers(seeded, Principal("someone", "integrator", scopes=frozenset({"feed:read"})))
    assert client.get("/v1/feed", headers=stranger).status_code == 401
    officer = headers(seeded, Principal("officer-1", "officer", agency="justice-1703202"))
    assert client.get("/v1/feed", headers=officer).status_code == 403


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"after": -1}, "after"),
        ({"limit": 0}, "limit"),
        ({"limit": 5000}, "limit"),
        ({"wait": 60}, "wait"),
    ],
)
def test_bad_feed_parameters_are_named(
    client: TestClient, seeded: Container, params: dict[str, Any], field: str
) -> None:
    auth = key(client_with(seeded, "feed:read"))
    response = client.get("/v1/feed", params=params, headers=auth)
    assert response.status_code == 422
    assert field in str(response.json()["errors"])
