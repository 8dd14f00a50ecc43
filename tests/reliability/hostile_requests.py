"""The hostile-input tests' tools (test_hostile_input.py): the app's routes with their
parameters filled in, the caller each area lets through, the check that an answer is a 4xx
problem document naming what is wrong, and the bodies of the wrong type or holding NULs.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from httpx2 import Response

from infrastructure.container import Container
from tests.e2e.cases import citizen, submission
from tests.reliability.world import ADMIN, ALL_SCOPES, AUDITOR, JUSTICE, api_key, api_routes, bearer

PROBLEM_JSON = "application/problem+json"
# Required query parameters, with valid values, so a test changes one thing at a time.
REQUIRED = {"month": "2026-11", "date": "2026-11-27", "code": "abcd"}
# Routes that read their body themselves (signed provider notifications, the sandbox).
RAW_BODY = {"/v1/payments/stripe/webhook", "/v1/payments/sandbox/webhook"}


def routes(client: TestClient, method: str) -> list[APIRoute]:
    return [r for r in api_routes(list(client.app.routes)) if method in (r.methods or ())]  # type: ignore[attr-defined]


def fill(route: APIRoute, value: str | None = None) -> str:
    """The route's path with every path parameter set (to ``value`` if given)."""
    params = {}
    for param in route.dependant.path_params:
        default = str(uuid.uuid4()) if param.name.endswith("_id") else "AR-2026-0000001"
        params[param.name] = value if value is not None else default
    return route.path.format(**params)


def query_names(route: APIRoute) -> set[str]:
    return {p.alias for p in route.dependant.query_params}


def required_query(route: APIRoute) -> dict[str, str]:
    return {name: REQUIRED[name] for name in query_names(route) if name in REQUIRED}


@pytest.fixture(scope="module")
def credentials(world_container: Container) -> dict[str, dict[str, str]]:
    """One caller per area, allowed through authentication (and usually authorization)."""
    c = world_container
    return {
        "/v1/audit": bearer(c, AUDITOR),
        "/v1/feed": api_key(c, *ALL_SCOPES),
        "/v1/read-models": api_key(c, *ALL_SCOPES),
        "/v1/webhooks": api_key(c, *ALL_SCOPES),
        "/v1/queue": bearer(c, JUSTICE),
        "/v1/kpi": bearer(c, ADMIN),
        "/v1/decisions": bearer(c, ADMIN),
        "/v1/payments/reconciliation": bearer(c, ADMIN),
        "/v1/staff": bearer(c, ADMIN),
        "": bearer(c, citizen()),
    }


def caller_for(path: str, credentials: dict[str, dict[str, str]]) -> dict[str, str]:
    prefix = max((p for p in credentials if path.startswith(p)), key=len)
    return credentials[prefix]


def assert_problem(response: Response, status: int | None = None) -> dict[str, Any]:
    """A 4xx problem document (of ``status`` if given), never a server error."""
    where = f"{response.request.method} {response.request.url}"
    assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
    if status is not None:
        assert response.status_code == status, f"{where}: {response.text[:300]}"
    assert 400 <= response.status_code < 500, f"{where}: {response.status_code} accepted"
    assert response.headers["content-type"] == PROBLEM_JSON, where
    body = dict(response.json())
    assert body["status"] == response.status_code
    assert body["detail"], where
    return body


def named(body: dict[str, Any], location: str, name: str) -> bool:
    return any(
        e["in"] == location and (e["name"] == name or e["name"].startswith(f"{name}."))
        for e in body.get("errors") or []
    )


WRONG_TYPES: list[tuple[str, dict[str, Any], set[str]]] = [
    (
        "/v1/appeals",
        {"territory": 1703202, "subject": ["utilities"], "text": {"a": 1}},
        {"territory", "subject", "text"},
    ),
    ("/v1/appeals", {"territory": "1703202", "subject": "utilities"}, {"text"}),
    ("/v1/applications", {**submission(), "service_code": None, "form": "x"}, {"service_code"}),
    ("/v1/appeals/MJ-2026-0000001/rating", {"rating": "five"}, {"rating"}),
    ("/v1/appeals/MJ-2026-0000001/rating", {"rating": 6}, {"rating"}),
    ("/v1/appeals/MJ-2026-0000001/rating", {"rating": 4, "extra": 1}, {"extra"}),
    ("/v1/webhooks", {"url": 5, "event_types": "Payment"}, {"url", "event_types"}),
]


NUL_BODIES: list[tuple[str, dict[str, Any], str]] = [
    ("/v1/appeals", {"territory": "1703202", "subject": "utilities", "text": "a\x00b"}, "/text"),
    ("/v1/applications", {**submission(), "service_code": "birth\x00"}, "/service_code"),
    ("/v1/applications", submission(form={"child": {"name\x00": "x"}}), "/form/child/name\x00"),
    ("/v1/webhooks", {"url": "https://a.example/\x00", "event_types": ["*"]}, "/url"),
]


# Webhook receivers that would make the worker a proxy into the network (server-side request
# forgery): each a 422 saying why. The suite resolves with a stub (tests/fakes/network.py).
SSRF_URLS: list[tuple[str, str]] = [
    ("http://169.254.169.254/latest/meta-data/", "a link-local address (cloud metadata)"),
    ("http://metadata.google.internal/computeMetadata/v1/", "used only inside a network"),
    ("http://localhost:5432/", "a loopback name"),
    ("http://127.0.0.1:6379/", "a loopback address"),
    ("http://[::1]:5432/", "a loopback address"),
    ("http://0.0.0.0:8000/", "an unspecified address"),
    ("http://2130706433/", "resolves to 127.0.0.1, a loopback address"),
    ("http://0x7f.1/", "resolves to 127.0.0.1, a loopback address"),
    ("http://127.1/", "resolves to 127.0.0.1, a loopback address"),
    ("http://[::ffff:127.0.0.1]/", "(IPv4-mapped 127.0.0.1)"),
    ("http://[::ffff:a9fe:a9fe]/", "(IPv4-mapped 169.254.169.254)"),
    ("http://10.0.0.5/", "a private address"),
    ("http://192.168.0.1/", "a private address"),
    ("http://100.64.0.1/", "a shared (carrier-grade NAT) address"),
    ("http://[fd00::1]/", "a private (unique local) address"),
    ("http://224.0.0.1/", "a multicast address"),
    ("http://split.example/", "resolves to 10.0.0.5, a private address"),
    ("http://127.0.0.1 x/", "not a host name or IP address"),
    ("http://１２７.０.０.１/", "not a host name or IP address"),
]
