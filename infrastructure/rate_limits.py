"""The rate limits' counters in PostgreSQL, shared by every API process.

One row per key (a limit, a scope and a keyed hash: no personal data) holds the start of its
current fixed window and the requests counted in it. A hit is one statement: an
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` that starts a new window when the row's has
ended and otherwise adds one, so concurrent requests in any process are counted exactly.
Rows whose window has ended are deleted at most once a minute per process, a bounded batch
at a time, by an indexed range scan on ``expires_at``.
"""

from __future__ import annotations

import threading
from datetime import datetime

from eventsourcing.postgres import PostgresDatastore
from psycopg import sql

from application.rate_limits import Decision, window_start

PRUNE_EVERY_SECONDS = 60
PRUNE_BATCH = 5000


class PostgresRateLimitStore:
    def __init__(self, datastore: PostgresDatastore) -> None:
        self.datastore = datastore
        self._table = sql.Identifier(datastore.schema, "rate_limit_counters")
        self._index = sql.Identifier("rate_limit_counters_expires_at")
        self._lock = threading.Lock()
        self._pruned_at = 0

    def create_table(self) -> None:
        """Create the table if missing (the caller holds the schema's DDL lock)."""
        with self.datastore.get_connection() as conn:
            conn.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} ("
                    "key text PRIMARY KEY, window_start bigint NOT NULL, "
                    "expires_at bigint NOT NULL, hits integer NOT NULL)"
                ).format(self._table)
            )
            conn.execute(
                sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} (expires_at)").format(
                    self._index, self._table
                )
            )

    def hit(self, key: str, window: int, limit: int, now: datetime) -> Decision:
        start = window_start(now, window)
        with self.datastore.get_connection() as conn:
            # A row of a later window (another process's clock ahead of ours) keeps its
            # window: this request counts there.
            row = conn.execute(
                sql.SQL(
                    "INSERT INTO {table} AS c (key, window_start, expires_at, hits) "
                    "VALUES (%(key)s, %(start)s, %(expires)s, 1) "
                    "ON CONFLICT (key) DO UPDATE SET "
                    "hits = CASE WHEN c.window_start < EXCLUDED.window_start THEN 1 "
                    "ELSE c.hits + 1 END, "
                    "window_start = GREATEST(c.window_start, EXCLUDED.window_start), "
                    "expires_at = GREATEST(c.expires_at, EXCLUDED.expires_at) "
                    "RETURNING hits, expires_at"
                ).format(table=self._table),
                {"key": key, "start": start, "expires": start + window},
            ).fetchone()
        assert row is not None  # an upsert returns its row
        self._maybe_prune(now)
        hits, expires_at = int(row["hits"]), int(row["expires_at"])
        reset = max(1, min(window, expires_at - int(now.timestamp())))
        return Decision(allowed=hits <= limit, remaining=max(0, limit - hits), reset_seconds=reset)

    def _maybe_prune(self, now: datetime) -> None:
        second = int(now.timestamp())
        with self._lock:
            if abs(second - self._pruned_at) < PRUNE_EVERY_SECONDS:
                return
            self._pruned_at = second
        self.prune(now)

    def prune(self, now: datetime) -> int:
        """Delete up to ``PRUNE_BATCH`` rows whose window has ended; how many went."""
        with self.datastore.get_connection() as conn:
            cursor = conn.execute(
                sql.SQL(
                    "DELETE FROM {table} WHERE key IN (SELECT key FROM {table} "
                    "WHERE expires_at <= %s LIMIT %s FOR UPDATE SKIP LOCKED)"
                ).format(table=self._table),
                (int(now.timestamp()), PRUNE_BATCH),
            )
            return cursor.rowcount
