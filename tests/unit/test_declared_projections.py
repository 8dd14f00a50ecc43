"""Read models declared as data (projections/declared.py): the SQL a declared change
builds, the parameters it takes from an event, and that it runs with the tracking position
in one transaction, a repeated position changing nothing.

The views here run on a stand-in for the datastore that keeps the tracking table's rule
(one position per application, a position not above it is refused) and records the
statements; tests/integration/test_projection_rows.py runs the real projections on
PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any, ClassVar
from uuid import UUID

import pytest
from eventsourcing.persistence import Tracking
from psycopg.sql import Composed, Identifier

from domain.inter_agency import InterAgencyRequest
from projections.declared import (
    KEEP,
    Changes,
    DeclaredProjection,
    Insert,
    Update,
    const,
    day,
    field,
    if_given,
)
from projections.officer_queue import OfficerQueueProjection, OfficerQueueView
from projections.tracked_view import TrackedView, insert_statement, update_statement

AT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
CASE = UUID(int=7)


@dataclass(frozen=True)
class Moved:
    originator_id: UUID
    timestamp: datetime
    due_date: str
    status: str | None = None


@dataclass(frozen=True)
class MovedAgain(Moved):
    pass


@dataclass(frozen=True)
class Noted:
    originator_id: UUID
    timestamp: datetime


class Cursor:
    def __init__(self, store: Datastore) -> None:
        self.store = store
        self.found: Any = None

    def execute(self, query: Any, params: Any = None, prepare: bool = False) -> Cursor:
        text = query.as_string() if isinstance(query, Composed) else str(query)
        if "RETURNING notification_id" in text:
            name, position = params["application_name"], params["notification_id"]
            recorded = self.store.positions.get(name, 0)
            self.found = {"notification_id": position} if position > recorded else None
            if self.found:
                self.store.positions[name] = position
        else:
            self.store.statements.append((text, params))
        return self

    def fetchone(self) -> Any:
        return self.found


class Datastore:
    """Just enough of eventsourcing's PostgresDatastore for TrackedView.apply."""

    schema = "s"
    single_row_tracking = True

    def __init__(self) -> None:
        self.positions: dict[str, int] = {}
        self.statements: list[tuple[str, Any]] = []
        self.transactions = 0

    @contextmanager
    def transaction(self, *, commit: bool = False) -> Iterator[Cursor]:
        self.transactions += 1
        yield Cursor(self)


def view(view_class: type[TrackedView] = TrackedView) -> tuple[Any, Datastore]:
    datastore = Datastore()
    return view_class(datastore, tracking_table_name="t_tracking"), datastore  # type: ignore[arg-type]


DUE = Update("queue", {"due_date": day("due_date"), "status": if_given(field("status"))})


class Queue(DeclaredProjection[TrackedView]):
    name = "queue"
    changes: ClassVar[Changes] = {
        Moved: DUE,
        Noted: (
            Update("queue", {"noted": const(True)}, touch=False, unless_set=("noted",)),
            Insert("notes", {"id": field("originator_id"), "at": field("timestamp")}),
        ),
    }


def test_an_update_sets_its_columns_and_updated_at_by_placeholders() -> None:
    statement = update_statement(Identifier("s", "queue"), "id", ("due_date", "status"))
    assert statement.as_string() == (
        'UPDATE "s"."queue" SET "due_date" = %(due_date)s, "status" = %(status)s, '
        'updated_at = %(_at)s WHERE "id" = %(_key)s'
    )


def test_an_update_can_leave_updated_at_and_change_only_rows_not_yet_set() -> None:
    statement = update_statement(
        Identifier("s", "kpi"),
        "appeal_id",
        ("answered_on",),
        touch=False,
        unless_set=("answered_on",),
    )
    assert statement.as_string() == (
        'UPDATE "s"."kpi" SET "answered_on" = %(answered_on)s '
        'WHERE "appeal_id" = %(_key)s AND "answered_on" IS NULL'
    )


def test_an_insert_leaves_a_row_already_there_or_updates_the_columns_named() -> None:
    plain = insert_statement(Identifier("s", "notes"), ("id", "at"))
    assert plain.as_string() == (
        'INSERT INTO "s"."notes" ("id", "at") VALUES (%(id)s, %(at)s) ON CONFLICT DO NOTHING'
    )
    upsert = insert_statement(
        Identifier("s", "rates"), ("day", "amount"), conflict=("day",), update=("amount",)
    )
    assert upsert.as_string() == (
        'INSERT INTO "s"."rates" ("day", "amount") VALUES (%(day)s, %(amount)s) '
        'ON CONFLICT ("day") DO UPDATE SET "amount" = EXCLUDED."amount"'
    )


