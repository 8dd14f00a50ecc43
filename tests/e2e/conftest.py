"""A seeded catalogue served over HTTP through the ASGI app, shared by a module's tests
(one module's container at a time, so a run stays well inside PostgreSQL's connections)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from application.seeding import ReferenceData, seed
from domain.context import CommandContext
from infrastructure.container import Container, build_container
from infrastructure.database import DatabaseConfig
from infrastructure.reference_data import load_reference_data
from tests.conftest import TEST_NOW, settings_for
from tests.fakes.adapters import FixedClock


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def reference() -> ReferenceData:
    return load_reference_data()


@pytest.fixture(scope="module")
def seeded(
    test_database: DatabaseConfig,
    reference: ReferenceData,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Container]:
    settings = settings_for(test_database, "e2e_catalogue", tmp_path_factory.mktemp("e2e"))
    container = build_container(settings, clock=FixedClock(TEST_NOW))
    ctx = CommandContext(actor="system:seed", role="system", correlation_id="e2e")
    seed(container.catalogue, reference, ctx, today=TEST_NOW.date())
    container.start_workers()  # read models follow what the tests write
    container.wait_for_projections(timeout=120)
    yield container
    container.close()


@pytest.fixture(scope="module")
def client(seeded: Container) -> Iterator[TestClient]:
    with TestClient(create_app(seeded)) as test_client:
        yield test_client
