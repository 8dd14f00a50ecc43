"""Rate limits on PostgreSQL: the counters are shared by every API process (two apps over
two containers on one database count together), exact under concurrent requests, and their
rows are pruned once their window has ended. Both stores count alike."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from psycopg import sql

from api.app import create_app
from application.rate_limits import RateLimitStore
from application.seeding import ReferenceData, seed
from domain.context import CommandContext
from infrastructure.container import Container, build_container
from infrastructure.database import DatabaseConfig
from infrastructure.rate_limits import PRUNE_EVERY_SECONDS, PostgresRateLimitStore
from tests.conftest import TEST_NOW, settings_for
from tests.e2e.cases import CITIZEN_A, CITIZEN_B, citizen, headers, submission
from tests.fakes.adapters import FixedClock
from tests.fakes.rate_limits import MemoryRateLimitStore

SCHEMA = "e2e_rate_limits"
LIMITS = {
    "rate_limit_verification_per_address": "4/60",
    "rate_limit_verification_per_subject": "off",
    "rate_limit_submission_per_address": "off",
    "rate_limit_submission_per_subject": "2/60",
}


@pytest.fixture(scope="module")
def clock() -> FixedClock:
    return FixedClock(TEST_NOW)


@pytest.fixture(scope="module")
def processes(
    test_database: DatabaseConfig,
    reference: ReferenceData,
    clock: FixedClock,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Container, Container]]:
    """Two composition roots over one database, as two API processes have."""
    settings = settings_for(test_database, SCHEMA, tmp_path_factory.mktemp("limits"), **LIMITS)
    first = build_container(settings, clock=clock)
    seed(
        first.catalogue,
        reference,
        CommandContext(actor="system:seed", role="system", correlation_id="e2e"),
        today=TEST_NOW.date(),
    )
    second = build_container(settings, clock=clock)
    yield first, second
    second.close()
    first.close()
    with test_database.connect() as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(SCHEMA)))


@pytest.fixture
def apps(
    processes: tuple[Container, Container], clock: FixedClock
) -> Iterator[tuple[TestClient, TestClient]]:
    clock.at = TEST_NOW
    with (
        TestClient(create_app(processes[0]), client=("192.0.2.40", 1)) as one,
        TestClient(create_app(processes[1]), client=("192.0.2.40", 2)) as two,
    ):
        yield one, two
    clock.at = TEST_NOW + timedelta(hours=1)  # the next test counts in a window of its own


def verify(client: TestClient, number: str) -> Any:
    return client.get(f"/v1/verify/{number}", params={"code": "WRONG-CODE"})


def test_two_api_processes_share_the_count(apps: tuple[TestClient, TestClient]) -> None:
    one, two = apps
    answers = [verify(client, f"R-{n}") for n, client in enumerate([one, two, one, two])]
    assert [a.status_code for a in answers] == [404, 404, 404, 404]
    assert [a.headers["RateLimit"] for a in answers] == [
        f'"verification-address";r={left};t=60' for left in (3, 2, 1, 0)
    ]
    assert answers[0].headers["RateLimit-Policy"] == '"verification-address";q=4;w=60'
    for client in (one, two):
        refused = verify(client, "R-5")
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["type"] == "urn:yagona:problem:rate-limited"
        assert refused.headers["Retry-After"] == "60"


def test_a_submission_budget_is_per_citizen_across_processes(
    apps: tuple[TestClient, TestClient], processes: tuple[Container, Container], clock: FixedClock
) -> None:
    one, two = apps

    def submit(client: TestClient, pinfl: str) -> Any:
        return client.post(
            "/v1/applications",
            json=submission(),
            headers=headers(processes[0], citizen(pinfl)),
        )

    assert submit(one, CITIZEN_A).status_code == 201
    assert submit(two, CITIZEN_A).status_code == 201
    refused = submit(one, CITIZEN_A)
    assert refused.status_code == 429, refused.text
    assert "from this account (at most 2 per 60 s)" in refused.json()["detail"]
    assert CITIZEN_A not in refused.text
    assert submit(two, CITIZEN_B).status_code == 201  # another citizen is not affected
    clock.advance(timedelta(seconds=60))
    assert submit(two, CITIZEN_A).status_code == 201  # the next window


def test_the_table_holds_no_address_or_pinfl(
    apps: tuple[TestClient, TestClient], processes: tuple[Container, Container]
) -> None:
    one, _ = apps
    verify(one, "R-1")
    assert processes[0].database is not None
    with processes[0].database.connect() as conn:
        rows = conn.execute(
            sql.SQL("SELECT key FROM {}").format(sql.Identifier(SCHEMA, "rate_limit_counters"))
        ).fetchall()
    keys = " ".join(str(row[0]) for row in rows)
    assert "verification:address:" in keys
    assert "192.0.2.40" not in keys
    assert CITIZEN_A not in keys


@pytest.fixture
def store(processes: tuple[Container, Container], request: pytest.FixtureRequest) -> Any:
    if request.param == "memory":
        return MemoryRateLimitStore()
    return PostgresRateLimitStore(processes[0].view("catalogue").datastore)


STORES = pytest.mark.parametrize("store", ["postgres", "memory"], indirect=True)


@STORES
def test_a_store_counts_a_fixed_window_per_key(store: RateLimitStore) -> None:
    start = TEST_NOW + timedelta(days=1)
    decisions = [store.hit("contract:a", 60, 2, start + timedelta(seconds=s)) for s in (0, 10, 20)]
    assert [(d.allowed, d.remaining, d.reset_seconds) for d in decisions] == [
        (True, 1, 60),
        (True, 0, 50),
        (False, 0, 40),
    ]
    assert store.hit("contract:b", 60, 2, start).allowed  # another key
    later = store.hit("contract:a", 60, 2, start + timedelta(seconds=60))
    assert (later.allowed, later.remaining, later.reset_seconds) == (True, 1, 60)
    # A process whose clock is behind counts in the row's later window.
    behind = store.hit("contract:a", 60, 2, start + timedelta(seconds=59))
    assert (behind.allowed, behind.remaining) == (True, 0)


@STORES
def test_a_store_is_exact_under_concurrent_hits(store: RateLimitStore) -> None:
    at = TEST_NOW + timedelta(days=2)
    with ThreadPoolExecutor(max_workers=8) as pool:
        decisions = list(pool.map(lambda _: store.hit("contract:c", 60, 25, at), range(40)))
    assert sum(d.allowed for d in decisions) == 25
    assert sorted(d.remaining for d in decisions)[-1] == 24


def test_rows_of_ended_windows_are_pruned(processes: tuple[Container, Container]) -> None:
    store = PostgresRateLimitStore(processes[0].view("catalogue").datastore)
    at = TEST_NOW + timedelta(days=3)
    for n in range(5):
        store.hit(f"contract:prune-{n}", 10, 5, at)
    assert store.prune(at + timedelta(seconds=5)) == 0  # still in their window
    store.hit("contract:prune-long", 3600, 5, at)
    # The first hit a minute later prunes what ended, itself and longer windows kept.
    later = at + timedelta(seconds=PRUNE_EVERY_SECONDS + 1)
    store.hit("contract:prune-0", 10, 5, later)
    with store.datastore.get_connection() as conn:
        rows = conn.execute(
            sql.SQL("SELECT key FROM {} WHERE key LIKE 'contract:prune-%%'").format(
                sql.Identifier(SCHEMA, "rate_limit_counters")
            )
        ).fetchall()
    assert sorted(row["key"] for row in rows) == ["contract:prune-0", "contract:prune-long"]
