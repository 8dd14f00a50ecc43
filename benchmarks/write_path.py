"""Write path: commands/s and events/s through the application services at 1, 8 and 32
threads, on PostgreSQL.

Each thread runs whole cases through the use cases, as the API calls them: a citizen's
submission (free service: the application and its tracking index, routed and queued), an
officer's acceptance, and a decision (the result document rendered and hashed; the
application and the decision saved together). Every command is one transaction.
``--without-decide`` leaves the decision out (it renders the result document's PDF, which
dominates the CPU a case costs).

Baselines, measured in the same run on the same server at the same concurrency:
- ``raw_insert``: single-row INSERT transactions with psycopg (autocommit, one connection
  per thread) into a table of the same shape as the events tables, rows the size of the
  stored case events; this is the ceiling PostgreSQL alone gives;
- ``raw_insert_locked``: the same with what eventsourcing does around every insert (LOCK
  TABLE ... IN EXCLUSIVE MODE, NOTIFY) so commits into one table are serialised;
- ``bare_application``: a stock eventsourcing Application with a trivial aggregate (create,
  then two load-change-save commands), one event per command, no cipher, no audit chain.

    .venv/bin/python benchmarks/write_path.py [--threads 1,8,32] [--seconds 8] \\
        [--without-decide] [--database-url URL]

A fresh schema is created and dropped. Use a private server (see docs/benchmarks.md):
32 threads hold 32+ connections.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from psycopg import sql
from support import (  # also puts the repo on the path
    add_database_argument,
    machine,
    percentiles,
    seeded_container,
)

from application.principal import Principal
from domain.context import CommandContext
from infrastructure.container import Container
from infrastructure.database import DatabaseConfig
from tests.documents import uploads
from tests.e2e.cases import AGENCY, DISTRICT, service_example

OFFICER = Principal("officer-1", "officer", agency=AGENCY)
CODE = "birth-registration"
FORM = service_example(CODE)  # read once: reading the reference data is not the command's
UPLOADS = uploads(CODE)


class Counter(Aggregate):
    """The bare baseline's aggregate: one small event per command."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.value = 0

    @event("Incremented")
    def increment(self, by: int) -> None:
        self.value += by


class BareApp(Application[uuid.UUID]):
    name = "BenchBare"


@dataclass
class Run:
    commands: int
    events: int
    seconds: float
    latencies_ms: list[float]
    by_command: dict[str, list[float]] | None = None

    def figures(self) -> dict[str, Any]:
        per_command = {
            f"{name}_latency": percentiles(samples)
            for name, samples in (self.by_command or {}).items()
        }
        return {
            "commands": self.commands,
            "events": self.events,
            "seconds": round(self.seconds, 2),
            "commands_per_second": round(self.commands / self.seconds, 1),
            "events_per_second": round(self.events / self.seconds, 1),
            **percentiles(self.latencies_ms),
            **per_command,
        }


def run_threads(
    threads: int, seconds: float, worker: Callable[[int, Callable[[], bool]], list[float]]
) -> tuple[list[float], float]:
    """Run ``worker(index, go_on)`` on ``threads`` threads for ``seconds``; returns every
    command's latency and the elapsed time."""
    stop = threading.Event()
    barrier = threading.Barrier(threads + 1)
    results: list[list[float]] = [[] for _ in range(threads)]
    errors: list[BaseException] = []

    def body(index: int) -> None:
        barrier.wait()
        try:
            results[index] = worker(index, lambda: not stop.is_set())
        except BaseException as error:
            errors.append(error)
            stop.set()

    pool = [threading.Thread(target=body, args=(i,), daemon=True) for i in range(threads)]
    for thread in pool:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    stop.wait(seconds)
    stop.set()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return [sample for samples in results for sample in samples], elapsed


def count_rows(database: DatabaseConfig, schema: str, tables: list[str]) -> int:
    with database.connect() as conn:
        return sum(
            int(
                conn.execute(
                    sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, table))
                ).fetchone()[0]  # type: ignore[index]
            )
            for table in tables
        )


# --- Yagona's use cases -------------------------------------------------------------------


