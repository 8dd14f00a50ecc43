"""Webhook adapters: subscriptions and deliveries in PostgreSQL, signing secrets derived from
the cipher key, the system's resolver, and an HTTP sender that connects to the address the
application checked and follows no redirects."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
import time
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore
from psycopg import sql

from application.webhooks import (
    CANCELLED,
    PENDING,
    Attempt,
    Delivery,
    NewDelivery,
    SendResult,
    Subscription,
)
from domain.webhook_addresses import IPAddress

TIMEOUT_SECONDS = 10.0


def secret_deriver(key: bytes) -> Any:
    """Each subscription's signing secret, derived from a key and its id (never stored)."""

    def secret_for(subscription_id: UUID) -> str:
        digest = hmac.new(key, f"webhook:{subscription_id}".encode(), hashlib.sha256).digest()
        return "whsec_" + base64.urlsafe_b64encode(digest).decode().rstrip("=")

    return secret_for


class SystemResolver:
    """The operating system's resolver (``getaddrinfo``): numeric forms such as
    ``2130706433`` or ``0x7f.1`` read as it reads them, names looked up."""

    def resolve(self, host: str) -> list[IPAddress]:
        try:
            found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return []
        addresses: list[IPAddress] = []
        for *_, sockaddr in found:
            address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            if address not in addresses:
                addresses.append(address)
        return addresses


def open_socket(address: tuple[str, int], timeout: float) -> socket.socket:
    return socket.create_connection(address, timeout=timeout)


