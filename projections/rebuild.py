"""Rebuilding a read model from the events without serving wrong rows meanwhile.

The new rows are built in a shadow schema while the live tables keep serving. Then, in
one transaction holding the live tables' locks (tracking table first, in the order a
projection runner takes them), the shadow catches up with the last recorded event and its
tables replace the live ones. A live runner blocked meanwhile resumes on the new tables and
skips, by their tracking position, the events the rebuild already applied.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from time import perf_counter
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.projection import Projection
from psycopg.sql import SQL, Identifier

from projections.tracked_view import TrackedView

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RebuildReport:
    name: str
    events: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


def replay(
    app: Application[Any],
    projection: Projection[Any],
    *,
    after: int,
    upto: int | None = None,
    batch: int = 500,
    progress: Progress | None = None,
) -> int:
    """Feed the projection every event of ``app`` with a position in (after, upto]."""
    done = 0
    start = after + 1
    total = max((upto if upto is not None else app.recorder.max_notification_id() or 0) - after, 0)
    if progress is not None:  # the total from the start, even when there is nothing to replay
        progress(0, total)
    while True:
        notifications = app.recorder.select_notifications(start=start, limit=batch, stop=upto)
        if not notifications:
            return done
        with _batched(projection):  # one transaction per batch: nothing else writes it
            for notification in notifications:
                event = app.mapper.to_domain_event(notification)
                projection.process_event(event, Tracking(app.name, notification.id))
        done += len(notifications)
        start = notifications[-1].id + 1
        if progress is not None:
            progress(done, max(total, done))


def _batched(projection: Projection[Any]) -> AbstractContextManager[Any]:
    view = getattr(projection, "view", None)
    return view.batched() if isinstance(view, TrackedView) else nullcontext()


def rebuild(
    *,
    name: str,
    app: Application[Any],
    projection_class: type[Projection[Any]],
    live_view: TrackedView,
    make_datastore: Callable[[str], PostgresDatastore],
    progress: Progress | None = None,
) -> RebuildReport:
    """Rebuild ``live_view``'s tables from all of ``app``'s events and swap them in."""
    started = perf_counter()
    live_schema = live_view.schema
    shadow_schema = f"{live_schema}_rebuild_{name}"[:63]
    with live_view.datastore.transaction(commit=True) as curs:
        curs.execute(SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(Identifier(shadow_schema)))
        curs.execute(SQL("CREATE SCHEMA {}").format(Identifier(shadow_schema)))
    datastore = make_datastore(shadow_schema)
    try:
        shadow = type(live_view)(datastore, tracking_table_name=live_view.tracking_table_name)
        shadow.create_table()
        projection = projection_class(view=shadow)
        events = replay(app, projection, after=0, progress=progress)
        with live_view.datastore.transaction(commit=True) as curs:
            for table in (live_view.tracking_table_name, *live_view.table_names):
                curs.execute(
                    SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(
                        Identifier(live_schema, table)
                    )
                )
            events += replay(app, projection, after=shadow.position(app.name))
            for table in (live_view.tracking_table_name, *live_view.table_names):
                curs.execute(SQL("DROP TABLE {}").format(Identifier(live_schema, table)))
                curs.execute(
                    SQL("ALTER TABLE {} SET SCHEMA {}").format(
                        Identifier(shadow_schema, table), Identifier(live_schema)
                    )
                )
        with live_view.datastore.transaction(commit=True) as curs:
            curs.execute(SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(Identifier(shadow_schema)))
    finally:
        datastore.close()
    return RebuildReport(name, events, perf_counter() - started)
