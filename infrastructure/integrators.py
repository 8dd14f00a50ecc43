"""Where integrator clients are kept: ``integrator_clients`` (key hashes, never keys)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore
from psycopg import sql

from application.integrators import IntegratorClient

_COLUMNS = sql.SQL(
    "id, name, scopes, key_sha256, created_at, created_by, revoked_at, revoked_by, revoke_reason"
)


def _client(row: dict[str, Any]) -> IntegratorClient:
    return IntegratorClient(**{**row, "scopes": frozenset(row["scopes"])})


class PostgresIntegratorStore:
    def __init__(self, datastore: PostgresDatastore) -> None:
        self.datastore = datastore
        self._table = sql.Identifier(datastore.schema, "integrator_clients")

    def create_table(self) -> None:
        with self.datastore.get_connection() as conn:
            conn.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (id uuid PRIMARY KEY, name text NOT NULL, "
                    "scopes text[] NOT NULL, key_sha256 text NOT NULL, "
                    "created_at timestamptz NOT NULL, created_by text NOT NULL, "
                    "revoked_at timestamptz, revoked_by text, revoke_reason text)"
                ).format(self._table)
            )

    def add(self, client: IntegratorClient) -> None:
        with self.datastore.get_connection() as conn:
            conn.execute(
                sql.SQL("INSERT INTO {} ({}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)").format(
                    self._table, _COLUMNS
                ),
                (
                    client.id,
                    client.name,
                    sorted(client.scopes),
                    client.key_sha256,
                    client.created_at,
                    client.created_by,
                    client.revoked_at,
                    client.revoked_by,
                    client.revoke_reason,
                ),
            )

    def get(self, client_id: UUID) -> IntegratorClient | None:
        with self.datastore.get_connection() as conn:
            row = conn.execute(
                sql.SQL("SELECT {} FROM {} WHERE id = %s").format(_COLUMNS, self._table),
                (client_id,),
            ).fetchone()
        return _client(row) if row else None

    def find(self, client_id: str) -> IntegratorClient | None:
        """By an id as text (a token's subject); None when it is not one."""
        try:
            return self.get(UUID(client_id))
        except ValueError:
            return None

    def all(self) -> list[IntegratorClient]:
        with self.datastore.get_connection() as conn:
            rows = conn.execute(
                sql.SQL("SELECT {} FROM {} ORDER BY created_at, id").format(_COLUMNS, self._table)
            ).fetchall()
        return [_client(r) for r in rows]

    def with_id_prefix(self, hex_prefix: str, *, limit: int) -> list[IntegratorClient]:
        if not hex_prefix.isalnum() or not hex_prefix.isascii():
            return []  # hex digits only, so nothing in it is a LIKE wildcard
        with self.datastore.get_connection() as conn:
            rows = conn.execute(
                sql.SQL(
                    "SELECT {} FROM {} WHERE replace(id::text, '-', '') LIKE %s "
                    "ORDER BY id LIMIT %s"
                ).format(_COLUMNS, self._table),
                (f"{hex_prefix}%", limit),
            ).fetchall()
        return [_client(r) for r in rows]

    def revoke(self, client_id: UUID, *, at: datetime, by: str, reason: str) -> bool:
        with self.datastore.get_connection() as conn:
            cursor = conn.execute(
                sql.SQL(
                    "UPDATE {} SET revoked_at = %s, revoked_by = %s, revoke_reason = %s "
                    "WHERE id = %s AND revoked_at IS NULL"
                ).format(self._table),
                (at, by, reason, client_id),
            )
            return cursor.rowcount == 1
