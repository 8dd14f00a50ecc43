"""The global event feed on PostgreSQL: concurrent writers in every context, two feed
writers (as two worker processes would be), and a follower that must see every event
exactly once, in position order."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

from psycopg import sql

from application.principal import Principal
from application.seeding import seed
from domain.indexes import ProviderPaymentIndex, TrackingNumberIndex
from infrastructure.container import Container
from infrastructure.reference_data import load_reference_data
from tests.integration.live import ADMIN

FOLLOWER = Principal(str(uuid.uuid4()), "integrator", scopes=frozenset({"feed:read"}))
WRITERS = 6
SAVES_PER_WRITER = 40


def stored_events(container: Container) -> set[tuple[str, uuid.UUID, int]]:
    found = set()
    with container.database.connect() as conn:
        for stream in ("Catalogue", "Cases", "Payments"):
            table = sql.Identifier(container.settings.db_schema, f"{stream.lower()}_events")
            for aggregate_id, version in conn.execute(
                sql.SQL("SELECT originator_id, originator_version FROM {}").format(table)
            ):
                found.add((stream, aggregate_id, int(version)))
    return found


def test_a_follower_sees_every_event_exactly_once_in_order_under_concurrent_writers(
    container: Container,
) -> None:
    stop = threading.Event()
    errors: list[BaseException] = []

    def guarded(body: Any) -> Any:
        def run() -> None:
            try:
                body()
            except BaseException as error:  # surfaced by the assertions below
                errors.append(error)
                stop.set()

        return run

    def writer(n: int) -> None:
        for i in range(SAVES_PER_WRITER):
            if n % 2:
                key = f"{n}-{i}-{uuid.uuid4().hex[:6]}"
                container.payments.save(
                    ProviderPaymentIndex(f"pi_{key}", uuid.uuid4()),
                    ProviderPaymentIndex(f"pi_{key}_b", uuid.uuid4()),
                )
            else:
                container.cases.save(TrackingNumberIndex(f"FEED-{n}-{i}", uuid.uuid4()))

    def feed_writer() -> None:
        while not stop.is_set():
            if not container.feed_log.pull(batch=7):  # small batches interleave more
                time.sleep(0.005)

    seen: list[tuple[int, str, uuid.UUID, int]] = []

    def follower() -> None:
        after = 0
        while not stop.is_set():
            page = container.feed.read(FOLLOWER, after=after, limit=25, types=[])
            seen.extend((e.position, e.stream, e.aggregate_id, e.version) for e in page.items)
            after = page.next
            if not page.items:
                time.sleep(0.002)

    threads = [threading.Thread(target=guarded(feed_writer)) for _ in range(2)]
    threads.append(threading.Thread(target=guarded(follower)))
    writers = [threading.Thread(target=guarded(lambda n=n: writer(n))) for n in range(WRITERS)]
    for thread in threads + writers:
        thread.start()
    # the catalogue's events join the stream too
    seed(container.catalogue, load_reference_data(), ADMIN, today=container.clock.today())
    for thread in writers:
        thread.join()
    expected = stored_events(container)
    deadline = time.monotonic() + 60
    while len(seen) < len(expected) and time.monotonic() < deadline and not stop.is_set():
        time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join(10)

    assert not errors, errors
    positions = [p for p, *_ in seen]
    assert positions == sorted(positions)
    assert len(set(positions)) == len(positions)  # nothing repeated
    events = [(stream, aggregate, version) for _, stream, aggregate, version in seen]
    assert len(set(events)) == len(events)
    assert set(events) == expected  # nothing missed
    assert len(expected) > WRITERS * SAVES_PER_WRITER + 2000
    assert container.feed_log.lag() == 0