def yagona_run(
    container: Container, threads: int, seconds: float, round_: int, *, decide: bool = True
) -> Run:
    schema = container.settings.db_schema
    ctx = CommandContext(actor=OFFICER.subject, role="officer", correlation_id="bench")
    submissions, handling, decisions = (
        container.submissions,
        container.handling,
        container.decisions,
    )

    def worker(index: int, go_on: Callable[[], bool]) -> list[float]:
        samples: list[float] = []
        n = 0
        while go_on():
            # a valid PINFL (digits 2-7 a birth date), distinct per round, thread and case
            who = Principal(f"3{1 + index % 28:02d}0185{round_ * 10000 + n:07d}"[:14], "citizen")
            citizen_ctx = CommandContext(actor=who.subject, role="citizen", correlation_id="b")
            n += 1
            started = time.perf_counter()
            application = submissions.submit(
                who,
                citizen_ctx,
                service_code=CODE,
                territory=DISTRICT,
                form=copy.deepcopy(FORM),
                attachments=UPLOADS,
            )
            key = str(application.id)
            accepted = time.perf_counter()
            handling.accept(OFFICER, ctx, key)
            decided = time.perf_counter()
            samples += [(accepted - started) * 1000, (decided - accepted) * 1000]
            if decide:
                decisions.decide(
                    OFFICER, ctx, key, outcome="approved", reasons="Checked.", legal_basis="Art. 1"
                )
                samples.append((time.perf_counter() - decided) * 1000)
        return samples

    tables = ["cases_events"]
    before = count_rows(container.database, schema, tables)
    latencies, elapsed = run_threads(threads, seconds, worker)
    events = count_rows(container.database, schema, tables) - before
    names = ("submit", "accept", "decide") if decide else ("submit", "accept")
    by_command = {name: latencies[i :: len(names)] for i, name in enumerate(names)}
    return Run(len(latencies), events, elapsed, latencies, by_command)


# --- raw INSERTs ----------------------------------------------------------------------------


def raw_table(database: DatabaseConfig, schema: str) -> None:
    """A table of the events tables' shape (eventsourcing's DDL)."""
    with database.connect() as conn:
        conn.execute(
            sql.SQL(
                "CREATE TABLE {} (originator_id uuid NOT NULL, originator_version bigint NOT "
                "NULL, topic text, state bytea, notification_id bigserial, PRIMARY KEY "
                "(originator_id, originator_version)) WITH (autovacuum_enabled = false)"
            ).format(sql.Identifier(schema, "raw_events"))
        )
        conn.execute(
            sql.SQL("CREATE UNIQUE INDEX ON {} (notification_id)").format(
                sql.Identifier(schema, "raw_events")
            )
        )


def raw_run(
    database: DatabaseConfig,
    schema: str,
    threads: int,
    seconds: float,
    state_bytes: int,
    locked: bool,
) -> Run:
    table = sql.Identifier(schema, "raw_events")
    insert = sql.SQL(
        "INSERT INTO {} (originator_id, originator_version, topic, state) VALUES (%s, 1, %s, %s)"
    ).format(table)
    lock = sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(table)
    notify = sql.SQL("NOTIFY {}").format(sql.Identifier("raw_events"))
    topic = "domain.service_application:ServiceApplication.Accepted"
    payload = os.urandom(state_bytes)

    def worker(index: int, go_on: Callable[[], bool]) -> list[float]:
        samples: list[float] = []
        with psycopg.connect(database.conninfo(), autocommit=True) as conn:
            while go_on():
                started = time.perf_counter()
                if locked:
                    with conn.transaction():
                        conn.execute(lock)
                        conn.execute(insert, (uuid.uuid4(), topic, payload))
                        conn.execute(notify)
                else:
                    conn.execute(insert, (uuid.uuid4(), topic, payload))
                samples.append((time.perf_counter() - started) * 1000)
        return samples

    latencies, elapsed = run_threads(threads, seconds, worker)
    return Run(len(latencies), len(latencies), elapsed, latencies)


# --- a bare eventsourcing Application -------------------------------------------------------


