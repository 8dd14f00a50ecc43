"""Every endpoint × every kind of caller answers the status the authorization policy says.

The table (``ROWS``, in authorization_rows.py) names, for each route of the app, the action
it takes in the application's one authorization table (``application.authorization.POLICY``).
Each caller's expected status is derived from that policy (authorization_callers.py): 401
without a valid credential (none, expired, signed with another key, an unknown API key), 403
for a role or scope the policy refuses (404 for an action the policy hides), else the real
outcome — narrowed, for a caller the policy allows, only where the row says how the action's
reach applies (another citizen's case is 404, another agency's 403 or 404). Path parameters
are real objects made over HTTP. A route missing from the table fails the test, so a new
endpoint cannot ship without deciding who may call it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from infrastructure.container import Container
from tests.e2e.cases import citizen, submission
from tests.reliability.authorization_callers import CALLERS, DOCUMENTATION
from tests.reliability.authorization_rows import ROWS, Row, Targets
from tests.reliability.world import (
    ADMIN,
    ADMIN_CTX,
    ALL_SCOPES,
    AUDITOR,
    CADASTRE,
    CITIZEN_B,
    HOKIM,
    JUSTICE,
    OTHER_JUSTICE,
    World,
    api_key,
    app_routes,
    bearer,
    forged,
    world_client,
    world_container,
)

__all__ = ["world_client", "world_container"]  # fixtures used here


def revoked_key(container: Container) -> dict[str, str]:
    issued = container.integrators.create(ADMIN, ADMIN_CTX, name="Gone", scopes=list(ALL_SCOPES))
    container.integrators.revoke(ADMIN, ADMIN_CTX, issued.client.id, reason="contract ended")
    return {"X-API-Key": issued.api_key}


@pytest.fixture(scope="module")
def callers(world_container: Container) -> dict[str, dict[str, str]]:
    c = world_container
    return {
        "anonymous": {},
        "expired_token": bearer(c, citizen(), ttl_seconds=-7200),
        "foreign_signature": forged(citizen()),
        "unknown_api_key": {"X-API-Key": "yk_" + "0" * 32 + "_not-a-key"},
        "revoked_api_key": revoked_key(c),
        "citizen": bearer(c, citizen()),
        "other_citizen": bearer(c, citizen(CITIZEN_B, name=None)),
        "officer": bearer(c, JUSTICE),
        "other_officer": bearer(c, OTHER_JUSTICE),
        "hokim": bearer(c, HOKIM),
        "cadastre": bearer(c, CADASTRE),
        "auditor": bearer(c, AUDITOR),
        "integrator": api_key(c, *ALL_SCOPES),
        "unscoped_integrator": api_key(c, "personal-data:read"),
        "other_integrator": api_key(c, *ALL_SCOPES, name="Other bank"),
        "admin": bearer(c, ADMIN),
    }


@pytest.fixture(scope="module")
def targets(
    world_container: Container, world_client: TestClient, callers: dict[str, dict[str, str]]
) -> Targets:
    return Targets(World(world_container, world_client), callers)


def test_the_table_covers_every_route(world_client: TestClient) -> None:
    routes = set(app_routes(list(world_client.app.routes)))  # type: ignore[attr-defined]
    assert routes, "no routes found: has FastAPI changed how it keeps them?"
    table = {(row.method, row.path) for row in ROWS}
    assert len(table) == len(ROWS), "a route appears twice in the table"
    missing = sorted(routes - table - DOCUMENTATION)
    assert not missing, f"routes without a row in the authorization table: {missing}"
    stale = sorted(table - routes)
    assert not stale, f"rows for routes the app no longer has: {stale}"


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.method} {r.path}" for r in ROWS])
def test_each_caller_gets_the_expected_status(
    row: Row, targets: Targets, world_client: TestClient, callers: dict[str, dict[str, str]]
) -> None:
    path = row.path.format(**row.params(targets))
    query = dict(row.query)
    if row.path.startswith("/v1/verify/"):
        query["code"] = targets.decision["verification_code"]
    body = submission() if row.body == "submission" else row.body
    wrong: list[str] = []
    for name in CALLERS:
        kwargs: dict[str, Any] = {"headers": callers[name], "params": query}
        if body is not None:
            kwargs["json"] = body
        response = world_client.request(row.method, path, **kwargs)
        status = response.status_code
        if status != row.expected[name]:
            wrong.append(f"{name}: {status}, expected {row.expected[name]}: {response.text[:200]}")
            continue
        if status >= 400:
            if response.headers["content-type"] != "application/problem+json":
                wrong.append(f"{name}: {status} is not a problem document")
            elif response.json()["status"] != status:
                wrong.append(f"{name}: the problem's status is not {status}")
        if status == 401 and "www-authenticate" not in response.headers:
            wrong.append(f"{name}: a 401 without WWW-Authenticate")
    assert not wrong, f"{row.method} {path}:\n" + "\n".join(wrong)
