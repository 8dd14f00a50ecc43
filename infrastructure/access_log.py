"""The record of reads of personal data (who read which case, when, for what)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eventsourcing.postgres import PostgresDatastore
from psycopg import sql

from application.ports import AccessEntry, AccessRecord


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

    def _records(self, where: sql.SQL, params: tuple[Any, ...], limit: int) -> list[AccessRecord]:
        with self.datastore.get_connection() as conn:
            rows = conn.execute(
                sql.SQL(
                    "SELECT id, at, actor, role, action, subject_kind, subject_id, purpose, "
                    "correlation_id FROM {} WHERE {} ORDER BY id LIMIT %s"
                ).format(self._table, where),
                (*params, limit),
            ).fetchall()
        return [
            AccessRecord(
                row.pop("at"),
                AccessEntry(**{k: str(v) for k, v in row.items() if k != "id"}),
                int(row["id"]),
            )
            for row in rows
        ]

    def for_subjects(self, subject_ids: list[str], *, after: int, limit: int) -> list[AccessRecord]:
        return self._records(
            sql.SQL("subject_id = ANY(%s) AND id > %s"), (subject_ids, after), limit
        )

    def by_actor(self, actor: str, *, after: int, limit: int) -> list[AccessRecord]:
        return self._records(sql.SQL("actor = %s AND id > %s"), (actor, after), limit)

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
