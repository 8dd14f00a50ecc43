"""Every endpoint × every kind of caller answers the status the authorization policy says.

The table (``ROWS``) names, for each route of the app, the action it takes in the
application's one authorization table (``application.authorization.POLICY``). Each caller's
expected status is derived from that policy: 401 without a valid credential (none, expired,
signed with another key, an unknown API key), 403 for a role or scope the policy refuses
(404 for an action the policy hides), else the real outcome — narrowed, for a caller the
policy allows, only where the row says how the action's reach applies (another citizen's
case is 404, another agency's 403 or 404). Path parameters are real objects made over
HTTP. A route missing from the table fails the test, so a new endpoint cannot ship without
deciding who may call it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pytest
from fastapi.testclient import TestClient

from application.principal import Principal
from infrastructure.container import Container
from tests.e2e.cases import citizen, submission
from tests.policy_expectations import PolicyExpectations
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

UNAUTHENTICATED = (
    "anonymous",
    "expired_token",
    "foreign_signature",
    "unknown_api_key",
    "revoked_api_key",  # a client's key (every scope) after an administrator revoked it
)
CALLERS = (
    *UNAUTHENTICATED,
    "citizen",  # the applicant / appellant
    "other_citizen",
    "officer",  # justice-1703202: handles the cases, asks for data
    "other_officer",  # justice-1706204: has nothing to do with any of it
    "hokim",  # hokimiyat-1703202: answers the appeals
    "cadastre",  # cadastre-1703202: receives the inter-agency requests
    "auditor",
    "integrator",  # API key with every scope
    "unscoped_integrator",  # API key with personal-data:read only
    "other_integrator",  # another client, every scope
    "admin",
)
# Routes that are not part of the API: FastAPI's own documentation.
DOCUMENTATION = {
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
}


def expect(default: int = 403, *, public: bool = False, **overrides: int) -> dict[str, int]:
    """Each caller's status: ``default`` for every authenticated caller not named, 401 for
    the unauthenticated (or ``default`` too, for a ``public`` endpoint)."""
    unknown = set(overrides) - set(CALLERS)
    assert not unknown, f"no such callers: {unknown}"
    statuses = dict.fromkeys(UNAUTHENTICATED, default if public else 401)
    statuses |= {c: default for c in CALLERS if c not in UNAUTHENTICATED}
    return statuses | overrides


# Each authenticated caller's role and scopes, as the policy sees them.
PRINCIPALS: dict[str, Principal] = {
    "citizen": citizen(),
    "other_citizen": citizen(CITIZEN_B, name=None),
    "officer": JUSTICE,
    "other_officer": OTHER_JUSTICE,
    "hokim": HOKIM,
    "cadastre": CADASTRE,
    "auditor": AUDITOR,
    "integrator": Principal("client", "integrator", scopes=frozenset(ALL_SCOPES)),
    "unscoped_integrator": Principal(
        "client", "integrator", scopes=frozenset({"personal-data:read"})
    ),
    "other_integrator": Principal("other", "integrator", scopes=frozenset(ALL_SCOPES)),
    "admin": ADMIN,
}


EXPECT = PolicyExpectations(PRINCIPALS, UNAUTHENTICATED)
granted = EXPECT.granted


OTHER_CITIZEN = {"other_citizen": 404}
OTHER_OFFICERS = {"other_officer": 403, "hokim": 403, "cadastre": 403}
CASE_READERS = granted("application.read", **OTHER_CITIZEN, **OTHER_OFFICERS)
APPLICANT_ACTS = granted("application.act_as_applicant", **OTHER_CITIZEN)
HANDLER_ACTS = OTHER_OFFICERS
HIDDEN_FROM_OFFICERS = {"officer": 404, "other_officer": 404, "cadastre": 404}
SUBSCRIPTION_OWNER = granted("webhooks.subscription", other_integrator=404)


class Targets:
    """The real things paths name: shared ones made once, fresh ones for commands that
    change them (one caller succeeds on each)."""

    def __init__(self, world: World, keys: dict[str, dict[str, str]]) -> None:
        self.world = world
        self.keys = keys

    @cached_property
    def application(self) -> dict[str, Any]:
        return self.world.application()

    @cached_property
    def decision(self) -> dict[str, Any]:
        return self.world.decided()

    @cached_property
    def payment(self) -> dict[str, Any]:
        return self.world.paid()

    @cached_property
    def appeal(self) -> dict[str, Any]:
        return self.world.appeal()

    @cached_property
    def request(self) -> dict[str, Any]:
        return self.world.inter_agency_request()

    @cached_property
    def subscription(self) -> dict[str, Any]:
        return self.world.webhook(self.keys["integrator"])


Params = Callable[[Targets], dict[str, str]]


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    expected: dict[str, int]
    params: Params = lambda t: {}  # path parameters
    query: dict[str, Any] = field(default_factory=dict)
    body: Any = None


def shared_case(t: Targets) -> dict[str, str]:
    return {"key": t.application["tracking_number"]}


def decided_case(t: Targets) -> dict[str, str]:
    return {"key": t.decision["application"]["id"]}


CATALOGUE = expect(200, public=True)  # public: no action of the policy
DECISION = {"outcome": "approved", "reasons": "Checked.", "legal_basis": "Art. 1"}
REQUEST = {
    "to_agency": "cadastre-1703202",
    "requested_data": "The registered address",
    "purpose": "Verify residence",
    "legal_basis": "Regulation on inter-agency electronic interaction",
}
APPEAL = {"territory": "1703202", "subject": "utilities", "text": "The road is broken."}
MONTH = {"month": "2026-11"}

ROWS: tuple[Row, ...] = (
    # --- public: operations, the catalogue, verification, the payment provider's side
    Row("GET", "/healthz", CATALOGUE),
    Row("GET", "/readyz", CATALOGUE),
    Row("GET", "/metrics", CATALOGUE),
    Row("GET", "/v1/services", CATALOGUE),
    Row("GET", "/v1/services/{code}", CATALOGUE, lambda t: {"code": "birth-registration"}),
    Row("GET", "/v1/services/{code}/form", CATALOGUE, lambda t: {"code": "birth-registration"}),
    Row("GET", "/v1/territories", CATALOGUE, query={"flat": "true", "limit": "5"}),
    Row("GET", "/v1/territories/{code}", CATALOGUE, lambda t: {"code": "1703202"}),
    Row("GET", "/v1/agencies", CATALOGUE, query={"flat": "true", "limit": "5"}),
    Row("GET", "/v1/agencies/{key}", CATALOGUE, lambda t: {"key": "justice-1703202"}),
    Row(
        "GET",
        "/v1/verify/{registration_number}",
        CATALOGUE,
        lambda t: {"registration_number": t.decision["registration_number"]},
        query={"code": "placeholder"},  # replaced by the real code in the test
    ),
    Row(
        "GET",
        "/v1/payments/sandbox/{provider_payment_id}",
        CATALOGUE,
        lambda t: {"provider_payment_id": t.payment["provider_payment_id"]},
    ),
    Row(  # anyone with the link; a wrong outcome changes nothing
        "POST",
        "/v1/payments/sandbox/{provider_payment_id}",
        expect(422, public=True),
        lambda t: {"provider_payment_id": t.payment["provider_payment_id"]},
        body={"outcome": "maybe"},
    ),
    Row("POST", "/v1/payments/stripe/webhook", expect(404, public=True), body={}),
    Row("POST", "/v1/payments/sandbox/webhook", expect(400, public=True), body={}),
    # --- applications
    Row("POST", "/v1/applications", granted("application.submit", 201), body="submission"),
    Row("GET", "/v1/applications", granted("application.list_own")),
    Row("GET", "/v1/applications/{key}", CASE_READERS, shared_case),
    Row(
        "POST",
        "/v1/applications/{key}/information",
        APPLICANT_ACTS,
        lambda t: {"key": t.world.awaiting_information()["id"]},
        body={"message": "A clearer scan is attached."},
    ),
    Row(
        "POST",
        "/v1/applications/{key}/withdrawal",
        APPLICANT_ACTS,
        lambda t: {"key": t.world.application()["id"]},
        body={"reason": "Changed my mind."},
    ),
    Row(
        "POST",
        "/v1/applications/{key}/acceptance",
        granted("application.handle", **HANDLER_ACTS),
        lambda t: {"key": t.world.application()["id"]},
    ),
    Row(
        "POST",
        "/v1/applications/{key}/release",
        granted("application.handle", **HANDLER_ACTS),
        lambda t: {"key": t.world.accepted()["id"]},
    ),
    Row(
        "POST",
        "/v1/applications/{key}/information-requests",
        granted("application.handle", **HANDLER_ACTS),
        lambda t: {"key": t.world.accepted()["id"]},
        body={"message": "Please attach a clearer scan."},
    ),
    Row(
        "POST",
        "/v1/applications/{key}/decision",
        granted("application.handle", 201, **HANDLER_ACTS),
        lambda t: {"key": t.world.accepted()["id"]},
        body=DECISION,
    ),
    Row(
        "POST",
        "/v1/applications/{key}/closure",
        granted("application.handle", **HANDLER_ACTS),
        lambda t: {"key": t.world.decided()["application"]["id"]},
        body={"reason": "Result delivered."},
    ),
    Row("GET", "/v1/applications/{key}/result", CASE_READERS, decided_case),
    Row("GET", "/v1/queue", granted("queue.read")),
    Row("GET", "/v1/decisions", granted("decisions_register.read")),
    Row("GET", "/v1/me/access-log", granted("audit.own_access_log")),
    # --- payments
    Row(
        "POST",
        "/v1/applications/{key}/payments",
        granted("payment.pay", **OTHER_CITIZEN),
        lambda t: {"key": t.world.awaiting_payment()["id"]},
    ),
    Row(
        "GET",
        "/v1/payments/reconciliation",
        granted("payment.reconciliation"),
        query={"date": "2026-11-27"},
    ),
    Row(
        "GET", "/v1/payments/{payment_id}", CASE_READERS, lambda t: {"payment_id": t.payment["id"]}
    ),
    Row(
        "GET",
        "/v1/payments/{payment_id}/receipt",
        CASE_READERS,
        lambda t: {"payment_id": t.payment["id"]},
    ),
    Row(
        "POST",
        "/v1/payments/{payment_id}/corrections",
        granted("payment.correct"),
        lambda t: {"payment_id": t.world.started_payment()["id"]},
        body={"status": "failed", "reason": "The bank reported a chargeback."},
    ),
    # --- audit
    Row("GET", "/v1/audit/applications/{key}/history", granted("audit.read"), decided_case),
    Row("GET", "/v1/audit/applications/{key}/state", granted("audit.read"), decided_case),
    Row("GET", "/v1/audit/applications/{key}/verification", granted("audit.read"), decided_case),
    Row("GET", "/v1/audit/applications/{key}/export", granted("audit.read"), decided_case),
    Row(
        "GET",
        "/v1/audit/actors/{actor}/actions",
        granted("audit.read"),
        lambda t: {"actor": "officer-17"},
    ),
    # --- integrators
    Row("GET", "/v1/feed", granted("feed.read")),
    Row("GET", "/v1/read-models/applications-summary", granted("read_models.read")),
    Row("GET", "/v1/read-models/payments", granted("read_models.read")),
    Row("GET", "/v1/kpi", granted("kpi.read"), query=MONTH),
    Row("GET", "/v1/kpi/ranking", granted("kpi.read"), query=MONTH),
    Row(
        "POST",
        "/v1/webhooks",
        granted("webhooks.manage", 201),
        body={"url": "https://bank.example/hooks", "event_types": ["Payment"]},
    ),
    Row("GET", "/v1/webhooks", granted("webhooks.manage")),
    Row(
        "GET",
        "/v1/webhooks/{subscription_id}",
        SUBSCRIPTION_OWNER,
        lambda t: {"subscription_id": t.subscription["id"]},
    ),
    Row(
        "DELETE",
        "/v1/webhooks/{subscription_id}",
        granted("webhooks.subscription", 204, other_integrator=404),
        lambda t: {"subscription_id": t.world.webhook(t.keys["integrator"])["id"]},
    ),
    Row(
        "GET",
        "/v1/webhooks/{subscription_id}/deliveries",
        SUBSCRIPTION_OWNER,
        lambda t: {"subscription_id": t.subscription["id"]},
    ),
    # --- appeals
    Row("POST", "/v1/appeals", granted("appeal.file", 201), body=APPEAL),
    Row("GET", "/v1/appeals", granted("appeal.list_own")),
    Row(
        "GET",
        "/v1/appeals/{key}",
        granted("appeal.read", **OTHER_CITIZEN, **HIDDEN_FROM_OFFICERS),
        lambda t: {"key": t.appeal["number"]},
    ),
    Row(
        "POST",
        "/v1/appeals/{key}/answer",
        granted("appeal.handle", **HIDDEN_FROM_OFFICERS),
        lambda t: {"key": t.world.appeal()["number"]},
        body={"text": "Repaired."},
    ),
    Row(
        "POST",
        "/v1/appeals/{key}/extension",
        granted("appeal.handle", **HIDDEN_FROM_OFFICERS),
        lambda t: {"key": t.world.appeal()["number"]},
        body={"reason": "A site visit is needed."},
    ),
    Row(
        "POST",
        "/v1/appeals/{key}/dispute",
        granted("appeal.act_as_appellant", **OTHER_CITIZEN),
        lambda t: {"key": t.world.answered_appeal()["number"]},
        body={"reason": "Still no water."},
    ),
    Row(
        "POST",
        "/v1/appeals/{key}/rating",
        granted("appeal.act_as_appellant", **OTHER_CITIZEN),
        lambda t: {"key": t.world.answered_appeal()["number"]},
        body={"rating": 4},
    ),
    # --- inter-agency requests
    Row(
        "POST",
        "/v1/applications/{key}/inter-agency-requests",
        granted("application.handle", 201, **HANDLER_ACTS),
        lambda t: {"key": t.world.accepted()["id"]},
        body=REQUEST,
    ),
    Row(
        "GET",
        "/v1/inter-agency-requests/{key}",
        granted("inter_agency.read", other_officer=404, hokim=404),
        lambda t: {"key": t.request["number"]},
    ),
    Row(
        "POST",
        "/v1/inter-agency-requests/{key}/answer",
        granted("inter_agency.handle", officer=403, other_officer=404, hokim=404),
        lambda t: {"key": t.world.inter_agency_request()["number"]},
        body={"data": {"address": "Oltinkoʻl, Mustaqillik 12"}},
    ),
    Row(
        "POST",
        "/v1/inter-agency-requests/{key}/refusal",
        granted("inter_agency.handle", officer=403, other_officer=404, hokim=404),
        lambda t: {"key": t.world.inter_agency_request()["number"]},
        body={"reason": "Not held by this agency."},
    ),
)


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
