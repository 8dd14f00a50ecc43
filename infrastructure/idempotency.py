"""Stored responses of writes sent with an ``Idempotency-Key``.

A key is claimed before the write runs (one row per caller and key), completed with the
response, and replayed for a retry with the same request; a different request under the
same key is refused. A claim whose request died is taken over after ``stale_after``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from eventsourcing.postgres import PostgresDatastore
from psycopg import sql
from psycopg.types.json import Jsonb


@dataclass(frozen=True)
class StoredResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class Claim:
    """``won``: this request runs the write. Otherwise ``fingerprint`` is the first
    request's, and ``response`` its response once it has completed."""

    won: bool
    fingerprint: str | None = None
    response: StoredResponse | None = None


class IdempotencyStore:
    def __init__(
        self, datastore: PostgresDatastore, *, stale_after: timedelta = timedelta(minutes=2)
    ) -> None:
        self.datastore = datastore
        self.stale_after = stale_after
        self._table = sql.Identifier(datastore.schema, "idempotency_keys")

    def create_table(self) -> None:
        """Create the table if missing (the caller holds the schema's DDL lock)."""
        with self.datastore.get_connection() as conn:
            conn.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} ("
                    "caller text NOT NULL, key text NOT NULL, fingerprint text NOT NULL, "
                    "status integer, headers jsonb, body bytea, "
                    "created_at timestamptz NOT NULL DEFAULT now(), "
                    "claimed_at timestamptz NOT NULL DEFAULT now(), "
                    "PRIMARY KEY (caller, key))"
                ).format(self._table)
            )

    def claim(self, caller: str, key: str, fingerprint: str) -> Claim:
        with self.datastore.get_connection() as conn:
            inserted = conn.execute(
                sql.SQL(
                    "INSERT INTO {} (caller, key, fingerprint) VALUES (%s, %s, %s) "
                    "ON CONFLICT DO NOTHING RETURNING key"
                ).format(self._table),
                (caller, key, fingerprint),
            ).fetchone()
            if inserted is not None:
                return Claim(won=True)
            taken_over = conn.execute(
                sql.SQL(
                    "UPDATE {} SET claimed_at = now() WHERE caller = %s AND key = %s "
                    "AND status IS NULL AND fingerprint = %s AND claimed_at < now() - %s "
                    "RETURNING key"
                ).format(self._table),
                (caller, key, fingerprint, self.stale_after),
            ).fetchone()
            if taken_over is not None:
                return Claim(won=True)
            row = conn.execute(
                sql.SQL(
                    "SELECT fingerprint, status, headers, body FROM {} "
                    "WHERE caller = %s AND key = %s"
                ).format(self._table),
                (caller, key),
            ).fetchone()
        if row is None:  # released meanwhile: try again
            return self.claim(caller, key, fingerprint)
        response = None
        if row["status"] is not None:
            response = StoredResponse(
                int(row["status"]),
                [(str(k), str(v)) for k, v in row["headers"]],
                bytes(row["body"]),
            )
        return Claim(won=False, fingerprint=str(row["fingerprint"]), response=response)

    def complete(self, caller: str, key: str, response: StoredResponse) -> None:
        with self.datastore.get_connection() as conn:
            conn.execute(
                sql.SQL(
                    "UPDATE {} SET status = %s, headers = %s, body = %s "
                    "WHERE caller = %s AND key = %s"
                ).format(self._table),
                (response.status, Jsonb(response.headers), response.body, caller, key),
            )

    def release(self, caller: str, key: str) -> None:
        """Forget a claim whose request failed, so a retry runs the write again."""
        with self.datastore.get_connection() as conn:
            conn.execute(
                sql.SQL("DELETE FROM {} WHERE caller = %s AND key = %s AND status IS NULL").format(
                    self._table
                ),
                (caller, key),
            )

    def purge(self, older_than: timedelta) -> int:
        with self.datastore.get_connection() as conn:
            cursor = conn.execute(
                sql.SQL("DELETE FROM {} WHERE created_at < now() - %s").format(self._table),
                (older_than,),
            )
            return cursor.rowcount
