"""Audit figures: a 1,000-event case's history and current-state latency, and the rate of
verifying the whole store's hash chains over at least 100,000 events.

Each figure comes with a baseline measured in the same run, as a ratio:
- current state (snapshots) against replaying all 1,000 events without them;
- a history page against reading the case's raw rows (no decoding, no sorting);
- verification against scanning the same events' sha256 in the database alone.

    .venv/bin/python benchmarks/audit.py [--events 100000] [--database-url URL]

The database defaults to YAGONA_TEST_DATABASE_URL, else 127.0.0.1:5432 (this machine's
server); a fresh schema is created and dropped.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

from psycopg import sql
from support import add_database_argument, seeded_container  # also puts the repo on the path

from application.principal import Principal
from domain.context import CommandContext
from domain.indexes import TrackingNumberIndex
from tests.documents import uploads
from tests.e2e.cases import AGENCY, DISTRICT, service_example

CITIZEN = Principal("31503901234567", "citizen")
OFFICER = Principal("officer-1", "officer", agency=AGENCY)
AUDITOR = Principal("auditor-1", "auditor")
CTX = CommandContext(actor="bench", role="system", correlation_id="bench")


def timed(action: Callable[[], Any], repeat: int) -> dict[str, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(sorted(samples)[int(len(samples) * 0.95) - 1], 2),
    }


def long_case(container: Any, events: int) -> uuid.UUID:
    """A case of ``events`` events: submitted, then taken and released by an officer."""
    code = "birth-registration"
    application = container.submissions.submit(
        CITIZEN,
        CTX,
        service_code=code,
        territory=DISTRICT,
        form=service_example(code),
        attachments=uploads(code),
    )
    key = str(application.id)
    while container.cases.load(key).version < events:
        container.handling.accept(OFFICER, CTX, key)
        container.handling.release(OFFICER, CTX, key)
    return application.id


def filler(container: Any, events: int, batch: int = 2000) -> None:
    """``events`` one-event aggregates (tracking indexes), saved in batches."""
    for start in range(0, events, batch):
        container.cases.save(
            *(
                TrackingNumberIndex(f"BENCH-{n:07d}", uuid.uuid4())
                for n in range(start, min(events, start + batch))
            )
        )


def measure_case(container: Any, schema: str, case_id: uuid.UUID) -> dict[str, Any]:
    key, audit, repository = str(case_id), container.audit, container.cases.repository
    ctx = CommandContext(actor=AUDITOR.subject, role="auditor", correlation_id="bench")

    def replay() -> None:
        aggregate = None
        for event in repository.event_store.get(case_id):
            aggregate = event.mutate(aggregate)

    def raw_rows() -> None:
        with container.database.connect() as conn:
            conn.execute(
                sql.SQL("SELECT * FROM {} WHERE originator_id = %s").format(
                    sql.Identifier(schema, "cases_events")
                ),
                (case_id,),
            ).fetchall()

    state = timed(lambda: audit.state(AUDITOR, ctx, key), 50)
    replayed = timed(replay, 10)
    page = timed(lambda: audit.history(AUDITOR, ctx, key, limit=100), 20)
    raw = timed(raw_rows, 20)
    return {
        "case_events": audit.state(AUDITOR, ctx, key).version,
        "current_state": state,
        "current_state_baseline_full_replay": replayed,
        "current_state_speedup_vs_replay": round(replayed["median_ms"] / state["median_ms"], 1),
        "history_first_page_of_100": page,
        "history_baseline_raw_rows": raw,
        "history_ratio_to_raw_rows": round(page["median_ms"] / raw["median_ms"], 1),
    }


def measure_verification(container: Any, schema: str, events: int) -> dict[str, Any]:
    filler(container, max(0, events - container.verifier.count_events()))
    container.seals.seal()
    with container.database.connect() as conn:
        started = time.perf_counter()
        with conn.transaction():
            cursor = conn.cursor(name="scan")
            cursor.itersize = 5000
            cursor.execute(
                sql.SQL(
                    "SELECT originator_id, originator_version, topic, sha256(state) "
                    "FROM {} ORDER BY originator_id, originator_version"
                ).format(sql.Identifier(schema, "cases_events"))
            )
            scanned = sum(1 for _ in cursor)
        scan_rate = scanned / (time.perf_counter() - started)
    report = container.verifier.verify_all()
    if not report.intact:
        raise SystemExit(f"the store did not verify: {report.findings[:3]}")
    return {
        "verified_events": report.events,
        "verified_chains": report.aggregates,
        "verify_seconds": round(report.seconds, 2),
        "verify_events_per_second": round(report.rate),
        "baseline_scan_events_per_second": round(scan_rate),
        "verify_ratio_to_scan": round(report.rate / scan_rate, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="store size to verify")
    parser.add_argument("--case-events", type=int, default=1000)
    add_database_argument(parser)
    args = parser.parse_args()
    with seeded_container(args.database_url) as container:
        container.start_workers()
        container.wait_for_projections(timeout=300)
        started = time.perf_counter()
        case_id = long_case(container, args.case_events)
        built = time.perf_counter() - started
        container.wait_for_projections(timeout=300)
        container.stop_workers()  # measure the reads alone
        figures = {
            **measure_case(container, container.settings.db_schema, case_id),
            "case_build_seconds": round(built, 1),
            **measure_verification(container, container.settings.db_schema, args.events),
        }
        print(json.dumps(figures, indent=2))
        print(
            f"{figures['case_events']}-event case: current state "
            f"{figures['current_state']['median_ms']} ms (replay "
            f"{figures['current_state_baseline_full_replay']['median_ms']} ms), history page "
            f"{figures['history_first_page_of_100']['median_ms']} ms (raw rows "
            f"{figures['history_baseline_raw_rows']['median_ms']} ms); verification "
            f"{figures['verify_events_per_second']:,} events/s over "
            f"{figures['verified_events']:,} events ({figures['verify_ratio_to_scan']}x a bare "
            "sha256 scan)"
        )


if __name__ == "__main__":
    main()
