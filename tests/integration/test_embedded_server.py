"""The embedded default: no database URL, a real PostgreSQL from the pip wheel."""

from __future__ import annotations

from pathlib import Path

import pytest

from application.seeding import seed
from domain.context import CommandContext
from infrastructure.container import build_container
from infrastructure.embedded_postgres import stop_embedded
from infrastructure.reference_data import load_reference_data
from infrastructure.settings import Settings
from projections.catalogue.view import ServiceFilter
from tests.conftest import TEST_NOW
from tests.fakes.adapters import FixedClock


@pytest.mark.embedded
def test_the_embedded_server_holds_the_event_store_and_the_read_model(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    settings = Settings(database_url=None, data_dir=data_dir)
    container = build_container(settings, clock=FixedClock(TEST_NOW))
    try:
        assert container.database.dbname == "yagona"
        assert Path(container.database.host).is_absolute()  # reached through its socket folder
        data = load_reference_data()
        ctx = CommandContext(actor="system:seed", role="system", correlation_id="embedded")
        report = seed(container.catalogue, data, ctx, today=TEST_NOW.date())
        assert report.created["service"] == len(data.services)
        container.start_workers()
        container.wait_for_projections(timeout=120)
        page = container.catalogue_view.list_services(ServiceFilter(), limit=5)
        assert len(page.items) == 5
        assert page.next is not None
        with container.database.connect() as conn:
            version = conn.execute("SHOW server_version").fetchone()
        assert version is not None
    finally:
        container.close()
        stop_embedded(data_dir)
    assert (data_dir / "postgres" / "PG_VERSION").exists()