def bare_app(database: DatabaseConfig, schema: str, threads: int) -> BareApp:
    env = database.with_schema(schema).eventsourcing_env(pool_size=threads, max_overflow=threads)
    return BareApp(env=env | {"CREATE_TABLE": "y"})


def bare_run(app: BareApp, threads: int, seconds: float) -> Run:
    def worker(index: int, go_on: Callable[[], bool]) -> list[float]:
        samples: list[float] = []
        while go_on():
            started = time.perf_counter()
            counter = Counter(name=f"counter-{index}")
            app.save(counter)
            created = time.perf_counter()
            samples.append((created - started) * 1000)
            for by in (1, 2):
                started = time.perf_counter()
                loaded: Counter = app.repository.get(counter.id)
                loaded.increment(by)
                app.save(loaded)
                samples.append((time.perf_counter() - started) * 1000)
        return samples

    latencies, elapsed = run_threads(threads, seconds, worker)
    return Run(len(latencies), len(latencies), elapsed, latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", default="1,8,32", help="comma-separated thread counts")
    parser.add_argument("--seconds", type=float, default=8.0, help="duration of each run")
    parser.add_argument(
        "--without-decide",
        action="store_true",
        help="submit and accept only (a decision renders its result document's PDF)",
    )
    add_database_argument(parser)
    args = parser.parse_args()
    counts = [int(t) for t in args.threads.split(",")]
    most = max(counts)
    figures: dict[str, Any] = {
        "machine": machine(args.database_url),
        "seconds_per_run": args.seconds,
        "commands": "submit, accept" if args.without_decide else "submit, accept, decide",
        "threads": {},
    }
    with seeded_container(
        args.database_url, db_pool_size=min(100, most + 2), db_max_overflow=most
    ) as container:
        container.rebuild_projection("catalogue")  # routing and decisions read it
        schema = container.settings.db_schema
        database = container.database
        yagona_run(container, 1, 2.0, 0)  # warm up: caches, first documents rendered
        with database.connect() as conn:
            row = conn.execute(
                sql.SQL("SELECT avg(octet_length(state))::int FROM {}").format(
                    sql.Identifier(schema, "cases_events")
                )
            ).fetchone()
        state_bytes = int(row[0]) if row else 1000
        figures["average_stored_event_bytes"] = state_bytes
        raw_table(database, schema)
        bare = bare_app(database, schema, most)
        bare_run(bare, 1, 1.0)  # warm up
        for round_, threads in enumerate(counts, start=1):
            yagona = yagona_run(
                container, threads, args.seconds, round_, decide=not args.without_decide
            )
            raw = raw_run(database, schema, threads, args.seconds, state_bytes, locked=False)
            raw_locked = raw_run(database, schema, threads, args.seconds, state_bytes, locked=True)
            bare_figures = bare_run(bare, threads, args.seconds)
            entry = {
                "yagona": yagona.figures(),
                "raw_insert": raw.figures(),
                "raw_insert_locked": raw_locked.figures(),
                "bare_application": bare_figures.figures(),
            }
            entry["events_ratio_to_raw_insert"] = round(
                yagona.events / yagona.seconds / (raw.events / raw.seconds), 3
            )
            entry["events_ratio_to_raw_insert_locked"] = round(
                yagona.events / yagona.seconds / (raw_locked.events / raw_locked.seconds), 3
            )
            entry["commands_ratio_to_bare_application"] = round(
                yagona.commands / yagona.seconds / (bare_figures.commands / bare_figures.seconds),
                3,
            )
            figures["threads"][str(threads)] = entry
            print(
                f"  {threads} threads: {entry['yagona']['commands_per_second']} commands/s",
                flush=True,
            )
        bare.close()
    figures["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures, indent=2))
    summary = "; ".join(
        f"{t} threads: {e['yagona']['commands_per_second']:,} commands/s, "
        f"{e['yagona']['events_per_second']:,} events/s "
        f"({e['commands_ratio_to_bare_application']}x a bare eventsourcing app, "
        f"{e['events_ratio_to_raw_insert']}x raw INSERTs)"
        for t, e in figures["threads"].items()
    )
    print(f"write path: {summary}")


if __name__ == "__main__":
    main()