class _PinnedHTTP(http.client.HTTPConnection):
    """A connection to the checked address, whatever the host name resolves to now."""

    def __init__(self, host: str, port: int | None, *, address: IPAddress, sender: HttpSender):
        super().__init__(host, port, timeout=sender.timeout)
        self._address = address
        self._sender = sender

    def connect(self) -> None:
        self.sock = self._sender.open_socket((str(self._address), self.port), self._sender.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """TLS to the checked address, with SNI and the certificate checked for the URL's host."""

    def __init__(self, host: str, port: int | None, *, address: IPAddress, sender: HttpSender):
        super().__init__(host, port, timeout=sender.timeout, context=sender.tls)
        self._address = address
        self._sender = sender

    def connect(self) -> None:
        raw = self._sender.open_socket((str(self._address), self.port), self._sender.timeout)
        try:
            self.sock = self._sender.tls.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise


class HttpSender:
    """POSTs a delivery to the address the application checked. No proxy (the environment's
    ``HTTP_PROXY`` is not consulted: the connection must go where it was checked to go), no
    redirect followed (a 3xx is an answer that is not 2xx: the delivery is retried), and the
    log says ``timeout``, ``refused`` or ``HTTP <status>``, never what the remote said (that
    would tell a caller what listens where)."""

    def __init__(self, timeout: float = TIMEOUT_SECONDS, tls: ssl.SSLContext | None = None) -> None:
        self.timeout = timeout
        self.tls = tls or ssl.create_default_context()

    # The one place a socket is opened (tests replace it to keep to loopback).
    open_socket = staticmethod(open_socket)

    def post(
        self, url: str, body: bytes, headers: dict[str, str], *, address: IPAddress
    ) -> SendResult:
        parts = urlsplit(url)
        kind = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        started = time.perf_counter()
        connection = kind(parts.hostname or "", parts.port, address=address, sender=self)
        try:
            connection.request(
                "POST", target, body=body, headers={**headers, "User-Agent": "Yagona-Webhooks/1"}
            )
            response = connection.getresponse()
            response.read(65536)
            status = int(response.status)
        except TimeoutError:
            return SendResult(None, "timeout", _ms(started))
        except ssl.SSLError:
            return SendResult(None, "refused: TLS handshake or certificate failed", _ms(started))
        except (OSError, http.client.HTTPException, ValueError):
            return SendResult(None, "refused", _ms(started))
        finally:
            connection.close()
        error = None if 200 <= status < 300 else f"HTTP {status}"
        return SendResult(status, error, _ms(started))


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


class PostgresWebhookStore:
    def __init__(self, datastore: PostgresDatastore) -> None:
        self.datastore = datastore
        schema = datastore.schema
        self._subs = sql.Identifier(schema, "webhook_subscriptions")
        self._deliveries = sql.Identifier(schema, "webhook_deliveries")
        self._attempts = sql.Identifier(schema, "webhook_attempts")
        self._fanout = sql.Identifier(schema, "webhook_fanout")

    def create_table(self) -> None:
        statements = [
            "CREATE TABLE IF NOT EXISTS {subs} (id uuid PRIMARY KEY, client_id text NOT NULL, "
            "url text NOT NULL, event_types text[] NOT NULL, created_at timestamptz NOT NULL, "
            "from_position bigint NOT NULL, deleted_at timestamptz)",
            "CREATE TABLE IF NOT EXISTS {deliveries} (id bigserial PRIMARY KEY, "
            "subscription_id uuid NOT NULL, position bigint NOT NULL, event_id text NOT NULL, "
            "event_type text NOT NULL, status text NOT NULL, attempts int NOT NULL DEFAULT 0, "
            "next_attempt_at timestamptz, created_at timestamptz NOT NULL, "
            "UNIQUE (subscription_id, position))",
            "CREATE INDEX IF NOT EXISTS webhook_deliveries_due_idx ON {deliveries} "
            "(next_attempt_at) WHERE status = 'pending'",
            "CREATE TABLE IF NOT EXISTS {attempts} (delivery_id bigint NOT NULL, "
            "attempt int NOT NULL, at timestamptz NOT NULL, status_code int, error text, "
            "duration_ms int NOT NULL, PRIMARY KEY (delivery_id, attempt))",
            "CREATE TABLE IF NOT EXISTS {fanout} (id int PRIMARY KEY CHECK (id = 1), "
            "position bigint NOT NULL)",
        ]
        with self.datastore.get_connection() as conn:
            for statement in statements:
                conn.execute(
                    sql.SQL(statement).format(
                        subs=self._subs,
                        deliveries=self._deliveries,
                        attempts=self._attempts,
                        fanout=self._fanout,
                    )
                )

    # --- subscriptions -------------------------------------------------------------------

    def add(self, s: Subscription) -> None:
        with self.datastore.get_connection() as conn:
            conn.execute(
                sql.SQL(
                    "INSERT INTO {} (id, client_id, url, event_types, created_at, from_position) "
                    "VALUES (%s, %s, %s, %s, %s, %s)"
                ).format(self._subs),
                (s.id, s.client_id, s.url, list(s.event_types), s.created_at, s.from_position),
            )

    def _subscriptions(self, where: str, params: tuple[Any, ...]) -> list[Subscription]:
        with self.datastore.get_connection() as conn:
            rows = conn.execute(
                sql.SQL(
                    "SELECT id, client_id, url, event_types, created_at, from_position, "
                    "deleted_at FROM {} WHERE {} ORDER BY created_at, id"
                ).format(self._subs, sql.SQL(where)),
                params,
            ).fetchall()
        return [Subscription(**{**r, "event_types": tuple(r["event_types"])}) for r in rows]

    def get(self, subscription_id: UUID) -> Subscription | None:
        found = self._subscriptions("id = %s", (subscription_id,))
        return found[0] if found else None

    def of_client(self, client_id: str) -> list[Subscription]:
        return self._subscriptions("client_id = %s AND deleted_at IS NULL", (client_id,))

    def active(self) -> list[Subscription]:
        return self._subscriptions("deleted_at IS NULL", ())

    def delete(self, subscription_id: UUID, at: datetime) -> None:
        with self.datastore.get_connection() as conn, conn.transaction():
            conn.execute(
                sql.SQL(
                    "UPDATE {} SET deleted_at = %s WHERE id = %s AND deleted_at IS NULL"
                ).format(self._subs),
                (at, subscription_id),
            )
            conn.execute(
                sql.SQL(
                    "UPDATE {} SET status = %s, next_attempt_at = NULL "
                    "WHERE subscription_id = %s AND status = %s"
                ).format(self._deliveries),
                (CANCELLED, subscription_id, PENDING),
            )

    # --- deliveries ----------------------------------------------------------------------

    def fanout_position(self) -> int:
        with self.datastore.get_connection() as conn:
            row = conn.execute(
                sql.SQL("SELECT position FROM {} WHERE id = 1").format(self._fanout)
            ).fetchone()
        return int(row["position"]) if row else 0

    def fan_out(self, deliveries: list[NewDelivery], position: int, due: datetime) -> None:
        with self.datastore.get_connection() as conn, conn.transaction():
            current = conn.execute(
                sql.SQL("SELECT position FROM {} WHERE id = 1 FOR UPDATE").format(self._fanout)
            ).fetchone()
            if current is not None and int(current["position"]) >= position:
                return  # another worker fanned this out already
            with conn.cursor() as cursor:
                cursor.executemany(
                    sql.SQL(
                        "INSERT INTO {} (subscription_id, position, event_id, event_type, "
                        "status, next_attempt_at, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s) "
                        "ON CONFLICT (subscription_id, position) DO NOTHING"
                    ).format(self._deliveries),
                    [
                        (d.subscription_id, d.position, d.event_id, d.event_type, PENDING, due, due)
                        for d in deliveries
                    ],
                )
            conn.execute(
                sql.SQL(
                    "INSERT INTO {} (id, position) VALUES (1, %s) "
                    "ON CONFLICT (id) DO UPDATE SET position = excluded.position"
                ).format(self._fanout),
                (position,),
            )

    def claim_due(self, now: datetime, limit: int, lease_until: datetime) -> list[Delivery]:
        """Due deliveries, leased to this sender until ``lease_until`` (others skip them)."""
        with self.datastore.get_connection() as conn, conn.transaction():
            rows = conn.execute(
                sql.SQL(
                    "UPDATE {d} SET next_attempt_at = %s WHERE id IN ("
                    "SELECT id FROM {d} WHERE status = 'pending' AND next_attempt_at <= %s "
                    "ORDER BY next_attempt_at, id LIMIT %s FOR UPDATE SKIP LOCKED) "
                    "RETURNING id, subscription_id, position, event_id, event_type, status, "
                    "attempts, next_attempt_at, created_at"
                ).format(d=self._deliveries),
                (lease_until, now, limit),
            ).fetchall()
        return sorted((Delivery(**r) for r in rows), key=lambda d: d.id)

    def record(
        self, delivery_id: int, attempt: Attempt, *, status: str, next_attempt: datetime | None
    ) -> None:
        with self.datastore.get_connection() as conn, conn.transaction():
            conn.execute(
                sql.SQL(
                    "INSERT INTO {} (delivery_id, attempt, at, status_code, error, duration_ms) "
                    "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING"
                ).format(self._attempts),
                (
                    delivery_id,
                    attempt.attempt,
                    attempt.at,
                    attempt.status_code,
                    attempt.error,
                    attempt.duration_ms,
                ),
            )
            conn.execute(
                sql.SQL(
                    "UPDATE {} SET status = %s, attempts = %s, next_attempt_at = %s WHERE id = %s"
                ).format(self._deliveries),
                (status, attempt.attempt, next_attempt, delivery_id),
            )

    def deliveries(self, subscription_id: UUID, *, after: int, limit: int) -> list[Delivery]:
        with self.datastore.get_connection() as conn:
            rows = conn.execute(
                sql.SQL(
                    "SELECT id, subscription_id, position, event_id, event_type, status, "
                    "attempts, next_attempt_at, created_at FROM {} "
                    "WHERE subscription_id = %s AND id > %s ORDER BY id LIMIT %s"
                ).format(self._deliveries),
                (subscription_id, after, limit),
            ).fetchall()
            ids = [r["id"] for r in rows]
            attempts = conn.execute(
                sql.SQL(
                    "SELECT delivery_id, attempt, at, status_code, error, duration_ms FROM {} "
                    "WHERE delivery_id = ANY(%s) ORDER BY delivery_id, attempt"
                ).format(self._attempts),
                (ids,),
            ).fetchall()
        history: dict[int, list[Attempt]] = {}
        for a in attempts:
            history.setdefault(a.pop("delivery_id"), []).append(Attempt(**a))
        return [Delivery(**r, history=history.get(r["id"], [])) for r in rows]
