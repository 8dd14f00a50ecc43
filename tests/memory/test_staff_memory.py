"""Identity from the right source, over HTTP: with an identity provider configured, a
caller's role comes from the staff directory (``/v1/staff``, administrators only), never
from a claim in the provider's token, and local tokens are refused unless allowed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from application.seeding import ReferenceData, seed
from domain.context import CommandContext
from infrastructure.container import Container
from tests.conftest import TEST_NOW
from tests.e2e.cases import AGENCY, CITIZEN_A, OTHER_AGENCY, citizen, headers, submission
from tests.fakes.adapters import FixedClock
from tests.fakes.identity_provider import Provider
from tests.memory.conftest import memory_container
from tests.memory.support import ADMIN, api_key, problem

OPERATOR = CommandContext(actor="cli:root", role="admin", correlation_id="staff-memory")


def idp_container(
    folder: Path, reference: ReferenceData, provider: Provider, **settings: object
) -> Container:
    """A seeded in-memory container trusting ``provider``, with one administrator
    appointed (as the CLI appoints the first one)."""
    built = memory_container(folder, FixedClock(TEST_NOW), jwt_jwks_url=provider.url, **settings)
    container = built.container
    ctx = CommandContext(actor="system:seed", role="system", correlation_id="memory")
    seed(container.catalogue, reference, ctx, today=TEST_NOW.date())
    container.staff.appoint(ADMIN, OPERATOR, subject="admin-1", role="admin")
    return container


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Provider:
    return Provider(tmp_path_factory.mktemp("oneid-keys"))


@pytest.fixture(scope="module")
def idp_client(
    no_postgres: None,
    reference: ReferenceData,
    idp: Provider,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[TestClient]:
    container = idp_container(tmp_path_factory.mktemp("idp"), reference, idp)
    with TestClient(create_app(container)) as client:
        yield client
    container.close()


def container_of(client: TestClient) -> Container:
    container: Container = client.app.state.container  # type: ignore[attr-defined]
    return container


def appoint(client: TestClient, idp: Provider, expect: int = 201, **body: object) -> dict[str, Any]:
    response = client.post("/v1/staff", json=body, headers=idp.bearer("admin-1"))
    assert response.status_code == expect, response.text
    result: dict[str, Any] = response.json()
    return result


def test_a_provider_token_claiming_admin_gets_no_admin_rights(
    idp_client: TestClient, idp: Provider
) -> None:
    as_citizen = idp_client.get("/v1/staff", headers=idp.bearer(CITIZEN_A, role="admin"))
    assert "only administrators manage the staff directory" in problem(as_citizen, 403)["detail"]
    assert idp_client.get("/v1/applications", headers=idp.bearer(CITIZEN_A)).status_code == 200
    stranger = idp_client.get("/v1/staff", headers=idp.bearer("root", role="admin"))
    refused = problem(stranger, 403)
    assert refused["type"] == "urn:yagona:problem:not-appointed"
    assert "root" not in refused["detail"]


def test_an_appointed_officer_acts_for_the_directorys_agency_whatever_the_token_claims(
    idp_client: TestClient, idp: Provider
) -> None:
    appoint(idp_client, idp, subject="officer-17", role="officer", agency=AGENCY)
    submitted = idp_client.post(
        "/v1/applications", json=submission(), headers=idp.bearer(CITIZEN_A, name="Aziza")
    )
    assert submitted.status_code == 201, submitted.text
    case = submitted.json()["id"]
    claims_other = idp.bearer("officer-17", role="admin", agency=OTHER_AGENCY)
    accepted = idp_client.post(f"/v1/applications/{case}/acceptance", headers=claims_other)
    assert accepted.status_code == 200, accepted.text
    assert problem(idp_client.get("/v1/staff", headers=claims_other), 403)


def test_after_revocation_the_next_request_is_refused(
    idp_client: TestClient, idp: Provider
) -> None:
    appoint(idp_client, idp, subject="auditor-9", role="auditor")
    token = idp.bearer("auditor-9")
    assert idp_client.get("/v1/read-models/payments", headers=token).status_code == 200
    revoked = idp_client.post(
        "/v1/staff/auditor-9/revocation", json={"reason": "Left"}, headers=idp.bearer("admin-1")
    )
    assert revoked.status_code == 200, revoked.text
    assert (revoked.json()["active"], revoked.json()["revoked_by"]) == (False, "admin-1")
    after = idp_client.get("/v1/read-models/payments", headers=token)
    assert problem(after, 403)["type"] == "urn:yagona:problem:not-appointed"


def test_local_tokens_are_refused_and_api_keys_still_work(
    idp_client: TestClient, idp: Provider
) -> None:
    container = container_of(idp_client)
    local = idp_client.get("/v1/staff", headers=headers(container, ADMIN))
    assert "local tokens are refused" in problem(local, 401)["detail"]
    key = api_key(container, "feed:read")
    assert idp_client.get("/v1/feed", headers=key).status_code == 200


def test_the_directory_over_http(idp_client: TestClient, idp: Provider) -> None:
    body = {"subject": "officer-42", "role": "officer", "agency": AGENCY, "position": "Head"}
    created = appoint(idp_client, idp, **body)
    assert (created["role"], created["agency"], created["appointed_by"]) == (
        "officer",
        AGENCY,
        "admin-1",
    )
    assert appoint(idp_client, idp, 200, **body) == created  # the same again: nothing changed
    admin = idp.bearer("admin-1")
    one = idp_client.get("/v1/staff/officer-42", headers=admin)
    assert one.json() == created
    page = idp_client.get("/v1/staff", params={"limit": 1}, headers=admin).json()
    assert [m["subject"] for m in page["items"]] == ["admin-1"]
    rest = idp_client.get("/v1/staff", params={"cursor": page["next"]}, headers=admin).json()
    assert "officer-42" in [m["subject"] for m in rest["items"]]
    officer = idp.bearer("officer-42")
    assert problem(idp_client.get("/v1/staff", headers=officer), 403)
    assert problem(idp_client.post("/v1/staff", json=body, headers=officer), 403)
    revoke = {"json": {"reason": "Retired"}, "headers": admin}
    assert idp_client.post("/v1/staff/officer-42/revocation", **revoke).status_code == 200
    assert (
        "already revoked"
        in problem(idp_client.post("/v1/staff/officer-42/revocation", **revoke), 409)["detail"]
    )
    problem(idp_client.post("/v1/staff/nobody/revocation", **revoke), 404)
    problem(idp_client.get("/v1/staff/nobody", headers=admin), 404)
    last = problem(idp_client.post("/v1/staff/admin-1/revocation", **revoke), 409)
    assert "last administrator" in last["detail"]


@pytest.mark.parametrize(
    ("body", "refusal"),
    [
        ({"subject": "x-1", "role": "integrator"}, "integrators hold API keys"),
        ({"subject": "x-1", "role": "officer", "agency": "nowhere-1"}, "no agency has code"),
        ({"subject": "x-1", "role": "auditor", "agency": AGENCY}, "only officers"),
        ({"subject": "a b", "role": "auditor"}, "a staff subject is"),
    ],
)
def test_appointments_refused_are_problems(
    idp_client: TestClient, idp: Provider, body: dict[str, str], refusal: str
) -> None:
    response = idp_client.post("/v1/staff", json=body, headers=idp.bearer("admin-1"))
    assert refusal in problem(response, 422)["detail"]


def test_a_development_setting_lets_local_tokens_through(
    no_postgres: None, reference: ReferenceData, idp: Provider, tmp_path: Path
) -> None:
    container = idp_container(tmp_path, reference, idp, allow_local_tokens=True)
    with TestClient(create_app(container)) as client:
        assert client.get("/v1/staff", headers=headers(container, ADMIN)).status_code == 200
        mine = client.get("/v1/applications", headers=headers(container, citizen()))
        assert mine.status_code == 200
    container.close()
