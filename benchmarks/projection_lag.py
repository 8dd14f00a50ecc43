"""Projection lag: time from a command's commit to its row being visible in a read model,
under sustained write load, with `yagona worker` running in its own process (as deployed).

A writer submits cases at a steady rate through the use cases and has an officer accept
each; a poller (every 5 ms, one query per read model for everything pending) notes when
each submission's row appears in ``citizen_applications`` and ``officer_queue``, and when
the acceptance shows in ``officer_queue`` (its assignee set).

Baselines, measured in the same run under the same load:
- ``marker``: a row the writer inserts into a plain table right after each command,
  found by the same poller: the floor of this measurement (poll interval, query, commit);
- ``notify``: a NOTIFY sent after each command, received by a LISTEN connection: the
  floor any LISTEN/NOTIFY-driven projection stands on.

    .venv/bin/python benchmarks/projection_lag.py [--rate 10] [--seconds 40] \\
        [--database-url URL]

The rebuild rates of every read model are in benchmarks/feed_and_rebuild.py.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from support import add_database_argument, machine, percentiles, seeded_container

from application.principal import Principal
from domain.context import CommandContext
from infrastructure.container import Container
from tests.conftest import TEST_CIPHER_KEY
from tests.documents import uploads
from tests.e2e.cases import AGENCY, DISTRICT, service_example

OFFICER = Principal("officer-1", "officer", agency=AGENCY)
OFFICER_CTX = CommandContext(actor=OFFICER.subject, role="officer", correlation_id="bench")
CODE = "birth-registration"
FORM = service_example(CODE)
UPLOADS = uploads(CODE)
CHANNEL = "bench_lag"


class Tracker:
    """Commit times of what is pending, and the lags of what has been seen."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending: dict[str, dict[uuid.UUID, float]] = {
            "citizen_applications": {},
            "officer_queue": {},
            "officer_queue_acceptance": {},
            "marker": {},
        }
        self.lags: dict[str, list[float]] = {name: [] for name in self.pending}
        self.lags["notify"] = []

    def committed(self, kind: str, key: uuid.UUID, at: float) -> None:
        with self.lock:
            self.pending[kind][key] = at

    def seen(self, kind: str, keys: list[uuid.UUID], at: float) -> None:
        with self.lock:
            for key in keys:
                committed = self.pending[kind].pop(key, None)
                if committed is not None:
                    self.lags[kind].append((at - committed) * 1000)

    def waiting(self, kind: str) -> list[uuid.UUID]:
        with self.lock:
            return list(self.pending[kind])


def start_worker(container: Container, log: Path) -> subprocess.Popen[bytes]:
    settings = container.settings
    assert settings.database_url is not None
    env = {
        "PATH": os.environ.get("PATH", ""),
        "YAGONA_DATABASE_URL": settings.database_url,
        "YAGONA_DB_SCHEMA": settings.db_schema,
        "YAGONA_DATA_DIR": str(settings.data_dir),
        "YAGONA_CIPHER_KEY": TEST_CIPHER_KEY,
        "YAGONA_LOG_LEVEL": "WARNING",
        "YAGONA_DEADLINE_CHECK_SECONDS": "3600",
    }
    with log.open("wb") as out:
        return subprocess.Popen(
            [str(Path(sys.executable).parent / "yagona"), "worker"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def poll(container: Container, tracker: Tracker, stop: threading.Event) -> None:
    schema = container.settings.db_schema
    queries = {
        "citizen_applications": sql.SQL("SELECT id FROM {} WHERE id = ANY(%s)").format(
            sql.Identifier(schema, "citizen_applications")
        ),
        "officer_queue": sql.SQL("SELECT id FROM {} WHERE id = ANY(%s)").format(
            sql.Identifier(schema, "officer_queue")
        ),
        "officer_queue_acceptance": sql.SQL(
            "SELECT id FROM {} WHERE id = ANY(%s) AND assignee IS NOT NULL"
        ).format(sql.Identifier(schema, "officer_queue")),
        "marker": sql.SQL("SELECT id FROM {} WHERE id = ANY(%s)").format(
            sql.Identifier(schema, "bench_marker")
        ),
    }
    with psycopg.connect(container.database.conninfo(), autocommit=True) as conn:
        while not stop.is_set():
            for kind, query in queries.items():
                keys = tracker.waiting(kind)
                if keys:
                    found = [row[0] for row in conn.execute(query, (keys,)).fetchall()]
                    tracker.seen(kind, found, time.perf_counter())
            time.sleep(0.005)


def listen(container: Container, tracker: Tracker, stop: threading.Event) -> None:
    with psycopg.connect(container.database.conninfo(), autocommit=True) as conn:
        conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(CHANNEL)))
        while not stop.is_set():
            for note in conn.notifies(timeout=0.5):
                tracker.lags["notify"].append((time.perf_counter() - float(note.payload)) * 1000)


