"""Scale: command latency (submit, accept, decide) with 10,000 and with millions of events
already stored, to show it does not grow with the store.

The store is grown in bulk between measurements: real cases (submitted, accepted and
decided through the use cases, encrypted as stored) are the templates; their stored rows
are copied with COPY into ``cases_events`` under fresh aggregate ids, in the stored format,
each with its ``audit_links`` row (the hash and the chain link the recorder would have
written, at the position the copy gets), so the links table grows with the events and the
store still verifies. Fresh ids mean the copies collide with nothing the commands create:
tracking-number indexes and decisions derive their ids from numbers drawn from sequences,
which the copies do not use. ANALYZE follows each bulk load (autovacuum would do it).

Baseline, measured in the same run and interleaved with it: a second schema holding a small
store (10,000 events); cases alternate between the two stores, so both meet
the same noise of a shared machine; each size is given as a ratio to it (at the smallest size
this is an A/A comparison: the ratio shows the noise). A raw single-row INSERT into each
store is measured too, to separate PostgreSQL's own growth from Yagona's.

    .venv/bin/python benchmarks/scale.py [--events 10000,1000000] [--cases 40] \\
        [--baseline-events 10000] [--database-url URL]

5,000,000 events take a few minutes to load and about 5 GB of disk; the schema is dropped
afterwards. Workers are not running: read models are asynchronous and not on the command path.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import time
import uuid
from typing import Any

from psycopg import sql
from support import add_database_argument, machine, percentiles, seeded_container

from application.principal import Principal
from domain.audit_chain import GENESIS, event_hash_of_digest, link
from domain.context import CommandContext
from infrastructure.container import Container
from infrastructure.event_store import LINKS_TABLE
from tests.documents import uploads
from tests.e2e.cases import AGENCY, DISTRICT, service_example

OFFICER = Principal("officer-1", "officer", agency=AGENCY)
OFFICER_CTX = CommandContext(actor=OFFICER.subject, role="officer", correlation_id="bench")
CODE = "birth-registration"
FORM = service_example(CODE)
UPLOADS = uploads(CODE)
BATCH = 200_000


def run_cases(container: Container, cases: int, first: int) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {"submit": [], "accept": [], "decide": []}
    for n in range(first, first + cases):
        who = Principal(f"3{1 + n % 28:02d}0185{n:07d}", "citizen")
        ctx = CommandContext(actor=who.subject, role="citizen", correlation_id="bench")
        started = time.perf_counter()
        application = container.submissions.submit(
            who,
            ctx,
            service_code=CODE,
            territory=DISTRICT,
            form=copy.deepcopy(FORM),
            attachments=UPLOADS,
        )
        key = str(application.id)
        accepted = time.perf_counter()
        container.handling.accept(OFFICER, OFFICER_CTX, key)
        decided = time.perf_counter()
        container.decisions.decide(
            OFFICER, OFFICER_CTX, key, outcome="approved", reasons="Checked.", legal_basis="Art. 1"
        )
        done = time.perf_counter()
        samples["submit"].append((accepted - started) * 1000)
        samples["accept"].append((decided - accepted) * 1000)
        samples["decide"].append((done - decided) * 1000)
    return samples


def templates(container: Container) -> list[list[tuple[int, str, bytes, str]]]:
    """The stored rows of every aggregate now in cases_events, grouped per aggregate:
    (version, topic, state, sha256 of state)."""
    schema = container.settings.db_schema
    groups: dict[uuid.UUID, list[tuple[int, str, bytes, str]]] = {}
    with container.database.connect() as conn:
        for originator_id, version, topic, stored in conn.execute(
            sql.SQL(
                "SELECT originator_id, originator_version, topic, state FROM {} "
                "ORDER BY originator_id, originator_version"
            ).format(sql.Identifier(schema, "cases_events"))
        ):
            state = bytes(stored)
            groups.setdefault(originator_id, []).append(
                (version, topic, state, hashlib.sha256(state).hexdigest())
            )
    return [rows for rows in groups.values() if rows[0][0] == 1]


def count_events(container: Container) -> int:
    with container.database.connect() as conn:
        row = conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(
                sql.Identifier(container.settings.db_schema, "cases_events")
            )
        ).fetchone()
    return int(row[0]) if row else 0


def bulk_load(
    container: Container, target: int, shapes: list[list[tuple[int, str, bytes, str]]]
) -> float:
    """COPY template aggregates under fresh ids until cases_events holds ``target`` rows,
    with their audit links; returns the seconds it took."""
    schema = container.settings.db_schema
    events = sql.Identifier(schema, "cases_events")
    links = sql.Identifier(schema, LINKS_TABLE)
    started = time.perf_counter()
    missing = target - count_events(container)
    shape = 0
    while missing > 0:
        with container.database.connect() as conn, conn.transaction():
            # the table lock keeps any other writer out while positions are handed out
            conn.execute(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(events))
            row = conn.execute(
                sql.SQL("SELECT coalesce(max(notification_id), 0) FROM {}").format(events)
            ).fetchone()
            position = int(row[0]) if row else 0
            batch = min(missing, BATCH)
            written = 0
            link_rows: list[tuple[Any, ...]] = []
            with conn.cursor() as cursor:
                with cursor.copy(
                    sql.SQL(
                        "COPY {} (originator_id, originator_version, topic, state, "
                        "notification_id) FROM STDIN"
                    ).format(events)
                ) as copy_events:
                    while written < batch:
                        rows = shapes[shape % len(shapes)][: batch - written]
                        shape += 1
                        aggregate = uuid.uuid4()
                        head = GENESIS
                        for version, topic, state, digest in rows:
                            position += 1
                            copy_events.write_row((aggregate, version, topic, state, position))
                            hashed = event_hash_of_digest(str(aggregate), version, topic, digest)
                            head = link(head, hashed)
                            link_rows.append((aggregate, version, position, hashed, head))
                        written += len(rows)
                with cursor.copy(
                    sql.SQL(
                        "COPY {} (stream, aggregate_id, version, position, event_hash, link) "
                        "FROM STDIN"
                    ).format(links)
                ) as copy_links:
                    for aggregate, version, at, hashed, chained in link_rows:
                        copy_links.write_row(("Cases", aggregate, version, at, hashed, chained))
            sequence = conn.execute(
                "SELECT pg_get_serial_sequence(%s, 'notification_id')",
                (f'"{schema}"."cases_events"',),
            ).fetchone()
            assert sequence is not None
            conn.execute("SELECT setval(%s, %s)", (sequence[0], position))
        missing -= batch
        print(f"  loaded {target - missing:,} / {target:,} events", flush=True)
    with container.database.connect() as conn:
        conn.autocommit = True
        conn.execute(sql.SQL("ANALYZE {}").format(events))
        conn.execute(sql.SQL("ANALYZE {}").format(links))
    return time.perf_counter() - started


def raw_insert_ms(container: Container, repeat: int = 200) -> dict[str, float]:
    """A single-row INSERT transaction into the grown table (then rolled back)."""
    events = sql.Identifier(container.settings.db_schema, "cases_events")
    samples = []
    with container.database.connect() as conn:
        conn.autocommit = True
        for _ in range(repeat):
            started = time.perf_counter()
            with conn.transaction(force_rollback=True):
                conn.execute(
                    sql.SQL(
                        "INSERT INTO {} (originator_id, originator_version, topic, state) "
                        "VALUES (%s, 1, 'bench', %s)"
                    ).format(events),
                    (uuid.uuid4(), b"x" * 500),
                )
            samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def measure_interleaved(
    small: Container, big: Container, cases: int, first: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """One case on the small store, one on the big, in turn: both meet the same noise."""
    on_small: dict[str, list[float]] = {"submit": [], "accept": [], "decide": []}
    on_big: dict[str, list[float]] = {"submit": [], "accept": [], "decide": []}
    for n in range(first, first + cases):
        for container, samples in ((small, on_small), (big, on_big)):
            for name, values in run_cases(container, 1, n).items():
                samples[name] += values
    return on_small, on_big


def ratios(entry: dict[str, Any], base: dict[str, Any]) -> dict[str, float]:
    return {
        name: round(entry[f"{name}_latency"]["p50_ms"] / base[f"{name}_latency"]["p50_ms"], 2)
        for name in ("submit", "accept", "decide", "raw_insert")
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", default="10000,1000000", help="comma-separated sizes")
    parser.add_argument(
        "--baseline-events", type=int, default=10_000, help="size of the small store"
    )
    parser.add_argument("--cases", type=int, default=40, help="cases measured at each size")
    add_database_argument(parser)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.events.split(","))
    figures: dict[str, Any] = {
        "cases_per_size": args.cases,
        "baseline_events": args.baseline_events,
        "sizes": {},
        "machine": machine(args.database_url),
    }
    with (
        seeded_container(args.database_url) as big,
        seeded_container(args.database_url) as small,
    ):
        for container in (big, small):
            container.rebuild_projection("catalogue")  # routing and decisions read it
            run_cases(container, 20, 0)  # templates, and warm caches
        shapes = templates(big)
        figures["template_aggregates"] = len(shapes)
        bulk_load(small, args.baseline_events, shapes)
        figures["baseline_store_verifies_intact"] = small.verifier.verify_all().intact
        first = 1000
        for size in sizes:
            load_seconds = bulk_load(big, size, shapes)
            on_small, on_big = measure_interleaved(small, big, args.cases, first)
            first += args.cases
            entry: dict[str, Any] = {
                "stored_events": count_events(big),
                "bulk_load_seconds": round(load_seconds, 1),
                **{f"{name}_latency": percentiles(s) for name, s in on_big.items()},
                "raw_insert_latency": raw_insert_ms(big),
            }
            baseline: dict[str, Any] = {
                "stored_events": count_events(small),
                **{f"{name}_latency": percentiles(s) for name, s in on_small.items()},
                "raw_insert_latency": raw_insert_ms(small),
            }
            entry["baseline_small_store"] = baseline
            entry["p50_ratio_to_small_store"] = ratios(entry, baseline)
            figures["sizes"][str(size)] = entry
            print(
                f"  {size:,} events: decide p50 {entry['decide_latency']['p50_ms']} ms "
                f"(small store {baseline['decide_latency']['p50_ms']} ms)",
                flush=True,
            )
        smallest = figures["sizes"][str(sizes[0])]
        for size in sizes[1:]:
            entry = figures["sizes"][str(size)]
            entry["p50_ratio_to_smallest_size"] = ratios(entry, smallest)
        with big.database.connect() as conn:
            row = conn.execute(
                "SELECT pg_total_relation_size(%s) + pg_total_relation_size(%s)",
                (
                    f'"{big.settings.db_schema}"."cases_events"',
                    f'"{big.settings.db_schema}"."{LINKS_TABLE}"',
                ),
            ).fetchone()
            figures["events_and_links_bytes_at_largest"] = int(row[0]) if row else 0
    figures["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures, indent=2))
    parts = []
    for size, entry in figures["sizes"].items():
        ratio = entry["p50_ratio_to_small_store"]
        parts.append(
            f"{int(size):,} events: submit/accept/decide p50 "
            f"{entry['submit_latency']['p50_ms']}/{entry['accept_latency']['p50_ms']}/"
            f"{entry['decide_latency']['p50_ms']} ms ({ratio['submit']}x/{ratio['accept']}x/"
            f"{ratio['decide']}x a {args.baseline_events:,}-event store, interleaved)"
        )
    print("scale: " + "; ".join(parts))


if __name__ == "__main__":
    main()
