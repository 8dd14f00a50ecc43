"""The store of the tamper-evidence tests (test_audit_tampering.py), one sealed case per
test, and a tamperer's tools: the stored events read and rewritten with SQL, a chain
consistently recomputed, and the verifications that judge them.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg import sql
from psycopg.rows import dict_row

from api.app import create_app
from application.principal import Principal
from domain.audit_chain import event_hash, link
from domain.context import CommandContext
from infrastructure.audit import VerificationReport
from infrastructure.container import Container
from infrastructure.database import DatabaseConfig
from tests.conftest import TEST_NOW
from tests.e2e.cases import citizen, paid_and_decided
from tests.fakes.adapters import FixedClock
from tests.integration.live import live_container

YAGONA = str(Path(sys.executable).parent / "yagona")
AUDITOR = Principal("auditor-7", "auditor")
CTX = CommandContext(actor="auditor-7", role="auditor", correlation_id="audit-test")
PINFLS = [
    "31503901234567",
    "42207951234561",
    "51212051234567",
    "30101851234568",
    "40202901234562",
    "31111801234563",
    "42512881234564",
    "50303951234565",
    "31010751234566",
    "42002001234567",
]


@pytest.fixture(scope="module")
def store(
    test_database: DatabaseConfig, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    with live_container(
        test_database, tmp_path_factory.mktemp("audit"), FixedClock(TEST_NOW)
    ) as container:
        with TestClient(create_app(container)) as client:
            keys = [
                str(paid_and_decided(client, container, citizen(pinfl, name=None))["id"])
                for pinfl in PINFLS
            ]
        container.wait_for_projections()
        container.stop_workers()  # nothing follows the forged rows from here on
        assert container.seals.seal() is not None
        yield Store(container, keys, tuple(keys))


@dataclass
class Store:
    container: Container
    unused: list[str]  # cases no test has tampered with yet
    keys: tuple[str, ...]


@pytest.fixture
def case(store: Store) -> tuple[Container, UUID]:
    """A case of its own for each test (the store holds one per test)."""
    return store.container, UUID(store.unused.pop())


def events_table(container: Container, stream: str = "cases") -> sql.Identifier:
    return sql.Identifier(container.settings.db_schema, f"{stream}_events")


def links_table(container: Container) -> sql.Identifier:
    return sql.Identifier(container.settings.db_schema, "audit_links")


def connect(container: Container) -> psycopg.Connection[dict[str, Any]]:
    """An autocommit connection whose rows are dicts, as a tamperer's psql session."""
    return psycopg.connect(container.database.conninfo(), autocommit=True, row_factory=dict_row)


def stored(container: Container, aggregate_id: UUID) -> list[tuple[int, str, bytes]]:
    with connect(container) as conn:
        rows = conn.execute(
            sql.SQL(
                "SELECT originator_version, topic, state FROM {} WHERE originator_id = %s "
                "ORDER BY originator_version"
            ).format(events_table(container)),
            (aggregate_id,),
        ).fetchall()
    return [(int(r["originator_version"]), str(r["topic"]), bytes(r["state"])) for r in rows]


def set_event(
    container: Container, aggregate_id: UUID, version: int, topic: str, state: bytes
) -> None:
    with connect(container) as conn:
        conn.execute(
            sql.SQL(
                "UPDATE {} SET topic = %s, state = %s "
                "WHERE originator_id = %s AND originator_version = %s"
            ).format(events_table(container)),
            (topic, state, aggregate_id, version),
        )


def verify(container: Container, application_id: UUID) -> VerificationReport:
    report = container.audit.verify(AUDITOR, CTX, str(application_id))
    assert isinstance(report, VerificationReport)
    return report


def only_finding(report: VerificationReport) -> Any:
    assert not report.intact
    assert len(report.findings) == 1, report.findings
    return report.findings[0]


def rewrite_chain(container: Container, application_id: UUID, from_version: int) -> None:
    """Change an event and recompute every later hash and link: a consistent forgery."""
    events = stored(container, application_id)
    version, topic, state = events[from_version - 1]
    set_event(container, application_id, version, topic, state + b"\x00")
    with connect(container) as conn:
        previous = conn.execute(
            sql.SQL(
                "SELECT link FROM {} WHERE stream = 'Cases' AND aggregate_id = %s AND version = %s"
            ).format(links_table(container)),
            (application_id, from_version - 1),
        ).fetchone()["link"]
        for v, t, s in stored(container, application_id)[from_version - 1 :]:
            digest = event_hash(str(application_id), v, t, s)
            previous = link(previous, digest)
            conn.execute(
                sql.SQL(
                    "UPDATE {} SET event_hash = %s, link = %s WHERE stream = 'Cases' "
                    "AND aggregate_id = %s AND version = %s"
                ).format(links_table(container)),
                (digest, previous, application_id, v),
            )


def cli_env(container: Container) -> dict[str, str]:
    settings = container.settings
    return {
        "YAGONA_DATABASE_URL": settings.database_url or "",
        "YAGONA_DB_SCHEMA": settings.db_schema,
        "YAGONA_DATA_DIR": str(settings.data_dir),
        "YAGONA_CIPHER_KEY": settings.cipher_key.get_secret_value() if settings.cipher_key else "",
        "YAGONA_LOG_LEVEL": "WARNING",
    }