def write(container: Container, tracker: Tracker, rate: float, seconds: float) -> tuple[int, float]:
    schema = container.settings.db_schema
    marker = sql.SQL("INSERT INTO {} (id) VALUES (%s)").format(
        sql.Identifier(schema, "bench_marker")
    )
    notify = sql.SQL("SELECT pg_notify(%s, %s)")
    cases = 0
    started = time.perf_counter()
    with psycopg.connect(container.database.conninfo(), autocommit=True) as conn:
        while time.perf_counter() - started < seconds:
            due = started + cases / rate
            time.sleep(max(0.0, due - time.perf_counter()))
            who = Principal(f"3{1 + cases % 28:02d}0185{cases:07d}", "citizen")
            ctx = CommandContext(actor=who.subject, role="citizen", correlation_id="bench")
            application = container.submissions.submit(
                who,
                ctx,
                service_code=CODE,
                territory=DISTRICT,
                form=copy.deepcopy(FORM),
                attachments=UPLOADS,
            )
            at = time.perf_counter()
            tracker.committed("citizen_applications", application.id, at)
            tracker.committed("officer_queue", application.id, at)
            key = uuid.uuid4()
            conn.execute(marker, (key,))
            tracker.committed("marker", key, time.perf_counter())
            conn.execute(notify, (CHANNEL, repr(time.perf_counter())))
            container.handling.accept(OFFICER, OFFICER_CTX, str(application.id))
            tracker.committed("officer_queue_acceptance", application.id, time.perf_counter())
            cases += 1
    return cases, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=10.0, help="cases per second (2 commands)")
    parser.add_argument("--seconds", type=float, default=40.0)
    add_database_argument(parser)
    args = parser.parse_args()
    figures: dict[str, Any] = {
        "target_cases_per_second": args.rate,
        "machine": machine(args.database_url),
    }
    with seeded_container(args.database_url) as container:
        with container.database.connect() as conn:
            conn.execute(
                sql.SQL("CREATE TABLE {} (id uuid PRIMARY KEY)").format(
                    sql.Identifier(container.settings.db_schema, "bench_marker")
                )
            )
        log = Path(tempfile.mkdtemp(prefix="yagona-bench-lag-")) / "worker.log"
        worker = start_worker(container, log)
        try:
            container.wait_for_projections(timeout=300)  # the catalogue, built by the worker
            tracker, stop = Tracker(), threading.Event()
            threads = [
                threading.Thread(target=poll, args=(container, tracker, stop), daemon=True),
                threading.Thread(target=listen, args=(container, tracker, stop), daemon=True),
            ]
            for thread in threads:
                thread.start()
            cases, elapsed = write(container, tracker, args.rate, args.seconds)
            deadline = time.perf_counter() + 120
            while (
                any(tracker.waiting(k) for k in tracker.pending) and time.perf_counter() < deadline
            ):
                time.sleep(0.05)
            stop.set()
            for thread in threads:
                thread.join(5)
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
            shutil.rmtree(log.parent, ignore_errors=True)
    figures["cases"] = cases
    figures["commands_per_second"] = round(2 * cases / elapsed, 1)
    figures["never_seen"] = {k: len(v) for k, v in tracker.pending.items() if v}
    for kind, lags in tracker.lags.items():
        figures[f"lag_{kind}"] = {"count": len(lags), **percentiles(lags)}
    floor = figures["lag_marker"]["p50_ms"] or 1.0
    figures["citizen_applications_p50_ratio_to_marker"] = round(
        figures["lag_citizen_applications"]["p50_ms"] / floor, 1
    )
    figures["officer_queue_p50_ratio_to_marker"] = round(
        figures["lag_officer_queue"]["p50_ms"] / floor, 1
    )
    figures["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures, indent=2))
    ca, oq, acc = (
        figures["lag_citizen_applications"],
        figures["lag_officer_queue"],
        figures["lag_officer_queue_acceptance"],
    )
    print(
        f"projection lag at {figures['commands_per_second']} commands/s: citizen_applications "
        f"p50/p99 {ca['p50_ms']}/{ca['p99_ms']} ms, officer_queue {oq['p50_ms']}/{oq['p99_ms']} "
        f"ms (acceptance {acc['p50_ms']}/{acc['p99_ms']} ms); floor: plain-table row "
        f"{figures['lag_marker']['p50_ms']}/{figures['lag_marker']['p99_ms']} ms, NOTIFY "
        f"{figures['lag_notify']['p50_ms']}/{figures['lag_notify']['p99_ms']} ms"
    )


if __name__ == "__main__":
    main()