def test_names_are_quoted_and_values_never_enter_the_sql() -> None:
    odd = 'x"; DROP TABLE queue; --'
    moved = Moved(CASE, AT, "2026-12-01", status=odd)
    statement = DUE.statement(Identifier("s", 'q"ueue'), ("due_date", "status"))
    assert 'UPDATE "s"."q""ueue" SET' in statement.as_string()
    assert odd not in statement.as_string()
    assert DUE.params(moved) == {
        "due_date": date(2026, 12, 1),
        "status": odd,
        "_key": CASE,
        "_at": AT,
    }


def test_an_empty_value_given_by_if_given_leaves_its_column_out() -> None:
    assert if_given(field("status"))(Moved(CASE, AT, "2026-12-01")) is KEEP
    projection_view, datastore = view()
    Queue(view=projection_view).process_event(Moved(CASE, AT, "2026-12-01"), Tracking("cases", 1))
    ((statement, params),) = datastore.statements
    assert statement == (
        'UPDATE "s"."queue" SET "due_date" = %(due_date)s, updated_at = %(_at)s '
        'WHERE "id" = %(_key)s'
    )
    assert params == {"due_date": date(2026, 12, 1), "_key": CASE, "_at": AT}


def test_a_declared_event_writes_its_changes_with_its_position_in_one_transaction() -> None:
    projection_view, datastore = view()
    Queue(view=projection_view).process_event(Noted(CASE, AT), Tracking("cases", 1))
    assert datastore.transactions == 1
    assert [text.split(" ")[0] for text, _ in datastore.statements] == ["UPDATE", "INSERT"]
    assert datastore.statements[1][1] == {"id": CASE, "at": AT}
    assert datastore.positions == {"cases": 1}


def test_a_repeated_position_changes_nothing() -> None:
    projection_view, datastore = view()
    projection = Queue(view=projection_view)
    projection.process_event(Moved(CASE, AT, "2026-12-01", "queued"), Tracking("cases", 1))
    projection.process_event(Moved(CASE, AT, "2026-12-02", "queued"), Tracking("cases", 1))
    projection.process_event(Noted(CASE, AT), Tracking("cases", 1))
    assert len(datastore.statements) == 1
    assert datastore.statements[0][1]["due_date"] == date(2026, 12, 1)
    projection.process_event(Noted(CASE, AT), Tracking("cases", 2))
    assert len(datastore.statements) == 3


def test_a_subclass_of_a_declared_event_is_declared_and_others_only_move_the_position() -> None:
    projection_view, datastore = view()
    projection = Queue(view=projection_view)
    projection.process_event(MovedAgain(CASE, AT, "2026-12-01"), Tracking("cases", 1))
    projection.process_event(object(), Tracking("cases", 2))
    assert len(datastore.statements) == 1
    assert datastore.positions == {"cases": 2}


def test_the_statement_of_a_change_is_built_once_per_set_of_columns() -> None:
    projection_view, _ = view()
    first = projection_view.composed(DUE, ("due_date", "status"))
    assert projection_view.composed(DUE, ("due_date", "status")) is first
    assert projection_view.composed(DUE, ("due_date",)) is not first


def test_an_insert_given_its_values_must_name_every_column() -> None:
    notes = Insert("notes", {"id": field("originator_id"), "at": field("timestamp")})
    projection_view, _ = view()
    notes.writer_of(projection_view, id=CASE, at=AT)
    with pytest.raises(TypeError, match="id, at"):
        notes.writer_of(projection_view, id=CASE)


def test_the_officer_queue_declares_what_was_its_handlers() -> None:
    """An escalated request without a higher agency keeps the queue's escalated_to."""
    (escalated,) = OfficerQueueProjection.declared(InterAgencyRequest.Escalated) or ()
    assert isinstance(escalated, Update)
    event = SimpleNamespace(originator_id=CASE, timestamp=AT, status="overdue", to_agency_code=None)
    params = escalated.params(event)
    assert params == {"status": "overdue", "deadline_breached": True, "_key": CASE, "_at": AT}
    assert OfficerQueueView.table_names == ("officer_queue",)
