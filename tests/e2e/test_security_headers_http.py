"""Security headers on every kind of answer, and who may read /metrics (security issue,
item 7)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.security_headers import DOCS_CSP, HSTS, STRICT_CSP
from infrastructure.container import Container
from infrastructure.settings import Settings
from tests.e2e.cases import citizen, headers, submission

TOKEN = "metrics-token-0123456789abcdef"


def _with_settings(seeded: Container, **changes: Any) -> Container:
    """The seeded container with other settings (only what routes read at request time)."""
    settings = Settings(**{**seeded.settings.model_dump(), **changes})
    return dataclasses.replace(seeded, settings=settings)


@pytest.fixture
def production(seeded: Container) -> Iterator[TestClient]:
    container = _with_settings(seeded, env="production")
    with TestClient(create_app(container)) as client:
        yield client


def _assert_every_response_headers(response: Any) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_json_and_problem_answers_carry_nosniff_and_referrer_policy(client: TestClient) -> None:
    ok = client.get("/healthz")
    assert ok.headers["content-type"].startswith("application/json")
    _assert_every_response_headers(ok)
    problem = client.get("/v1/services/no-such-service")
    assert problem.status_code == 404
    assert problem.headers["content-type"].startswith("application/problem+json")
    _assert_every_response_headers(problem)
    unknown_route = client.get("/no/such/route")
    _assert_every_response_headers(unknown_route)
    for answer in (ok, problem, unknown_route):  # HTML-only headers stay off JSON
        assert "content-security-policy" not in answer.headers
        assert "x-frame-options" not in answer.headers
        assert "strict-transport-security" not in answer.headers  # development


def test_the_sandbox_page_gets_the_strict_policy_and_needs_no_inline_style(
    client: TestClient, seeded: Container
) -> None:
    body = submission("marriage-registration")
    created = client.post("/v1/applications", json=body, headers=headers(seeded, citizen()))
    assert created.status_code == 201, created.text
    started = client.post(
        f"/v1/applications/{created.json()['id']}/payments", headers=headers(seeded, citizen())
    )
    assert started.status_code == 200, started.text
    page = client.get("/" + started.json()["confirmation_url"].split("/", 3)[3])
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    _assert_every_response_headers(page)
    assert page.headers["content-security-policy"] == STRICT_CSP
    assert page.headers["x-frame-options"] == "DENY"
    assert "style=" not in page.text
    assert "<style" not in page.text
    assert "<script" not in page.text


def test_the_documentation_pages_get_their_own_policy_and_their_files_load(
    client: TestClient,
) -> None:
    for path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
        page = client.get(path)
        assert page.status_code == 200, path
        _assert_every_response_headers(page)
        assert page.headers["content-security-policy"] == DOCS_CSP, path
        assert page.headers["x-frame-options"] == "DENY"
    assert "'unsafe-inline'" not in STRICT_CSP
    docs = client.get("/docs").text
    script = docs.split('<script src="', 1)[1].split('"', 1)[0]
    assert script.startswith("/docs/static/")  # 'self', allowed by both policies
    loaded = client.get(script)
    assert loaded.status_code == 200
    _assert_every_response_headers(loaded)
    assert "javascript" in loaded.headers["content-type"]  # nosniff needs the right type


def test_production_adds_hsts_to_every_answer(production: TestClient, client: TestClient) -> None:
    for path in ("/healthz", "/docs", "/v1/services/no-such-service"):
        assert production.get(path).headers["strict-transport-security"] == HSTS
        assert "strict-transport-security" not in client.get(path).headers


def test_metrics_are_open_in_development(client: TestClient) -> None:
    response = client.get("/metrics")
    assert response.status_code == 200
    _assert_every_response_headers(response)


def test_metrics_with_a_token_refuse_a_missing_or_wrong_one(seeded: Container) -> None:
    container = _with_settings(seeded, metrics_token=TOKEN)
    with TestClient(create_app(container)) as client:
        for given in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
            refused = client.get("/metrics", headers=given)
            assert refused.status_code == 401, given
            assert refused.headers["content-type"].startswith("application/problem+json")
            assert refused.headers["www-authenticate"].startswith("Bearer")
            assert refused.json()["type"] == "urn:yagona:problem:unauthenticated"
            assert TOKEN not in refused.text
        allowed = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert allowed.status_code == 200
        assert "yagona" in allowed.text or "http_" in allowed.text


def test_metrics_with_an_allow_list_answer_only_those_addresses(seeded: Container) -> None:
    container = _with_settings(seeded, metrics_allow="10.0.0.0/8, 2001:db8::1")
    app = create_app(container)
    for peer, status in (
        ("10.1.2.3", 200),
        ("2001:db8::1", 200),
        ("192.0.2.7", 403),
        ("testclient", 403),  # TestClient's default peer is not an address: refused
    ):
        with TestClient(app, client=(peer, 50000)) as client:
            response = client.get("/metrics")
        assert response.status_code == status, peer
        if status == 403:
            assert response.headers["content-type"].startswith("application/problem+json")
            assert response.json()["type"] == "urn:yagona:problem:forbidden"


def test_metrics_with_both_need_the_address_and_the_token(seeded: Container) -> None:
    container = _with_settings(seeded, metrics_allow="10.0.0.0/8", metrics_token=TOKEN)
    app = create_app(container)
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(app, client=("10.1.2.3", 50000)) as inside:
        assert inside.get("/metrics").status_code == 401
        assert inside.get("/metrics", headers=bearer).status_code == 200
    with TestClient(app, client=("192.0.2.7", 50000)) as outside:
        assert outside.get("/metrics", headers=bearer).status_code == 403
