"""A matrix of callers over a representative set of routes, on in-memory persistence: each
caller's status derived from the one authorization table (``application.authorization.
POLICY``), as tests/reliability/test_authorization_matrix.py derives it for every route
on PostgreSQL: 401 without a valid credential, 403 (404 where the action is hidden) for a
role or scope the policy refuses, else the outcome, narrowed where the action's reach
keeps an allowed caller from this particular thing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from application.principal import Principal
from infrastructure.container import Container
from tests.e2e.cases import CITIZEN_B, OTHER_AGENCY, citizen, headers, officer, submission
from tests.memory.support import ADMIN, ALL_SCOPES, api_key, submitted
from tests.policy_expectations import PolicyExpectations

UNAUTHENTICATED = ("anonymous", "expired_token", "unknown_api_key")
CALLERS = (
    *UNAUTHENTICATED,
    "citizen",
    "other_citizen",
    "officer",
    "other_officer",
    "auditor",
    "integrator",
    "admin",
)
PRINCIPALS: dict[str, Principal] = {
    "citizen": citizen(),
    "other_citizen": citizen(CITIZEN_B, name=None),
    "officer": officer(),
    "other_officer": officer("officer-99", OTHER_AGENCY),
    "auditor": Principal("auditor-1", "auditor"),
    "integrator": Principal("client", "integrator", scopes=frozenset(ALL_SCOPES)),
    "admin": ADMIN,
}


EXPECT = PolicyExpectations(PRINCIPALS, UNAUTHENTICATED)
granted = EXPECT.granted


def public(status: int = 200) -> dict[str, int]:
    return dict.fromkeys(CALLERS, status)


Params = Callable[[TestClient, Container], dict[str, str]]


def fresh_application(client: TestClient, container: Container) -> dict[str, str]:
    return {"key": submitted(client, container)["id"]}


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    expected: dict[str, int]
    params: Params = lambda client, container: {}
    query: dict[str, Any] = field(default_factory=dict)
    body: Any = None


MONTH = {"month": "2026-11"}
ROWS = (
    Row("GET", "/healthz", public()),
    Row("GET", "/v1/audit/export-key", public()),  # a public key: anyone checks an export
    Row("POST", "/v1/applications", granted("application.submit", 201), body="submission"),
    Row("GET", "/v1/applications", granted("application.list_own")),
    Row(
        "GET",
        "/v1/applications/{key}",
        granted("application.read", other_citizen=404, other_officer=403),
        fresh_application,
    ),
    Row(
        "POST",
        "/v1/applications/{key}/withdrawal",
        granted("application.act_as_applicant", other_citizen=404),
        fresh_application,
        body={"reason": "Changed my mind."},
    ),
    Row(
        "POST",
        "/v1/applications/{key}/acceptance",
        granted("application.handle", other_officer=403),
        fresh_application,
    ),
    Row("GET", "/v1/queue", granted("queue.read")),
    Row("GET", "/v1/decisions", granted("decisions_register.read")),
    Row("GET", "/v1/me/access-log", granted("audit.own_access_log")),
    Row(
        "GET",
        "/v1/audit/actors/{actor}/actions",
        granted("audit.read"),
        lambda client, container: {"actor": "officer-17"},
    ),
    Row(
        "GET",
        "/v1/payments/reconciliation",
        granted("payment.reconciliation"),
        query={"date": "2026-11-27"},
    ),
    Row("GET", "/v1/read-models/applications-summary", granted("read_models.read")),
    Row("GET", "/v1/read-models/payments", granted("read_models.read")),
    Row("GET", "/v1/kpi", granted("kpi.read"), query=MONTH),
    Row("GET", "/v1/feed", granted("feed.read")),
    Row("GET", "/v1/staff", granted("staff.manage")),
    Row("GET", "/v1/webhooks", granted("webhooks.manage")),
    Row(
        "POST",
        "/v1/webhooks",
        granted("webhooks.manage", 201),
        body={"url": "https://bank.example/hooks", "event_types": ["Payment"]},
    ),
)


@pytest.fixture(scope="module")
def callers(container: Container) -> dict[str, dict[str, str]]:
    return {
        "anonymous": {},
        "expired_token": {
            "Authorization": f"Bearer {container.tokens.mint(citizen(), ttl_seconds=-7200)}"
        },
        "unknown_api_key": {"X-API-Key": "yk_" + "0" * 32 + "_not-a-key"},
        **{name: headers(container, p) for name, p in PRINCIPALS.items() if name != "integrator"},
        "integrator": api_key(container, *ALL_SCOPES),
    }


def test_every_route_of_the_matrix_exists(client: TestClient) -> None:
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    routes = {(method.upper(), path) for path, ops in paths.items() for method in ops}
    missing = {(r.method, r.path) for r in ROWS} - routes
    assert not missing, missing


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.method} {r.path}" for r in ROWS])
def test_each_caller_gets_the_status_the_policy_says(
    row: Row, client: TestClient, container: Container, callers: dict[str, dict[str, str]]
) -> None:
    path = row.path.format(**row.params(client, container))
    body = submission() if row.body == "submission" else row.body
    wrong: list[str] = []
    for name in CALLERS:
        kwargs: dict[str, Any] = {"headers": callers[name], "params": row.query}
        if body is not None:
            kwargs["json"] = body
        response = client.request(row.method, path, **kwargs)
        status = response.status_code
        if status != row.expected[name]:
            wrong.append(f"{name}: {status}, expected {row.expected[name]}: {response.text[:200]}")
            continue
        if status >= 400 and response.headers["content-type"] != "application/problem+json":
            wrong.append(f"{name}: {status} is not a problem document")
        if status == 401 and "www-authenticate" not in response.headers:
            wrong.append(f"{name}: a 401 without WWW-Authenticate")
    assert not wrong, f"{row.method} {path}:\n" + "\n".join(wrong)


def test_an_officer_of_an_agency_not_in_the_directory_is_refused(
    client: TestClient, container: Container
) -> None:
    nowhere = officer("officer-17", "justice-9999999")
    refused = client.get("/v1/queue", headers=headers(container, nowhere))
    assert refused.status_code == 401
    assert refused.json()["type"] == "urn:yagona:problem:unknown-agency"
