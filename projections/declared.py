"""Read models declared as data: which row of which table an event changes, and how.

Most events change a read model in one way: insert a row, or set some columns of the row
the event's aggregate keys, from the event's fields. A projection says so in its
``changes`` table instead of in a handler::

    changes = {
        ServiceApplication.Routed: Update(
            "officer_queue", {"agency_code": field("agency_code"), "status": field("status")}
        ),
        ServiceApplication.DeadlineBreached: Update(
            "officer_queue", {"deadline_breached": const(True)}
        ),
    }

Each change builds its statement from quoted identifiers and named placeholders (a value is
never written into the SQL) and runs as a writer of :meth:`TrackedView.apply`, so the row
changes commit with the event's tracking position, and a position already recorded changes
nothing. Events the table does not name go to :meth:`DeclaredProjection.process_other`,
where a projection keeps what is more than column updates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from typing import Any, ClassVar, Protocol, TypeVar

from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection
from psycopg.sql import Composed, Identifier

from projections.tracked_view import TrackedView, Writer, insert_statement, update_statement

Value = Callable[[Any], Any]  # what a column is set to, from the event


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()  # a value meaning: leave this column as it is


def field(name: str, convert: Callable[[Any], Any] | None = None) -> Value:
    """The event's attribute ``name`` (through ``convert``, when given)."""
    if convert is None:
        return lambda e: getattr(e, name)
    return lambda e: convert(getattr(e, name))


def day(name: str) -> Value:
    """The event's ISO date attribute ``name``, as a date."""
    return field(name, date.fromisoformat)


def const(value: Any) -> Value:
    """The same value whatever the event."""
    return lambda e: value


def if_given(value: Value) -> Value:
    """``value``, or (when it is empty: None or "") the column left as it is."""

    def given(e: Any) -> Any:
        found = value(e)
        return found if found else KEEP

    return given


class Change(Protocol):
    """What an event does to a view: a writer for :meth:`TrackedView.apply`."""

    def writer(self, view: Any, event: Any) -> Writer: ...


@dataclass(frozen=True, eq=False)
class Update:
    """Set ``columns`` of the row of ``table`` whose ``key`` column is the event's ``by``
    (its aggregate's id unless told), and ``updated_at`` to the event's time (``touch``).
    With ``unless_set``, a row whose those columns are no longer null is left as it is."""

    table: str
    columns: Mapping[str, Value]
    key: str = "id"
    by: Value = dataclass_field(default=field("originator_id"))
    touch: bool = True
    unless_set: tuple[str, ...] = ()

    def statement(self, table: Identifier, columns: Sequence[str]) -> Composed:
        return update_statement(
            table, self.key, columns, touch=self.touch, unless_set=self.unless_set
        )

    def params(self, event: Any) -> dict[str, Any]:
        values = {name: value(event) for name, value in self.columns.items()}
        params = {name: v for name, v in values.items() if v is not KEEP}
        params["_key"] = self.by(event)
        if self.touch:
            params["_at"] = event.timestamp
        return params

    def writer(self, view: TrackedView, event: Any) -> Writer:
        params = self.params(event)
        columns = tuple(name for name in self.columns if name in params)
        return view.write(view.composed(self, columns), params)


@dataclass(frozen=True, eq=False)
class Insert:
    """Insert a row of ``table`` with ``values``; on a row already there (``conflict``:
    its unique columns), set its ``update`` columns, or (no ``conflict``) leave it."""

    table: str
    values: Mapping[str, Value]
    conflict: tuple[str, ...] = ()
    update: tuple[str, ...] = ()

    def statement(self, table: Identifier, columns: Sequence[str]) -> Composed:
        return insert_statement(table, columns, conflict=self.conflict, update=self.update)

    def params(self, event: Any) -> dict[str, Any]:
        return {name: value(event) for name, value in self.values.items()}

    def writer(self, view: TrackedView, event: Any) -> Writer:
        return view.write(view.composed(self, tuple(self.values)), self.params(event))

    def writer_of(self, view: TrackedView, **values: Any) -> Writer:
        """The same insert with every column's value given, not taken from an event."""
        if set(values) != set(self.values):
            raise TypeError(f"{self.table}: give exactly {', '.join(self.values)}")
        return view.write(view.composed(self, tuple(self.values)), values)


TView = TypeVar("TView", bound=TrackedView)
Changes = Mapping[type[Any], Change | tuple[Change, ...]]


class DeclaredProjection(Projection[TView]):
    """A projection whose ``changes`` say what each event class does to its view.

    An event of a class in ``changes`` (or of a subclass of one) applies those changes
    with its tracking position; any other goes to :meth:`process_other`, which by default
    only records the position."""

    changes: ClassVar[Changes] = {}

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        declared = self.declared(type(domain_event))
        if declared is None:
            self.process_other(domain_event, tracking)
        else:
            self.view.apply(tracking, *(c.writer(self.view, domain_event) for c in declared))

    @classmethod
    def declared(cls, event_class: type[Any]) -> tuple[Change, ...] | None:
        for klass in event_class.__mro__:
            found = cls.changes.get(klass)
            if found is not None:
                return found if isinstance(found, tuple) else (found,)
        return None

    def process_other(self, domain_event: Any, tracking: Tracking) -> None:
        """Events ``changes`` does not name: by default they only move the position."""
        self.view.apply(tracking)
