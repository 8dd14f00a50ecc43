"""What the benchmark scripts share: a seeded container on a fresh schema, dropped after."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from application.seeding import seed  # noqa: E402
from domain.context import CommandContext  # noqa: E402
from infrastructure.container import Container, build_container  # noqa: E402
from infrastructure.database import DatabaseConfig  # noqa: E402
from infrastructure.reference_data import load_reference_data  # noqa: E402
from infrastructure.settings import Settings  # noqa: E402
from tests.conftest import TEST_CIPHER_KEY, TEST_NOW  # noqa: E402
from tests.fakes.adapters import FixedClock  # noqa: E402

SEED = CommandContext(actor="bench", role="system", correlation_id="bench")


def add_database_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "YAGONA_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="a PostgreSQL server (default: YAGONA_TEST_DATABASE_URL, else 127.0.0.1:5432)",
    )


@contextmanager
def seeded_container(database_url: str, **overrides: Any) -> Iterator[Container]:
    """A container (test clock, no workers) on a fresh, seeded schema; the schema and any
    rebuild shadows are dropped afterwards. ``overrides`` are further Settings (e.g. a
    larger ``db_pool_size`` for many threads)."""
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    settings = Settings(  # type: ignore[call-arg]
        database_url=database_url,
        db_schema=schema,
        data_dir=Path(tempfile.mkdtemp(prefix="yagona-bench-")),
        cipher_key=TEST_CIPHER_KEY,  # type: ignore[arg-type]
        log_level="WARNING",
        **overrides,
    )
    container = build_container(settings, clock=FixedClock(TEST_NOW))
    try:
        seed(container.catalogue, load_reference_data(), SEED, today=TEST_NOW.date())
        yield container
    finally:
        container.close()
        with DatabaseConfig.from_url(database_url).connect() as conn:
            names = conn.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", (f"{schema}%",)
            ).fetchall()
            for (name,) in names:
                conn.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name))
                )


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """p50, p95 and p99 of latency samples in milliseconds (nearest rank)."""
    ordered = sorted(samples_ms)
    if not ordered:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0}

    def rank(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, max(0, int(len(ordered) * q + 0.5) - 1))], 2)

    return {"p50_ms": rank(0.50), "p95_ms": rank(0.95), "p99_ms": rank(0.99)}


def machine(database_url: str) -> dict[str, Any]:
    """What the figures were measured on: cores, load average (others' work shows here) and
    the PostgreSQL server's version and main settings."""
    with DatabaseConfig.from_url(database_url).connect() as conn:
        settings = {
            name: str(conn.execute(sql.SQL("SHOW {}").format(sql.Identifier(name))).fetchone()[0])  # type: ignore[index]
            for name in (
                "server_version",
                "shared_buffers",
                "synchronous_commit",
                "max_connections",
            )
        }
    return {
        "cpus": os.cpu_count(),
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "postgres": settings,
    }
