"""Health, readiness, metrics, request ids and the OpenAPI document."""

from __future__ import annotations

import dataclasses
import re

import pytest
from eventsourcing.persistence import OperationalError
from fastapi.testclient import TestClient

from api.app import create_app
from infrastructure.container import Container


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_the_database_and_reports_projection_lag(client: TestClient) -> None:
    body = client.get("/readyz").json()
    assert body["status"] == "ready"
    assert body["database"] == "ok"
    names = {p["name"]: p for p in body["projections"]}
    assert set(names) == {
        "catalogue",
        "citizen_applications",
        "citizen_payments",
        "officer_queue",
        "decisions_register",
        "payments_ledger",
        "audit_actions_cases",
        "audit_actions_payments",
        "audit_actions_catalogue",
        "notifications",
        "kpi_cases",
        "kpi_payments",
    }
    assert names["catalogue"]["lag"] == 0


def test_readyz_is_a_503_problem_when_the_database_is_unreachable(seeded: Container) -> None:
    unreachable = dataclasses.replace(seeded.database, host="127.0.0.1", port=1, dbname="nowhere")
    broken = dataclasses.replace(seeded, database=unreachable)
    with TestClient(create_app(broken)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["database"] == "unreachable"


def test_request_id_is_returned_and_a_callers_one_is_kept(client: TestClient) -> None:
    generated = client.get("/healthz").headers["x-request-id"]
    assert len(generated) == 32
    kept = client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"]
    assert kept == "abc-123"
    replaced = client.get("/healthz", headers={"X-Request-ID": "bad id\n"}).headers["x-request-id"]
    assert replaced != "bad id\n"


def test_metrics_count_requests_by_route_template(client: TestClient) -> None:
    client.get("/v1/territories/1703")
    text = client.get("/metrics").text
    assert (
        'yagona_http_requests_total{method="GET",route="/v1/territories/{code}",status="200"}'
        in text
    )
    assert "yagona_projection_lag_events" in text


def test_openapi_documents_the_catalogue(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in (
        "/v1/services",
        "/v1/services/{code}",
        "/v1/services/{code}/form",
        "/v1/agencies",
        "/v1/territories",
        "/healthz",
        "/readyz",
        "/metrics",
    ):
        assert path in spec["paths"], path
    assert client.get("/docs").status_code == 200


def test_an_unexpected_error_is_a_500_problem_without_internals(
    seeded: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_: object, **__: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(seeded.catalogue_view, "list_services", explode)
    with TestClient(create_app(seeded), raise_server_exceptions=False) as client:
        response = client.get("/v1/services")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text
    assert response.json()["request_id"] == response.headers["x-request-id"]


def test_a_database_outage_during_a_query_is_a_503_problem(
    seeded: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(*_: object, **__: object) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(seeded.catalogue_view, "get_service", unreachable)
    with TestClient(create_app(seeded), raise_server_exceptions=False) as client:
        response = client.get("/v1/services/anything")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert response.json()["type"] == "urn:yagona:problem:service-unavailable"


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_documentation_loads_nothing_from_another_origin(client: TestClient, page: str) -> None:
    """Offline, a page whose scripts come from a CDN is blank."""
    html = client.get(page)
    assert html.status_code == 200
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html.text)
    assert any(a.endswith(".js") for a in assets), assets
    for asset in assets:
        assert asset.startswith("/"), f"{asset} is not ours"
        assert not asset.startswith("//"), f"{asset} is not ours"
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert len(served.content) > 1000, asset
        if asset.endswith(".js"):
            assert "javascript" in served.headers["content-type"], asset
        if asset.endswith(".css"):
            assert served.headers["content-type"].startswith("text/css"), asset
    assert "cdn" not in html.text.lower()
