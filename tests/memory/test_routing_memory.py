"""Submissions are routed by the catalogue's own state to the agency responsible for the
territory; a territory or service the catalogue does not know is a clear problem."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from infrastructure.container import Container
from tests.e2e.cases import AGENCY, DISTRICT, citizen, headers, officer, submission
from tests.memory.support import problem, submitted


def test_the_container_has_no_database(container: Container) -> None:
    assert container.database is None
    assert container.in_memory
    assert container.catalogue_caught_up(timeout=0)
    assert all(row["lag"] == 0 for row in container.projection_status())


def test_readiness_needs_no_database(client: TestClient) -> None:
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["status"] == "ready"


def test_a_district_service_goes_to_the_districts_agency(
    client: TestClient, container: Container
) -> None:
    application = submitted(client, container)
    assert application["agency_code"] == AGENCY
    assert application["territory"] == DISTRICT
    assert application["status"] == "queued"


def test_the_location_header_names_the_new_application(
    client: TestClient, container: Container
) -> None:
    response = client.post(
        "/v1/applications", json=submission(), headers=headers(container, citizen())
    )
    assert response.status_code == 201
    assert response.headers["location"] == f"/v1/applications/{response.json()['id']}"


def test_another_district_goes_to_its_own_agency(client: TestClient, container: Container) -> None:
    application = submitted(client, container, territory="1706204")
    assert application["agency_code"] == "justice-1706204"


def test_the_applicant_and_the_responsible_officer_read_it(
    client: TestClient, container: Container
) -> None:
    application = submitted(client, container)
    for who in (citizen(), officer()):
        read = client.get(f"/v1/applications/{application['id']}", headers=headers(container, who))
        assert read.status_code == 200, read.text
        assert read.json()["agency_code"] == AGENCY


def test_tracking_numbers_address_an_application_too(
    client: TestClient, container: Container
) -> None:
    application = submitted(client, container)
    read = client.get(
        f"/v1/applications/{application['tracking_number']}", headers=headers(container, citizen())
    )
    assert read.status_code == 200
    assert read.json()["id"] == application["id"]


def test_an_unknown_territory_is_a_422_naming_it(client: TestClient, container: Container) -> None:
    unknown = problem(
        client.post(
            "/v1/applications",
            json=submission(territory="1703999"),
            headers=headers(container, citizen()),
        ),
        422,
    )
    assert "1703999" in unknown["detail"]


def test_a_region_is_not_where_a_district_service_is_routed(
    client: TestClient, container: Container
) -> None:
    region = problem(
        client.post(
            "/v1/applications",
            json=submission(territory="1703"),
            headers=headers(container, citizen()),
        ),
        422,
    )
    assert "district or city" in region["detail"]


def test_an_unknown_service_is_a_problem(client: TestClient, container: Container) -> None:
    body = {**submission(), "service_code": "no-such-service"}
    problem(client.post("/v1/applications", json=body, headers=headers(container, citizen())), 422)


def test_an_unknown_application_is_404(client: TestClient, container: Container) -> None:
    missing = "00000000-0000-0000-0000-000000000000"
    problem(client.get(f"/v1/applications/{missing}", headers=headers(container, citizen())), 404)


def test_an_unknown_route_is_a_404_problem(client: TestClient) -> None:
    assert client.get("/v1/no-such-thing").status_code == 404


def test_memory_persistence_refuses_a_missing_adapter(tmp_path: object) -> None:
    from infrastructure.bootstrap import MissingAdapter, bootstrap  # noqa: PLC0415
    from infrastructure.settings import Settings  # noqa: PLC0415
    from tests.conftest import TEST_CIPHER_KEY  # noqa: PLC0415

    settings = Settings(data_dir=tmp_path, cipher_key=TEST_CIPHER_KEY)  # type: ignore[arg-type]
    with pytest.raises(MissingAdapter, match="blobs, provider, notifier, read_models, adapters"):
        bootstrap(settings, persistence="memory")


def test_the_tier_cannot_reach_postgresql() -> None:
    import psycopg  # noqa: PLC0415

    from tests.memory.conftest import PostgresTouched  # noqa: PLC0415

    with pytest.raises(PostgresTouched):
        psycopg.connect("postgresql://postgres@127.0.0.1:55432/postgres")
