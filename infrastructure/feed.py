"""The global event feed: every stored event of every context, in one order.

Each context has its own notification log (``<context>_events``). The feed writer merges
them into ``feed``: it takes an EXCLUSIVE lock on the table, appends the next notifications
of a context with their feed positions, and records how far it has read that context, all
in one transaction. Positions are therefore assigned and committed in the same order, so a
reader that keeps following ``position > after`` never misses a row that commits later
with a lower position, and each event appears exactly once.

The feed holds references and public facts (type, aggregate, version, time); payloads are
read from the events tables when served, so the cases' encrypted data stays encrypted at
rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresDatastore
from psycopg import sql

from application.feed import FeedEvent, FeedPage

BASE_FIELDS = {"originator_id", "originator_version", "timestamp", "originator_topic", "meta"}


@dataclass(frozen=True)
class FeedRow:
    position: int
    stream: str
    notification_id: int
    aggregate_id: UUID
    version: int
    type: str
    recorded_at: datetime | None


class FeedLog:
    def __init__(self, datastore: PostgresDatastore, apps: dict[str, Application[Any]]) -> None:
        self.datastore = datastore
        self.apps = apps
        self._feed = sql.Identifier(datastore.schema, "feed")
        self._tracking = sql.Identifier(datastore.schema, "feed_tracking")

    def _events(self, stream: str) -> sql.Identifier:
        return sql.Identifier(self.datastore.schema, f"{stream.lower()}_events")

    def create_table(self) -> None:
        with self.datastore.get_connection() as conn:
            conn.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (position bigserial PRIMARY KEY, "
                    "stream text NOT NULL, notification_id bigint NOT NULL, "
                    "aggregate_id uuid NOT NULL, version bigint NOT NULL, type text NOT NULL, "
                    "recorded_at timestamptz, UNIQUE (stream, notification_id))"
                ).format(self._feed)
            )
            conn.execute(
                sql.SQL("CREATE INDEX IF NOT EXISTS feed_type_idx ON {} (type, position)").format(
                    self._feed
                )
            )
            conn.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (stream text PRIMARY KEY, "
                    "notification_id bigint NOT NULL)"
                ).format(self._tracking)
            )

    # --- writing ---------------------------------------------------------------------------

    def pull(self, batch: int = 1000) -> int:
        """Append the next events of every context; how many were appended."""
        return sum(self._pull(stream, batch) for stream in self.apps)

    def _pull(self, stream: str, batch: int) -> int:
        app = self.apps[stream]
        with self.datastore.get_connection() as conn, conn.transaction():
            conn.execute(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(self._feed))
            row = conn.execute(
                sql.SQL("SELECT notification_id FROM {} WHERE stream = %s").format(self._tracking),
                (stream,),
            ).fetchone()
            after = int(row["notification_id"]) if row else 0
            rows = conn.execute(
                sql.SQL(
                    "SELECT notification_id, originator_id, originator_version, topic, state "
                    "FROM {} WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
                ).format(self._events(stream)),
                (after, batch),
            ).fetchall()
            if not rows:
                return 0
            entries = [self._entry(app, stream, r) for r in rows]
            with conn.cursor() as cursor:
                cursor.executemany(
                    sql.SQL(
                        "INSERT INTO {} (stream, notification_id, aggregate_id, version, type, "
                        "recorded_at) VALUES (%s, %s, %s, %s, %s, %s)"
                    ).format(self._feed),
                    entries,
                )
            conn.execute(
                sql.SQL(
                    "INSERT INTO {} (stream, notification_id) VALUES (%s, %s) "
                    "ON CONFLICT (stream) DO UPDATE SET notification_id = excluded.notification_id"
                ).format(self._tracking),
                (stream, int(rows[-1]["notification_id"])),
            )
            return len(rows)

    @staticmethod
    def _entry(app: Application[Any], stream: str, row: dict[str, Any]) -> tuple[Any, ...]:
        topic = str(row["topic"])
        recorded_at = None
        kind = topic.rsplit(":", 1)[-1]
        try:
            event = app.mapper.to_domain_event(_stored(row))
            recorded_at = getattr(event, "timestamp", None)
            kind = type(event).__qualname__
        except Exception:  # an event that no longer decodes is still listed, by its topic
            recorded_at = None
        return (
            stream,
            int(row["notification_id"]),
            row["originator_id"],
            int(row["originator_version"]),
            kind,
            recorded_at,
        )

    # --- reading ---------------------------------------------------------------------------

    def page(self, after: int, limit: int, types: Iterable[str] = ()) -> FeedPage:
        """Events after ``after`` in feed order (of the given types, or all); the position to
        follow from next. A short page ends at the feed's head as read in the same snapshot,
        so filtered readers need not rescan what held nothing for them."""
        wanted = sorted(set(types))
        kinds = sql.SQL("AND (type = ANY(%s) OR split_part(type, '.', 1) = ANY(%s))")
        with self.datastore.get_connection() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            head_row = conn.execute(
                sql.SQL("SELECT coalesce(max(position), 0) AS head FROM {}").format(self._feed)
            ).fetchone()
            head = int(head_row["head"]) if head_row else 0
            rows = conn.execute(
                sql.SQL(
                    "SELECT position, stream, notification_id, aggregate_id, version, type, "
                    "recorded_at FROM {} WHERE position > %s {} ORDER BY position LIMIT %s"
                ).format(self._feed, kinds if wanted else sql.SQL("")),
                (after, *((wanted, wanted) if wanted else ()), limit),
            ).fetchall()
            feed_rows = [FeedRow(**r) for r in rows]
            events = self._load(conn, feed_rows)
        following = feed_rows[-1].position if len(feed_rows) == limit else max(after, head)
        return FeedPage(events, following, head)

    def _load(self, conn: Any, rows: list[FeedRow]) -> list[FeedEvent]:
        stored: dict[tuple[str, int], dict[str, Any]] = {}
        for stream in {r.stream for r in rows}:
            ids = [r.notification_id for r in rows if r.stream == stream]
            for record in conn.execute(
                sql.SQL(
                    "SELECT notification_id, originator_id, originator_version, topic, state "
                    "FROM {} WHERE notification_id = ANY(%s)"
                ).format(self._events(stream)),
                (ids,),
            ):
                stored[(stream, int(record["notification_id"]))] = record
        return [self._event(row, stored.get((row.stream, row.notification_id))) for row in rows]

    def _event(self, row: FeedRow, record: dict[str, Any] | None) -> FeedEvent:
        data: dict[str, Any] | None = None
        meta: dict[str, Any] = {}
        if record is not None:
            try:
                event = self.apps[row.stream].mapper.to_domain_event(_stored(record))
                data = {k: v for k, v in vars(event).items() if k not in BASE_FIELDS}
                meta = dict(getattr(event, "meta", None) or {})
            except Exception:
                data = None  # altered or removed since: listed without data
        return FeedEvent(
            position=row.position,
            stream=row.stream,
            type=row.type,
            aggregate_id=row.aggregate_id,
            version=row.version,
            recorded_at=row.recorded_at,
            data=data,
            meta=meta,
        )

    def at_positions(self, positions: list[int]) -> list[FeedEvent]:
        """The events at these feed positions (in position order)."""
        with self.datastore.get_connection() as conn:
            rows = conn.execute(
                sql.SQL(
                    "SELECT position, stream, notification_id, aggregate_id, version, type, "
                    "recorded_at FROM {} WHERE position = ANY(%s) ORDER BY position"
                ).format(self._feed),
                (positions,),
            ).fetchall()
            return self._load(conn, [FeedRow(**r) for r in rows])

    def head(self) -> int:
        with self.datastore.get_connection() as conn:
            row = conn.execute(
                sql.SQL("SELECT coalesce(max(position), 0) AS head FROM {}").format(self._feed)
            ).fetchone()
        return int(row["head"]) if row else 0

    def lag(self) -> int:
        """Events stored but not yet in the feed."""
        total = 0
        with self.datastore.get_connection() as conn:
            for stream in self.apps:
                row = conn.execute(
                    sql.SQL(
                        "SELECT (SELECT coalesce(max(notification_id), 0) FROM {}) - "
                        "coalesce((SELECT notification_id FROM {} WHERE stream = %s), 0) AS lag"
                    ).format(self._events(stream), self._tracking),
                    (stream,),
                ).fetchone()
                total += int(row["lag"]) if row else 0
        return total


def _stored(row: dict[str, Any]) -> StoredEvent:
    return StoredEvent(
        originator_id=row["originator_id"],
        originator_version=int(row["originator_version"]),
        topic=str(row["topic"]),
        state=bytes(row["state"]),
    )


class FeedLogPort(Protocol):
    """What the composition root needs of the feed's log (``FeedLog``): the runner pulls,
    the feed and the webhooks read."""

    def pull(self, batch: int = 1000) -> int: ...

    def page(self, after: int, limit: int, types: Iterable[str] = ()) -> FeedPage: ...

    def at_positions(self, positions: list[int]) -> list[FeedEvent]: ...

    def head(self) -> int: ...

    def lag(self) -> int: ...
