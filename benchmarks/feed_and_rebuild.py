"""Integrator figures over a store of at least 200,000 events: the rebuild rate of every
read model, and the event feed's write (merge) and read rates.

Baseline, measured in the same run: reading and decoding every event of the store with no
projection work (the floor a rebuild or a feed read stands on); each figure is also given
as a ratio to it.

    .venv/bin/python benchmarks/feed_and_rebuild.py [--events 200000] [--database-url URL]

The database defaults to YAGONA_TEST_DATABASE_URL, else 127.0.0.1:5432; a fresh schema is
created and dropped. The events are real cases: applications submitted through the use
case, then taken and released by officers many times (saved in batches to build the store
quickly), so every read model has rows to write.
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from typing import Any

from support import add_database_argument, seeded_container  # also puts the repo on the path

from application.principal import Principal
from domain.context import CommandContext
from infrastructure.container import Container
from infrastructure.workers import PROJECTIONS
from tests.documents import uploads
from tests.e2e.cases import AGENCY, DISTRICT, service_example

OFFICER = Principal("officer-1", "officer", agency=AGENCY)
CTX = CommandContext(actor="bench", role="system", correlation_id="bench")
OFFICER_CTX = CommandContext(actor="officer-1", role="officer", correlation_id="bench")
READER = Principal(str(uuid.uuid4()), "integrator", scopes=frozenset({"feed:read"}))
FULL_READER = Principal(
    str(uuid.uuid4()), "integrator", scopes=frozenset({"feed:read", "personal-data:read"})
)


def citizens(count: int) -> list[Principal]:
    """Valid, distinct PINFLs (digits 2-7 a birth date)."""
    return [Principal(f"3{1 + n % 28:02d}0185{n:07d}", "citizen") for n in range(count)]


def build_store(container: Container, events: int, applications: int) -> float:
    """Submit ``applications`` cases, then cycle them through officers until the store
    holds ``events`` events; returns the seconds it took."""
    started = time.perf_counter()
    code = "birth-registration"
    submitted = [
        container.submissions.submit(
            who,
            CTX,
            service_code=code,
            territory=DISTRICT,
            form=service_example(code),
            attachments=uploads(code),
        )
        for who in citizens(applications)
    ]
    meta = OFFICER_CTX.meta()
    while total_events(container) < events:
        for start in range(0, len(submitted), 20):
            batch = submitted[start : start + 20]
            for application in batch:
                for _ in range(25):
                    application.accept(officer=OFFICER.subject, meta=meta)
                    application.release(officer=OFFICER.subject, meta=meta)
            container.cases.save(*batch)
    return time.perf_counter() - started


def total_events(container: Container) -> int:
    return int(container.verifier.count_events())


def decode_all(container: Container) -> tuple[int, float]:
    """The baseline: read and decode every event of every context, nothing else."""
    started = time.perf_counter()
    count = 0
    for app in (container.catalogue, container.cases, container.payments):
        start = 1
        while True:
            notifications = app.recorder.select_notifications(start=start, limit=1000)
            if not notifications:
                break
            for notification in notifications:
                app.mapper.to_domain_event(notification)
            count += len(notifications)
            start = notifications[-1].id + 1
    return count, time.perf_counter() - started


def read_feed(container: Container, reader: Principal) -> tuple[int, float]:
    started = time.perf_counter()
    after, count = 0, 0
    while True:
        page = container.feed.read(reader, after=after, limit=1000, types=[])
        if not page.items:
            break
        count += len(page.items)
        after = page.next
    return count, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--applications", type=int, default=1000)
    add_database_argument(parser)
    args = parser.parse_args()
    figures: dict[str, Any] = {}
    with seeded_container(args.database_url) as container:
        container.rebuild_projection("catalogue")  # routing reads it
        figures["store_build_seconds"] = round(
            build_store(container, args.events, args.applications), 1
        )
        figures["events"] = total_events(container)

        decoded, decode_seconds = decode_all(container)
        baseline = decoded / decode_seconds
        figures["baseline_decode_events_per_second"] = round(baseline)

        rebuilt = []
        for spec in PROJECTIONS:
            report = container.rebuild_projection(spec.name)
            rebuilt.append(report)
            figures[f"rebuild_{spec.name}"] = {
                "events": report.events,
                "seconds": round(report.seconds, 2),
                "events_per_second": round(report.rate),
            }
        total = sum(r.events for r in rebuilt)
        seconds = sum(r.seconds for r in rebuilt)
        figures["rebuild_all_events"] = total
        figures["rebuild_all_seconds"] = round(seconds, 1)
        figures["rebuild_all_events_per_second"] = round(total / seconds)
        figures["rebuild_ratio_to_decode"] = round(total / seconds / baseline, 2)

        started = time.perf_counter()
        merged = 0
        while True:
            pulled = container.feed_log.pull(batch=5000)
            if not pulled:
                break
            merged += pulled
        merge_seconds = time.perf_counter() - started
        figures["feed_merge_events_per_second"] = round(merged / merge_seconds)

        for label, reader in (("redacted", READER), ("personal", FULL_READER)):
            count, read_seconds = read_feed(container, reader)
            figures[f"feed_read_{label}_events"] = count
            figures[f"feed_read_{label}_events_per_second"] = round(count / read_seconds)
            figures[f"feed_read_{label}_ratio_to_decode"] = round(
                count / read_seconds / baseline, 2
            )
        print(json.dumps(figures, indent=2))
        print(
            f"{figures['events']:,} events: rebuilding all read models "
            f"{figures['rebuild_all_events_per_second']:,} events/s "
            f"({figures['rebuild_ratio_to_decode']}x decoding alone); feed read "
            f"{figures['feed_read_redacted_events_per_second']:,} events/s redacted, "
            f"{figures['feed_read_personal_events_per_second']:,} with personal data; feed "
            f"merge {figures['feed_merge_events_per_second']:,} events/s"
        )


if __name__ == "__main__":
    main()
