"""The base of every read model's PostgreSQL view: tables plus exactly-once tracking."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, ClassVar, Protocol

from eventsourcing.persistence import InterfaceError, OperationalError, Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresRecorder, PostgresTrackingRecorder
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composable, Composed, Identifier, Placeholder

Writer = Callable[[Cursor[DictRow]], object]


class Statement(Protocol, Hashable):
    """A change of one table whose statement depends on the columns it sets."""

    @property
    def table(self) -> str: ...

    def statement(self, table: Identifier, columns: Sequence[str]) -> Composed: ...


def update_statement(
    table: Identifier,
    key: str,
    columns: Sequence[str],
    *,
    touch: bool = True,
    unless_set: Sequence[str] = (),
) -> Composed:
    """``UPDATE table SET column = %(column)s, ... WHERE key = %(_key)s``; with ``touch``,
    ``updated_at = %(_at)s`` too; with ``unless_set``, only while those columns are null."""
    assignments: list[Composable] = [
        SQL("{} = {}").format(Identifier(name), Placeholder(name)) for name in columns
    ]
    if touch:
        assignments.append(SQL("updated_at = %(_at)s"))
    conditions: list[Composable] = [SQL("{} = %(_key)s").format(Identifier(key))]
    conditions.extend(SQL("{} IS NULL").format(Identifier(name)) for name in unless_set)
    return SQL("UPDATE {table} SET {assignments} WHERE {conditions}").format(
        table=table,
        assignments=SQL(", ").join(assignments),
        conditions=SQL(" AND ").join(conditions),
    )


def insert_statement(
    table: Identifier,
    columns: Sequence[str],
    *,
    conflict: Sequence[str] = (),
    update: Sequence[str] = (),
) -> Composed:
    """``INSERT INTO table (columns) VALUES (%(column)s, ...)``: a row already there is
    left as it is, or (``conflict``: its unique columns) has its ``update`` columns set."""
    on_conflict: Composable = SQL("ON CONFLICT DO NOTHING")
    if conflict:
        on_conflict = SQL("ON CONFLICT ({conflict}) DO UPDATE SET {assignments}").format(
            conflict=SQL(", ").join(map(Identifier, conflict)),
            assignments=SQL(", ").join(
                SQL("{0} = EXCLUDED.{0}").format(Identifier(name)) for name in update
            ),
        )
    return SQL("INSERT INTO {table} ({columns}) VALUES ({values}) {on_conflict}").format(
        table=table,
        columns=SQL(", ").join(map(Identifier, columns)),
        values=SQL(", ").join(map(Placeholder, columns)),
        on_conflict=on_conflict,
    )


def table_exists(datastore: PostgresDatastore, name: str) -> bool:
    with datastore.get_connection() as conn:
        row = conn.execute(
            "SELECT to_regclass(format('%%I.%%I', %s::text, %s::text)) IS NOT NULL AS found",
            (datastore.schema or "public", name),
        ).fetchone()
    return bool(row and row["found"])


def create_tracking_tables(recorder: PostgresTrackingRecorder) -> None:
    """``recorder.create_table()`` without its probe of a tracking table that is not there.

    eventsourcing (9.5) learns whether the tracking table exists by selecting from it and
    catching the error, which PostgreSQL logs as an ERROR at every first start. Asked
    first, a missing table is created with the state that probe would have found (none).
    """
    if table_exists(recorder.datastore, recorder.tracking_table_name):
        PostgresTrackingRecorder.create_table(recorder)
        return
    recorder.tracking_migration_current = recorder.tracking_migration_previous = None
    recorder.tracking_table_exists = False
    PostgresRecorder.create_table(recorder)  # runs this recorder's _create_table


class TrackedView(PostgresTrackingRecorder):
    """A materialised view in PostgreSQL whose every change commits with its position.

    Subclasses list their DDL in ``table_statements`` with ``{schema}`` where the schema
    goes, and change rows only through :meth:`apply`, which records the tracking position
    in the same transaction and skips a position it has already recorded.
    """

    table_statements: ClassVar[tuple[str, ...]] = ()
    table_names: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        datastore: PostgresDatastore,
        *,
        tracking_table_name: str = "notification_tracking",
        **kwargs: Any,
    ) -> None:
        super().__init__(datastore, tracking_table_name=tracking_table_name, **kwargs)
        self._sql_cache: dict[str, Composed] = {}
        self._composed: dict[tuple[Hashable, tuple[str, ...]], Composed] = {}
        self._batch: Cursor[DictRow] | None = None
        self.sql_create_statements.extend(self.sql(s) for s in self.table_statements)

    def create_table(self) -> None:
        create_tracking_tables(self)

    @property
    def schema(self) -> str:
        return str(self.datastore.schema)

    def sql(self, statement: str) -> Composed:
        """``statement`` with ``{schema}`` bound to this view's schema (cached)."""
        composed = self._sql_cache.get(statement)
        if composed is None:
            composed = SQL(statement).format(schema=Identifier(self.schema))
            self._sql_cache[statement] = composed
        return composed

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def apply(self, tracking: Tracking, *writers: Writer) -> bool:
        """Run ``writers`` and record ``tracking`` in one transaction.

        Returns False, changing nothing, when the position was already recorded (another
        runner got there first, or the event is replayed after a crash). A dropped
        connection is retried: the tracking row makes a retry after a lost commit a no-op."""
        if self._batch is not None:
            return self._apply(self._batch, tracking, writers)
        with self.datastore.transaction(commit=True) as curs:
            return self._apply(curs, tracking, writers)

    def _apply(
        self, curs: Cursor[DictRow], tracking: Tracking, writers: tuple[Writer, ...]
    ) -> bool:
        curs.execute(
            self.insert_tracking_statement,
            {
                "application_name": tracking.application_name,
                "notification_id": tracking.notification_id,
            },
            prepare=True,
        )
        if curs.fetchone() is None:
            return False
        for write in writers:
            write(curs)
        return True

    @contextmanager
    def batched(self) -> Iterator[None]:
        """Apply the events of a block in one transaction. Only for a view nobody else
        writes meanwhile (a rebuild's shadow): an error rolls the whole block back."""
        with self.datastore.transaction(commit=True) as curs:
            self._batch = curs
            try:
                yield
            finally:
                self._batch = None

    def write(self, statement: str | Composed, params: Any = None) -> Writer:
        """A writer running ``statement`` (``{schema}`` bound) with ``params``."""
        query = self.sql(statement) if isinstance(statement, str) else statement
        return lambda curs: curs.execute(query, params, prepare=True)

    def update_row(
        self, table: str, key_column: str, key: Any, at: datetime, **columns: Any
    ) -> Writer:
        """A writer setting ``columns`` (and ``updated_at``) of the row whose ``key_column``
        is ``key``."""
        statement = update_statement(self.table(table), key_column, sorted(columns))
        return self.write(statement, {**columns, "_at": at, "_key": key})

    def composed(self, change: Statement, columns: tuple[str, ...]) -> Composed:
        """``change``'s statement setting ``columns`` of its table in this view's schema
        (built once per change and set of columns)."""
        key = (change, columns)
        composed = self._composed.get(key)
        if composed is None:
            composed = change.statement(self.table(change.table), columns)
            self._composed[key] = composed
        return composed

    def follow_status(self, domain_event: Any, tracking: Tracking, writer: Any) -> None:
        """Record an event's ``status`` (the state it leads to) through ``writer(id, at,
        status=...)``, or only the tracking position for events without one."""
        status = getattr(domain_event, "status", None)
        if status:
            self.apply(
                tracking, writer(domain_event.originator_id, domain_event.timestamp, status=status)
            )
        else:
            self.apply(tracking)

    def fetch_all(self, statement: str | Composed, params: Any = None) -> list[DictRow]:
        query = self.sql(statement) if isinstance(statement, str) else statement
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(query, params)
            return curs.fetchall()

    def fetch_one(self, statement: str | Composed, params: Any = None) -> DictRow | None:
        rows = self.fetch_all(statement, params)
        return rows[0] if rows else None

    def table(self, name: str) -> Identifier:
        """A table of this view, qualified by its schema."""
        return Identifier(self.schema, name)

    def position(self, application_name: str) -> int:
        """The last notification id of ``application_name`` this view has applied."""
        return self.max_tracking_id(application_name) or 0

    def all_table_names(self) -> Iterable[str]:
        return (*self.table_names, self.tracking_table_name)
