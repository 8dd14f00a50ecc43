"""A seeded container with its workers on a schema of its own, the callers of the API (with
their credentials) and factories of real cases, appeals, requests and payments, shared by
the reliability tests that talk HTTP."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import jwt
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Route

from api.app import create_app
from application.principal import Principal
from domain.context import CommandContext
from infrastructure.container import Container
from infrastructure.database import DatabaseConfig
from tests.conftest import TEST_NOW
from tests.documents import attachments
from tests.e2e.cases import (
    CITIZEN_A,
    CITIZEN_B,
    DISTRICT,
    citizen,
    officer,
    service_example,
    submission,
)
from tests.fakes.adapters import FixedClock
from tests.integration.live import live_container

ADMIN = Principal("admin-1", "admin")
ADMIN_CTX = CommandContext(actor="admin-1", role="admin", correlation_id="reliability")
JUSTICE = officer("officer-17", "justice-1703202")  # handles DISTRICT's civil registry
OTHER_JUSTICE = officer("officer-99", "justice-1706204")  # another district's
HOKIM = officer("hokim-clerk-1", "hokimiyat-1703202")  # answers DISTRICT's appeals
CADASTRE = officer("cadastre-clerk", "cadastre-1703202")  # receives inter-agency requests
AUDITOR = Principal("auditor-1", "auditor")
ALL_SCOPES = ("feed:read", "read-models:read", "personal-data:read", "webhooks:manage")


@pytest.fixture(scope="module")
def world_container(
    test_database: DatabaseConfig, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Container]:
    """A seeded container with every worker, on a fresh schema dropped afterwards (one
    module's at a time: a container with its workers holds many connections)."""
    data_dir: Path = tmp_path_factory.mktemp("reliability")
    with live_container(test_database, data_dir, FixedClock(TEST_NOW)) as container:
        yield container


@pytest.fixture(scope="module")
def world_client(world_container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(world_container)) as client:
        yield client


def bearer(container: Container, principal: Principal, **mint: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {container.tokens.mint(principal, **mint)}"}


def forged(principal: Principal) -> dict[str, str]:
    """A well-formed token of ``principal`` signed with a key the server does not trust."""
    now = int(TEST_NOW.timestamp())
    claims = {"iss": "yagona", "sub": principal.subject, "role": principal.role}
    claims |= {"iat": now, "exp": now + 3600}
    token = jwt.encode(claims, "another-key-nobody-trusts-0123456789abcdef", algorithm="HS256")
    return {"Authorization": f"Bearer {token}"}


def api_key(container: Container, *scopes: str, name: str = "Bank") -> dict[str, str]:
    issued = container.integrators.create(ADMIN, ADMIN_CTX, name=name, scopes=list(scopes))
    return {"X-API-Key": issued.api_key}


def api_routes(routes: list[BaseRoute], prefix: str = "") -> Iterator[APIRoute]:
    """Every API route of an app, through included routers."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            context = getattr(route, "include_context", None)
            yield from api_routes(included.routes, prefix + getattr(context, "prefix", ""))
        elif isinstance(route, APIRoute):
            yield route


def app_routes(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path) of every route, through included routers (HEAD left out)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            context = getattr(route, "include_context", None)
            yield from app_routes(included.routes, prefix + getattr(context, "prefix", ""))
        elif isinstance(route, APIRoute | Route):
            for method in route.methods or ():
                if method != "HEAD":
                    yield method, prefix + route.path


@dataclass
class World:
    """Real objects the tests act on, made over HTTP like a client would."""

    container: Container
    client: TestClient

    def as_(self, who: Principal) -> dict[str, str]:
        return bearer(self.container, who)

    def post(self, path: str, who: Principal, expect: int = 200, **kw: Any) -> dict[str, Any]:
        response = self.client.post(path, headers=self.as_(who), **kw)
        assert response.status_code == expect, (path, response.text)
        return dict(response.json())

    # --- applications ----------------------------------------------------------------

    def application(self, who: Principal | None = None, **changes: Any) -> dict[str, Any]:
        """A free application in DISTRICT, queued at justice-1703202."""
        return self.post("/v1/applications", who or citizen(), 201, json=submission(**changes))

    def accepted(self) -> dict[str, Any]:
        key = self.application()["id"]
        return self.post(f"/v1/applications/{key}/acceptance", JUSTICE)

    def awaiting_information(self) -> dict[str, Any]:
        key = self.accepted()["id"]
        return self.post(
            f"/v1/applications/{key}/information-requests",
            JUSTICE,
            json={"message": "Please attach a clearer scan."},
        )

    def decided(self) -> dict[str, Any]:
        key = self.accepted()["id"]
        body = {"outcome": "approved", "reasons": "Checked.", "legal_basis": "Art. 1"}
        return self.post(f"/v1/applications/{key}/decision", JUSTICE, 201, json=body)

    def awaiting_payment(self) -> dict[str, Any]:
        """A paid service's application, its fee not yet paid."""
        body = {
            "service_code": "marriage-registration",
            "territory": DISTRICT,
            "form": service_example("marriage-registration"),
            "attachments": attachments("marriage-registration"),
        }
        created = self.post("/v1/applications", citizen(), 201, json=body)
        assert created["status"] == "awaiting_payment", created
        return created

    def started_payment(self) -> dict[str, Any]:
        key = self.awaiting_payment()["id"]
        return self.post(f"/v1/applications/{key}/payments", citizen())

    def paid(self) -> dict[str, Any]:
        """A paid application (its payment succeeded on the sandbox page; in its ledger)."""
        payment = self.started_payment()
        page = "/" + payment["confirmation_url"].split("/", 3)[3]
        response = self.client.post(page, json={"outcome": "succeeded"})
        assert response.status_code == 200, response.text
        self.container.wait_for_projections()
        deadline = time.monotonic() + 30
        while self.container.payments_ledger.entry(payment["id"]) is None:
            assert time.monotonic() < deadline, "the payment did not reach the ledger"
            time.sleep(0.05)
        return payment

    # --- appeals and inter-agency requests -------------------------------------------

    def appeal(self) -> dict[str, Any]:
        body = {"territory": DISTRICT, "subject": "utilities", "text": "No water since Monday."}
        return self.post("/v1/appeals", citizen(), 201, json=body)

    def answered_appeal(self) -> dict[str, Any]:
        number = self.appeal()["number"]
        return self.post(f"/v1/appeals/{number}/answer", HOKIM, json={"text": "Repaired."})

    def inter_agency_request(self) -> dict[str, Any]:
        key = self.accepted()["id"]
        body = {
            "to_agency": CADASTRE.agency,
            "requested_data": "The registered address",
            "purpose": "Verify residence",
            "legal_basis": "Regulation on inter-agency electronic interaction",
        }
        return self.post(f"/v1/applications/{key}/inter-agency-requests", JUSTICE, 201, json=body)

    # --- integrators -----------------------------------------------------------------

    def webhook(self, key: dict[str, str]) -> dict[str, Any]:
        body = {"url": "https://bank.example/hooks", "event_types": ["Payment"]}
        response = self.client.post("/v1/webhooks", headers=key, json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    # --- the staff directory ---------------------------------------------------------

    def staff_member(self) -> str:
        """The subject of an auditor freshly appointed by an administrator over HTTP."""
        subject = f"auditor-{uuid4().hex[:12]}"
        self.post("/v1/staff", ADMIN, 201, json={"subject": subject, "role": "auditor"})
        return subject


__all__ = [
    "ADMIN",
    "ADMIN_CTX",
    "ALL_SCOPES",
    "AUDITOR",
    "CADASTRE",
    "CITIZEN_A",
    "CITIZEN_B",
    "HOKIM",
    "JUSTICE",
    "OTHER_JUSTICE",
    "World",
    "api_key",
    "api_routes",
    "app_routes",
    "bearer",
    "forged",
    "world_client",
    "world_container",
]
