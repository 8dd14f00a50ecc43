"""The whole-store commands through the real ``yagona`` executable, on PostgreSQL: ``audit
verify`` without ``--application`` (with its progress and rate) and ``projections
rebuild`` (with its progress), over a seeded store whose event counts are known."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from psycopg import sql

from application.seeding import seed
from domain.context import CommandContext
from infrastructure.container import build_container
from infrastructure.database import DatabaseConfig
from infrastructure.reference_data import load_reference_data
from infrastructure.settings import Settings
from infrastructure.workers import PROJECTIONS
from tests.conftest import TEST_NOW, settings_for
from tests.fakes.adapters import FixedClock
from tests.integration.helpers import count_events

YAGONA = str(Path(sys.executable).parent / "yagona")


@dataclass(frozen=True)
class Store:
    settings: Settings
    events: int


@pytest.fixture(scope="module")
def seeded(
    test_database: DatabaseConfig, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """A store holding the seeded catalogue (and no cases); only the commands connect."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    settings = settings_for(test_database, schema, tmp_path_factory.mktemp("whole-store"))
    container = build_container(settings, clock=FixedClock(TEST_NOW))
    try:
        ctx = CommandContext(actor="system:seed", role="system", correlation_id="whole-store")
        seed(container.catalogue, load_reference_data(), ctx, today=TEST_NOW.date())
    finally:
        container.close()
    yield Store(settings, count_events(test_database, schema))
    with test_database.connect() as conn:
        for each in (schema, *(f"{schema}_rebuild_{spec.name}"[:63] for spec in PROJECTIONS)):
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(each)))


def run(store: Store, *args: str) -> subprocess.CompletedProcess[str]:
    settings = store.settings
    assert settings.cipher_key is not None
    env = {
        **os.environ,
        "YAGONA_DATABASE_URL": settings.database_url or "",
        "YAGONA_DB_SCHEMA": settings.db_schema,
        "YAGONA_DATA_DIR": str(settings.data_dir),
        "YAGONA_CIPHER_KEY": settings.cipher_key.get_secret_value(),
        "YAGONA_LOG_LEVEL": "WARNING",
        "COLUMNS": "100",
    }
    return subprocess.run(
        [YAGONA, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_verifying_an_intact_whole_store_reports_intact_with_progress_and_rate(
    seeded: Store,
) -> None:
    events = seeded.events
    assert events > 1000  # the seeded catalogue

    text = run(seeded, "audit", "verify")
    assert text.returncode == 0, text.stderr
    # The progress bar's last state: every event of the store, and the rate.
    assert re.search(rf"verifying .*{events:,}/{events:,} events [\d,]+ events/s", text.stderr), (
        text.stderr
    )
    assert re.search(rf"^intact: {events:,} events in [\d,]+ chains", text.stderr, re.M), (
        text.stderr
    )

    as_json = run(seeded, "audit", "verify", "--json")
    assert as_json.returncode == 0, as_json.stderr
    body = json.loads(as_json.stdout)
    assert (body["intact"], body["events"], body["findings"]) == (True, events, [])
    assert body["events_per_second"] > 0


def test_rebuilding_every_read_model_shows_each_ones_progress(seeded: Store) -> None:
    events = seeded.events
    result = run(seeded, "projections", "rebuild")
    assert result.returncode == 0, result.stderr
    assert "None" not in result.stderr, result.stderr
    assert re.search(rf"catalogue .*{events:,}/{events:,} events", result.stderr), result.stderr
    # A read model of an empty stream has nothing to replay: 0 of 0, not an unknown total.
    assert re.search(r"officer_queue .*0/0 events", result.stderr), result.stderr
    for spec in PROJECTIONS:
        assert re.search(rf"^{spec.name}: \d+ events in ", result.stderr, re.M), result.stderr
