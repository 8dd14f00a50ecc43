"""The record of reads of personal data (who read which case, when, for what)."""

from __future__ import annotations

import threading
from datetime import datetime

from eventsourcing.postgres import PostgresDatastore
from psycopg import sql

from application.ports import AccessEntry


class PostgresAccessLog:
    """Appends to ``access_log``; never updates or deletes."""

    def __init__(self, datastore: PostgresDatastore) -> None:
        self.datastore = datastore
        self._table = sql.Identifier(datastore.schema, "access_log")

    def create_table(self) -> None:
        """Create the table if missing (the caller holds the schema's DDL lock)."""
        with self.datastore.get_connection() as conn:
            conn.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} ("
                    "id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), "
                    "actor text NOT NULL, role text NOT NULL, action text NOT NULL, "
                    "subject_kind text NOT NULL, subject_id text NOT NULL, "
                    "purpose text NOT NULL, correlation_id text NOT NULL)"
                ).format(self._table)
            )

    def record(self, entry: AccessEntry) -> None:
        with self.datastore.get_connection() as conn:
            conn.execute(
                sql.SQL(
                    "INSERT INTO {} (actor, role, action, subject_kind, subject_id, purpose, "
                    "correlation_id) VALUES (%s, %s, %s, %s, %s, %s, %s)"
                ).format(self._table),
                (
                    entry.actor,
                    entry.role,
                    entry.action,
                    entry.subject_kind,
                    entry.subject_id,
                    entry.purpose,
                    entry.correlation_id,
                ),
            )

    def entries_for(self, subject_id: str) -> list[tuple[datetime, AccessEntry]]:
        with self.datastore.get_connection() as conn:
            rows = conn.execute(
                sql.SQL(
                    "SELECT at, actor, role, action, subject_kind, subject_id, purpose, "
                    "correlation_id FROM {} WHERE subject_id = %s ORDER BY id"
                ).format(self._table),
                (subject_id,),
            ).fetchall()
        return [(row.pop("at"), AccessEntry(**{k: str(v) for k, v in row.items()})) for row in rows]


class MemoryAccessLog:
    def __init__(self) -> None:
        self.entries: list[AccessEntry] = []
        self._lock = threading.Lock()

    def record(self, entry: AccessEntry) -> None:
        with self._lock:
            self.entries.append(entry)
