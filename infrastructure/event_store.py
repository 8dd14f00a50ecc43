"""The PostgreSQL event store recorders Yagona configures eventsourcing with.

eventsourcing 9.5's PostgreSQL recorder inserts in psycopg pipeline mode. With psycopg 3.3
(C and Python implementations alike) a pipeline whose queued output outgrows the socket's
send buffer never finishes sending: the server waits in ClientRead, the client waits for
results. Over a Unix socket (how the embedded server is reached) that happens from a few
hundred kilobytes, e.g. when seeding; over TCP at larger sizes. These recorders keep the
same statements (table lock, NOTIFY, one multi-row INSERT ... RETURNING) in the same one
transaction, but send them without pipeline mode, so large saves complete.

They also keep the audit chain: in the same transaction as the events, each stored event
gets a row in ``audit_links`` with its hash and its link to the aggregate's previous event
(see ``domain.audit_chain``). A row written into an events table by anything other than
these recorders has no link, so verification reports it as inserted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresDatastore,
    PostgresFactory,
    PostgresProcessRecorder,
    PostgresTrackingRecorder,
)
from eventsourcing.utils import get_topic, retry
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

from domain.audit_chain import GENESIS, event_hash, link
from projections.tracked_view import create_tracking_tables

LINKS_TABLE = "audit_links"


def stream_of(events_table_name: str) -> str:
    """The application an events table belongs to: ``cases_events`` -> ``Cases``."""
    return events_table_name.removesuffix("_events").capitalize()


def links_table_statement(schema: str) -> Composed:
    return SQL(
        "CREATE TABLE IF NOT EXISTS {schema}.{links} ("
        "stream text NOT NULL, aggregate_id uuid NOT NULL, version bigint NOT NULL, "
        "position bigint NOT NULL, event_hash text NOT NULL, link text NOT NULL, "
        "id bigserial UNIQUE, recorded_at timestamptz NOT NULL DEFAULT now(), "
        "PRIMARY KEY (stream, aggregate_id, version))"
    ).format(schema=Identifier(schema), links=Identifier(LINKS_TABLE))


class _QuietCreate:
    """Creates a recorder's tables without leaving ERROR lines in PostgreSQL's log."""

    datastore: PostgresDatastore
    sql_create_statements: list[Any]

    def create_table(self) -> None:
        """eventsourcing runs ``CREATE TYPE`` at every start and ignores the "already
        exists" error, which PostgreSQL still logs as an ERROR each time: leave the
        statement out when the type is there (callers hold the DDL lock, so none races)."""
        recorder: Any = self
        statements = self.sql_create_statements
        if self._type_exists(recorder.stored_event_type_name):
            self.sql_create_statements = [
                s for s in statements if "CREATE TYPE" not in s.as_string()
            ]
        try:
            if isinstance(self, PostgresTrackingRecorder):
                create_tracking_tables(self)
            else:
                super().create_table()  # type: ignore[misc]
        finally:
            self.sql_create_statements = statements

    def _type_exists(self, name: str) -> bool:
        with self.datastore.get_connection() as conn:
            row = conn.execute(
                "SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                "WHERE n.nspname = %s AND t.typname = %s",
                (self.datastore.schema or "public", name),
            ).fetchone()
        return row is not None


class _ChainedInsertWithoutPipeline(_QuietCreate):
    events_table_name: str

    def _add_links_table(self) -> None:
        self.sql_create_statements.append(links_table_statement(self.datastore.schema))

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        recorder: Any = self
        notification_ids: Sequence[int] | None = None
        with recorder.datastore.get_connection() as conn, conn.transaction():
            with conn.cursor() as curs:
                recorder._insert_events(curs, stored_events, **kwargs)
            if stored_events:
                with conn.cursor() as curs:
                    recorder._insert_stored_events(curs, stored_events, **kwargs)
                    notification_ids = recorder._fetch_ids_after_insert_events(
                        curs, stored_events, **kwargs
                    )
                    self._insert_links(curs, stored_events, notification_ids or [])
        return notification_ids

    def _insert_links(
        self,
        curs: Cursor[DictRow],
        stored_events: Sequence[StoredEvent],
        positions: Sequence[int],
    ) -> None:
        """Chain each new event to its aggregate's last recorded link (the events table is
        locked, so links of one stream are written one transaction at a time)."""
        if len(positions) != len(stored_events):
            raise RuntimeError("cannot chain events without their notification ids")
        stream = stream_of(self.events_table_name)
        links = Identifier(self.datastore.schema, LINKS_TABLE)
        ids = sorted({e.originator_id for e in stored_events}, key=str)
        heads = {
            row["aggregate_id"]: row["link"]
            for row in curs.execute(
                SQL(
                    "SELECT DISTINCT ON (aggregate_id) aggregate_id, link FROM {} "
                    "WHERE stream = %s AND aggregate_id = ANY(%s) "
                    "ORDER BY aggregate_id, version DESC"
                ).format(links),
                (stream, ids),
            ).fetchall()
        }
        rows: list[tuple[Any, ...]] = []
        for event, position in sorted(
            zip(stored_events, positions, strict=True),
            key=lambda pair: (str(pair[0].originator_id), pair[0].originator_version),
        ):
            digest = event_hash(
                str(event.originator_id), event.originator_version, event.topic, event.state
            )
            chained = link(heads.get(event.originator_id, GENESIS), digest)
            heads[event.originator_id] = chained
            rows.append((event.originator_id, event.originator_version, position, digest, chained))
        curs.execute(
            SQL(
                "INSERT INTO {} (stream, aggregate_id, version, position, event_hash, link) "
                "SELECT %s, * FROM unnest(%s::uuid[], %s::bigint[], %s::bigint[], "
                "%s::text[], %s::text[])"
            ).format(links),
            (stream, *(list(column) for column in zip(*rows, strict=True))),
        )


class ApplicationRecorder(_ChainedInsertWithoutPipeline, PostgresApplicationRecorder):
    """An application's events table (``<app>_events``) and its audit links."""

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self._add_links_table()


class ProcessRecorder(_ChainedInsertWithoutPipeline, PostgresProcessRecorder):
    """A process application's events table plus its tracking table and audit links, in
    one transaction."""

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self._add_links_table()


class SnapshotRecorder(_QuietCreate, PostgresAggregateRecorder):
    """A snapshots table (``<app>_snapshots``)."""


class Factory(PostgresFactory):
    """eventsourcing's PostgreSQL factory with these recorders (snapshots included, which
    have no topic setting of their own)."""

    aggregate_recorder_class = SnapshotRecorder
    application_recorder_class = ApplicationRecorder
    process_recorder_class = ProcessRecorder


def recorder_env() -> dict[str, str]:
    """Environment entries that make eventsourcing use these recorders."""
    return {
        "PERSISTENCE_MODULE": get_topic(Factory),
        "APPLICATION_RECORDER_TOPIC": get_topic(ApplicationRecorder),
        "PROCESS_RECORDER_TOPIC": get_topic(ProcessRecorder),
    }
