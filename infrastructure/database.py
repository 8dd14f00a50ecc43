"""Where the PostgreSQL database is, and how eventsourcing and psycopg reach it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from urllib.parse import quote, unquote, urlsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo


class DatabaseUnavailable(RuntimeError):
    """PostgreSQL could not be reached."""


@dataclass(frozen=True)
class DatabaseConfig:
    dbname: str
    host: str  # a host name, an address, or the folder of a Unix socket
    port: int
    user: str
    password: str
    schema: str = "public"

    @classmethod
    def from_url(cls, url: str, *, schema: str = "public") -> DatabaseConfig:
        """Parse ``postgresql://user:password@host:port/dbname`` (``?host=/socket/dir``
        selects a Unix socket folder)."""
        parts = urlsplit(url)
        if parts.scheme not in ("postgresql", "postgres", "postgresql+psycopg"):
            raise ValueError("the database URL must start with postgresql://")
        params = conninfo_to_dict(make_conninfo(url.replace("postgresql+psycopg", "postgresql")))
        return cls(
            dbname=str(params.get("dbname") or unquote(parts.path.lstrip("/")) or "postgres"),
            host=str(params.get("host") or parts.hostname or "localhost"),
            port=int(params.get("port") or parts.port or 5432),
            user=str(params.get("user") or unquote(parts.username or "") or "postgres"),
            password=str(params.get("password") or unquote(parts.password or "")),
            schema=schema,
        )

    def url(self) -> str:
        """This config as a ``postgresql://`` URL (a socket folder goes in ``?host=``)."""
        auth = quote(self.user, safe="")
        if self.password:
            auth += ":" + quote(self.password, safe="")
        if self.host.startswith("/"):
            return f"postgresql://{auth}@/{quote(self.dbname)}?host={quote(self.host)}&port={self.port}"
        return f"postgresql://{auth}@{self.host}:{self.port}/{quote(self.dbname)}"

    def with_schema(self, schema: str) -> DatabaseConfig:
        return replace(self, schema=schema)

    def with_dbname(self, dbname: str) -> DatabaseConfig:
        return replace(self, dbname=dbname)

    def conninfo(self, *, connect_timeout: int = 5) -> str:
        return make_conninfo(
            dbname=self.dbname,
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            connect_timeout=connect_timeout,
            application_name="yagona",
        )

    def eventsourcing_env(self, *, pool_size: int = 5, max_overflow: int = 10) -> dict[str, str]:
        """The environment eventsourcing's PostgreSQL persistence module reads.

        ``POSTGRES_ENABLE_DB_FUNCTIONS`` stays unset on purpose: in eventsourcing 9.5.6
        that insert path takes no table lock, and subscribers can skip events.
        """
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": self.dbname,
            "POSTGRES_HOST": self.host,
            "POSTGRES_PORT": str(self.port),
            "POSTGRES_USER": self.user,
            "POSTGRES_PASSWORD": self.password,
            "POSTGRES_SCHEMA": self.schema,
            "POSTGRES_POOL_SIZE": str(pool_size),
            "POSTGRES_MAX_OVERFLOW": str(max_overflow),
            "POSTGRES_CONNECT_TIMEOUT": "5",
            "POSTGRES_PRE_PING": "y",
            "POSTGRES_LOCK_TIMEOUT": "10",
        }

    def connect(self, *, connect_timeout: int = 5) -> psycopg.Connection[tuple[object, ...]]:
        try:
            return psycopg.connect(self.conninfo(connect_timeout=connect_timeout), autocommit=True)
        except psycopg.OperationalError as error:
            raise DatabaseUnavailable(str(error).splitlines()[0]) from error


def ensure_database(config: DatabaseConfig, *, ask_first: bool = False) -> None:
    """Create the database if the server lacks it (needs a maintenance database).

    With ``ask_first`` (a server of our own, whose ``postgres`` database is there) the
    maintenance database is asked whether it exists, instead of trying to connect, which
    a missing database turns into a FATAL line in the server's log."""
    if ask_first:
        with config.with_dbname("postgres").connect() as conn:
            found = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (config.dbname,)
            ).fetchone()
            if found is None:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config.dbname)))
        return
    try:
        with config.connect():
            return
    except DatabaseUnavailable as error:
        if "does not exist" not in str(error):
            raise
    with config.with_dbname("postgres").connect() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config.dbname)))


def ensure_schema(config: DatabaseConfig) -> None:
    with config.connect() as conn:
        conn.execute(
            sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(config.schema))
        )


@contextmanager
def ddl_lock(config: DatabaseConfig) -> Iterator[None]:
    """Serialise creating schemas, tables and types across processes.

    Processes that start at once on an empty schema (an API and a worker, or a worker and a
    seed) would otherwise race in ``CREATE ... IF NOT EXISTS`` and one would fail on a
    duplicate catalog entry. A session-level advisory lock keyed on the schema makes the
    second wait until the first has finished, then find everything in place.
    """
    key = f"yagona:ddl:{config.schema}"
    with config.connect() as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (key,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (key,))


def ping(config: DatabaseConfig | None, *, timeout: int = 2) -> None:
    """Raise ``DatabaseUnavailable`` unless the database answers a trivial query (with no
    database, on in-memory persistence, there is nothing to reach)."""
    if config is None:
        return
    try:
        with config.connect(connect_timeout=timeout) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as error:
        raise DatabaseUnavailable(str(error).splitlines()[0]) from error
