"""Unique numbers from PostgreSQL sequences (tracking and registration numbers).

A sequence never hands out a number twice, even across processes; a number taken by a
command that then fails is skipped, which registers tolerate.
"""

from __future__ import annotations

import re
import threading

from eventsourcing.postgres import PostgresDatastore
from psycopg import sql

_NAME = re.compile(r"[a-z][a-z0-9_]{0,40}")


class PostgresSequences:
    def __init__(self, datastore: PostgresDatastore) -> None:
        self.datastore = datastore
        self._created: set[str] = set()
        self._lock = threading.Lock()

    def _sequence(self, name: str) -> sql.Composed:
        if not _NAME.fullmatch(name):
            raise ValueError(f"a sequence name is a lowercase identifier, not {name!r}")
        return sql.SQL("{}").format(sql.Identifier(self.datastore.schema, f"yagona_seq_{name}"))

    def create(self, name: str) -> None:
        """Create the sequence if missing. Concurrent CREATE SEQUENCE IF NOT EXISTS can still
        collide in PostgreSQL's catalogue, so creators queue on an advisory lock."""
        sequence = self._sequence(name)
        with self.datastore.get_connection() as conn, conn.transaction():
            conn.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))",
                (f"yagona:seq:{sequence.as_string()}",),
            )
            conn.execute(sql.SQL("CREATE SEQUENCE IF NOT EXISTS {}").format(sequence))
        with self._lock:
            self._created.add(name)

    def next_value(self, name: str) -> int:
        if name not in self._created:
            self.create(name)
        sequence = self._sequence(name)
        with self.datastore.get_connection() as conn:
            row = conn.execute(
                sql.SQL("SELECT nextval({}) AS value").format(sql.Literal(sequence.as_string()))
            ).fetchone()
        assert row is not None
        return int(row["value"])
