"""Shared fixtures: a PostgreSQL server for integration and end-to-end tests.

``YAGONA_TEST_DATABASE_URL`` points the suite at a server (CI uses 127.0.0.1:5432);
without it the embedded server from the pip wheel is started for the session. Either way
each run gets a fresh database, dropped at the end, and tests that write get a fresh schema.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from psycopg import sql

from application.rate_limits import LIMITS
from infrastructure.container import Container, build_container
from infrastructure.database import DatabaseConfig
from infrastructure.embedded_postgres import start_embedded, stop_embedded
from infrastructure.logging import configure_logging
from infrastructure.settings import Settings
from infrastructure.webhooks import HttpSender, SystemResolver
from tests.fakes.adapters import FixedClock
from tests.fakes.network import StubResolver, loopback_only

RATE_LIMIT_SETTINGS = tuple(
    f"YAGONA_RATE_LIMIT_{name.upper()}_PER_{scope}"
    for name in LIMITS
    for scope in ("ADDRESS", "SUBJECT")
)
# The date the suite lives on: after the 2025-08-01 BHM change, a Friday in Tashkent.
TEST_NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


def pytest_configure(config: pytest.Config) -> None:
    """Log as the CLI does: structlog left unconfigured renders tracebacks with their local
    variables (slow on large objects, and locals hold personal data). The rate limits are
    off for the suite (its thousands of requests come from one address), servers it starts
    included; tests of the limits set their own (tests/*/test_rate_limits*.py)."""
    for name in RATE_LIMIT_SETTINGS:
        os.environ.setdefault(name, "off")
    configure_logging(Settings())


# Modules whose tests put the machine under load (processes killed, a database restarted,
# each with clients hammering it): under pytest-xdist they share one worker, one at a time.
UNDER_LOAD = (
    "tests/reliability/test_crash_under_load.py",
    "tests/reliability/test_database_restart.py",
)


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``make test`` runs the suite on two xdist workers with ``--dist loadgroup``: each
    module is one group, so its module-scoped fixtures (a seeded schema, a live server)
    are built once, on one worker; the load tests form a single group."""
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        group = "under-load" if path in UNDER_LOAD else path
        item.add_marker(pytest.mark.xdist_group(group))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--long", action="store_true", help="also run the long reliability tests (marked long)"
    )


@pytest.fixture(scope="session", autouse=True)
def no_outside_network() -> Iterator[None]:
    """Every container built in this process resolves webhook hosts with the stub resolver
    and opens webhook connections to loopback only: no test sends a packet elsewhere (a DNS
    query included) — ``tests/fakes/network.py``."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SystemResolver, "resolve", lambda self, host: StubResolver().resolve(host))
        patch.setattr(HttpSender, "open_socket", staticmethod(loopback_only))
        yield


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseConfig]:
    url = os.environ.get("YAGONA_TEST_DATABASE_URL")
    if url:
        yield DatabaseConfig.from_url(url)
        return
    data_dir = tmp_path_factory.mktemp("embedded-pg")
    config = start_embedded(data_dir)
    yield config.with_dbname("postgres")
    stop_embedded(data_dir)


@pytest.fixture(scope="session")
def test_database(postgres_server: DatabaseConfig) -> Iterator[DatabaseConfig]:
    """A database of this run's own, dropped when the run ends."""
    name = f"yagona_test_{uuid.uuid4().hex[:10]}"
    with postgres_server.connect() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield postgres_server.with_dbname(name)
    with postgres_server.connect() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


TEST_CIPHER_KEY = "q3r7Yk0pX8Vb2LmN4sD6fG9hJ1kL3zX5cV7bN9mQ2wE="


def settings_for(
    database: DatabaseConfig, schema: str, data_dir: Path, **overrides: object
) -> Settings:
    return Settings(  # type: ignore[arg-type]
        database_url=database.url(),
        db_schema=schema,
        data_dir=data_dir,
        cipher_key=TEST_CIPHER_KEY,
        **overrides,
    )


@pytest.fixture
def fresh_schema(test_database: DatabaseConfig) -> Iterator[str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield schema
    with test_database.connect() as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        conn.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                sql.Identifier(f"{schema}_rebuild_catalogue")
            )
        )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TEST_NOW)


@pytest.fixture
def container(
    test_database: DatabaseConfig, fresh_schema: str, clock: FixedClock, tmp_path: Path
) -> Iterator[Container]:
    """A container over a fresh schema, without background workers."""
    built = build_container(settings_for(test_database, fresh_schema, tmp_path), clock=clock)
    yield built
    built.close()


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
