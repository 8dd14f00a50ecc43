"""``yagona serve`` (and, split from it, ``yagona worker``) killed with SIGKILL under load,
restarted, and killed again: no acknowledged write is lost, none is made twice, and every
read model equals a rebuild from the events.

Client threads write over HTTP (applications, acceptances and decisions, payments on the
sandbox, appeals), each write with an ``Idempotency-Key`` that the client retries after a
connection error until it is answered; every write answered 2xx is recorded. The process
is killed at a random moment while they write, started again, and the clients carry on.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from infrastructure.container import Container
from infrastructure.database import DatabaseConfig
from infrastructure.idempotency import IdempotencyStore, Presence
from tests.reliability.checks import (
    assert_acknowledged_writes_recorded,
    assert_read_models_equal_a_rebuild,
)
from tests.reliability.clients import Load
from tests.reliability.support import System, YagonaProcess, seeded_system, until
from tests.reliability.support_postgres import private_postgres

# A client retries a write this long: enough for a restart, but less than the two minutes
# after which an unfinished claim goes stale, so a retry that waited for that fails.
RETRY_FOR = 60.0
WRITES_BETWEEN_KILLS = 15


@pytest.fixture
def system(test_database: DatabaseConfig, tmp_path: Path) -> Iterator[System]:
    with seeded_system(test_database, tmp_path / "data", "crash") as built:
        yield built


@dataclass
class Kills:
    at: list[tuple[str, int]] = field(default_factory=list)  # (process, writes acknowledged)
    restart_seconds: list[float] = field(default_factory=list)


def kill_and_restart(
    system: System, load: Load, which: str, rng: random.Random, kills: Kills
) -> None:
    """Wait for more writes, kill ``which`` at a random moment, start it again, and wait
    until writes are acknowledged again."""
    before = load.ledger.total()
    until(
        lambda: load.ledger.total() >= before + WRITES_BETWEEN_KILLS,
        90,
        f"writes before killing {which}",
    )
    time.sleep(rng.uniform(0.0, 2.0))
    target = system.api if which == "api" else system.worker
    assert target is not None
    assert target.alive(), target.output()
    kills.at.append((which, load.ledger.total()))
    target.kill()
    started = time.monotonic()
    if which == "api":
        system.start_api(worker=system.worker is None, timeout=150)
    else:
        system.start_worker()
    kills.restart_seconds.append(time.monotonic() - started)
    after = load.ledger.total()
    until(
        lambda: load.ledger.total() >= after + WRITES_BETWEEN_KILLS,
        RETRY_FOR,
        f"writes after restarting {which}",
    )


def run(system: System, plan: list[str], *, split: bool, seed: int) -> tuple[Load, Kills]:
    rng = random.Random(seed)  # noqa: S311 - where to kill, not a secret
    system.start_api(worker=not split, timeout=150)
    if split:
        system.start_worker()
    kills = Kills()
    load = Load(system, threads=4, retry_for=RETRY_FOR)
    with load:
        for which in plan:
            kill_and_restart(system, load, which, rng, kills)
        load.finish(timeout=RETRY_FOR + 30)
    system.wait_quiescent(timeout=150)
    processes: list[YagonaProcess | None] = [system.api, system.worker]
    for process in processes:
        if process is not None:
            process.terminate()
    return load, kills


def check(system: System, load: Load, kills: Kills, seed: int) -> None:
    ledger = load.ledger
    assert ledger.unacknowledged["submit"] == 0, ledger.unacknowledged
    # The kills hit requests in flight: some client saw its connection drop and retried.
    assert any(s.status is None for s in ledger.seen), "no request was in flight at a kill"
    server_errors = [s for s in ledger.seen if s.status is not None and s.status >= 500]
    assert all(s.status == 503 for s in server_errors), server_errors[:5]
    checked = assert_acknowledged_writes_recorded(system.container, ledger)
    assert_read_models_equal_a_rebuild(system.container)
    print(
        f"\nseed {seed}; kills (process, writes acknowledged by then): {kills.at}; "
        f"restart to ready: {[round(s, 1) for s in kills.restart_seconds]} s; "
        f"acknowledged writes checked: {checked}; "
        f"requests without an answer: {sum(1 for s in ledger.seen if s.status is None)}; "
        f"idempotency keys: {dict(ledger.keys)}; unacknowledged: {dict(ledger.unacknowledged)}"
    )


@pytest.mark.timeout(300)
def test_serve_killed_once_under_load_loses_and_duplicates_nothing(system: System) -> None:
    seed = random.randrange(10**6)  # noqa: S311
    load, kills = run(system, ["api"], split=False, seed=seed)
    check(system, load, kills, seed)


@pytest.mark.long
@pytest.mark.timeout(1200)
def test_repeated_kills_of_serve_under_load_lose_and_duplicate_nothing(system: System) -> None:
    seed = random.randrange(10**6)  # noqa: S311
    load, kills = run(system, ["api", "api", "api"], split=False, seed=seed)
    check(system, load, kills, seed)


@pytest.mark.long
@pytest.mark.timeout(1200)
def test_repeated_kills_of_split_serve_and_worker_lose_and_duplicate_nothing(
    tmp_path: Path,
) -> None:
    """On a private server: an API and a worker, each reconnecting after the other's
    restart, can hold more than the shared server's 100 connections."""
    seed = random.randrange(10**6)  # noqa: S311
    with private_postgres() as pg, seeded_system(pg.config, tmp_path / "data", "crash") as system:
        plan = ["worker", "api", "worker", "api", "worker"]
        load, kills = run(system, plan, split=True, seed=seed)
        check(system, load, kills, seed)


# --- the rule behind retries after a crash --------------------------------------------------


def test_a_claim_left_by_a_dead_process_is_taken_over_at_once(container: Container) -> None:
    """A process that claimed a key and died (its owner lock went with its connection)
    does not make the retry wait for the claim to go stale; a live one's claim holds."""
    shared = container.view("catalogue").datastore
    dead_presence, live_presence = Presence(container.database), Presence(container.database)
    dead = IdempotencyStore(shared, presence=dead_presence)
    live = IdempotencyStore(shared, presence=live_presence)
    retry = IdempotencyStore(shared, presence=Presence(container.database))
    try:
        assert dead.claim("citizen:1", "k-dead", "fp").won
        assert live.claim("citizen:1", "k-live", "fp").won
        dead_presence.close()  # as SIGKILL would: the connection and its lock are gone

        taken = retry.claim("citizen:1", "k-dead", "fp")
        assert taken.won
        held = retry.claim("citizen:1", "k-live", "fp")
        assert not held.won
        assert held.response is None  # still in progress
        assert not retry.claim("citizen:1", "k-dead", "fp").won  # the retry owns it now
        assert not retry.claim("citizen:1", "k-dead", "other").won  # and another body is refused
    finally:
        for store in (dead, live, retry):
            store.close()


def test_a_new_connection_frees_the_claims_made_before_it(container: Container) -> None:
    """A process whose owner connection was lost (the database restarted) gets a new owner
    token: the claims of requests that failed with the database are free for retries."""
    shared = container.view("catalogue").datastore
    presence = Presence(container.database)
    store = IdempotencyStore(shared, presence=presence)
    try:
        assert store.claim("citizen:2", "k-1", "fp").won
        first = presence.token()
        assert presence._conn is not None
        with container.database.connect() as conn:  # the server drops the connection
            conn.execute("SELECT pg_terminate_backend(%s)", (presence._conn.info.backend_pid,))
        assert presence.token() != first
        assert store.claim("citizen:2", "k-1", "fp").won
    finally:
        store.close()
