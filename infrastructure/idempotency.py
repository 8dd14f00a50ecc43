"""Stored responses of writes sent with an ``Idempotency-Key``.

A key is claimed before the write runs (one row per caller and key), completed with the
response, and replayed for a retry with the same request; a different request under the
same key is refused. A claim whose request died is taken over after ``stale_after`` or, when
its owner is known to be gone, at once.

Each process marks its claims with an owner token it holds a session advisory lock on, on a
connection of its own (``Presence``). When the process dies (SIGKILL, a crash) or loses that
connection (the database restarted), the lock goes with it: a retry of a request it left
unfinished finds nobody holding the owner's lock and runs at once, instead of being told
"in progress" until ``stale_after`` has passed. A lost connection gets a new token, so the
claims of requests that failed with the database are free too.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

import psycopg
import structlog
from eventsourcing.persistence import PersistenceError
from eventsourcing.postgres import PostgresDatastore
from psycopg import sql
from psycopg.types.json import Jsonb

from infrastructure.database import DatabaseConfig, DatabaseUnavailable

log = structlog.get_logger(__name__)
OWNER_LOCK = "SELECT {}(hashtextextended(%s, 0)) AS done"


class Presence:
    """This process's owner token, held as a session advisory lock on a connection of its
    own while the process (and the connection) lives."""

    def __init__(self, database: DatabaseConfig) -> None:
        self.database = database
        self._lock = threading.Lock()
        self._conn: psycopg.Connection[Any] | None = None
        self._token = ""

    def token(self) -> str:
        """The current token; a new one (and its lock) if the connection was lost."""
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.execute("SELECT 1")
                    return self._token
                except psycopg.Error:
                    self._close()
            token = uuid.uuid4().hex
            conn = self.database.connect(connect_timeout=2)
            try:
                conn.execute(sql.SQL(OWNER_LOCK).format(sql.SQL("pg_advisory_lock")), (token,))
            except psycopg.Error as error:
                conn.close()
                raise DatabaseUnavailable(str(error).splitlines()[0]) from error
            self._conn, self._token = conn, token
            return token

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error):  # already broken
                self._conn.close()
        self._conn = None


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


class RequestKeys(Protocol):
    """What the HTTP layer's Idempotency-Key middleware and the purge job need of the
    remembered responses (``IdempotencyStore``; an in-memory stand-in in tests)."""

    def claim(self, caller: str, key: str, fingerprint: str) -> Claim: ...

    def complete(self, caller: str, key: str, response: StoredResponse) -> None: ...

    def release(self, caller: str, key: str) -> None: ...

    def purge(self, older_than: timedelta) -> int: ...

    def close(self) -> None: ...


class IdempotencyStore:
    def __init__(
        self,
        datastore: PostgresDatastore,
        *,
        presence: Presence | None = None,
        stale_after: timedelta = timedelta(minutes=2),
    ) -> None:
        self.datastore = datastore
        self.presence = presence
        self.stale_after = stale_after
        self._table = sql.Identifier(datastore.schema, "idempotency_keys")

    def close(self) -> None:
        if self.presence is not None:
            self.presence.close()

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
            conn.execute(
                sql.SQL("ALTER TABLE {} ADD COLUMN IF NOT EXISTS owner text").format(self._table)
            )

    def claim(self, caller: str, key: str, fingerprint: str) -> Claim:
        owner = self.presence.token() if self.presence is not None else None
        with self.datastore.get_connection() as conn:
            inserted = conn.execute(
                sql.SQL(
                    "INSERT INTO {} (caller, key, fingerprint, owner) VALUES (%s, %s, %s, %s) "
                    "ON CONFLICT DO NOTHING RETURNING key"
                ).format(self._table),
                (caller, key, fingerprint, owner),
            ).fetchone()
            if inserted is not None:
                return Claim(won=True)
            row = conn.execute(
                sql.SQL(
                    "SELECT fingerprint, status, headers, body, owner, "
                    "claimed_at < now() - %s AS expired FROM {} WHERE caller = %s AND key = %s"
                ).format(self._table),
                (self.stale_after, caller, key),
            ).fetchone()
            if (
                row is not None
                and row["status"] is None
                and row["fingerprint"] == fingerprint
                and (row["expired"] or _owner_gone(conn, row["owner"], owner))
            ):
                taken_over = conn.execute(
                    sql.SQL(
                        "UPDATE {} SET claimed_at = now(), owner = %s WHERE caller = %s "
                        "AND key = %s AND status IS NULL AND owner IS NOT DISTINCT FROM %s "
                        "RETURNING key"
                    ).format(self._table),
                    (owner, caller, key, row["owner"]),
                ).fetchone()
                if taken_over is not None:
                    return Claim(won=True)
                return self.claim(caller, key, fingerprint)  # someone else took it: look again
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
        """Keep the response for retries. The write is done and its answer on its way: if
        the database is gone now, the answer still goes (a retry finds the claim unfinished,
        and runs once its owner is gone or the claim is stale)."""
        with _best_effort("complete"), self.datastore.get_connection() as conn:
            conn.execute(
                sql.SQL(
                    "UPDATE {} SET status = %s, headers = %s, body = %s "
                    "WHERE caller = %s AND key = %s"
                ).format(self._table),
                (response.status, Jsonb(response.headers), response.body, caller, key),
            )

    def release(self, caller: str, key: str) -> None:
        """Forget a claim whose request failed, so a retry runs the write again (if the
        database is gone, the claim is freed when this process's owner token changes)."""
        with _best_effort("release"), self.datastore.get_connection() as conn:
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


@contextlib.contextmanager
def _best_effort(what: str) -> Iterator[None]:
    try:
        yield
    except (PersistenceError, psycopg.Error) as error:
        log.warning("idempotency.not_recorded", step=what, error=type(error).__name__)


def _owner_gone(conn: Any, owner: str | None, mine: str | None) -> bool:
    """Nobody holds ``owner``'s lock: the process (or connection) that claimed is gone."""
    if owner is None or owner == mine:
        return False
    free = conn.execute(
        sql.SQL(OWNER_LOCK).format(sql.SQL("pg_try_advisory_lock")), (owner,)
    ).fetchone()
    if free is None or not free["done"]:
        return False
    conn.execute(sql.SQL(OWNER_LOCK).format(sql.SQL("pg_advisory_unlock")), (owner,))
    return True
