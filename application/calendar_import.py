"""Importing a year of the holiday calendar from its source (``yagona calendar import``).

The plan compares the source's days off and working weekends of a year with the stored
calendar: days added, removed (declared in the store, absent from the source) and changed
(another kind, names or source). The moving Islamic holidays (Ramazon hayiti, Qurbon hayiti)
are decreed each year, so the plan lists them for a reviewer to confirm before it is applied.
Applying it records every change in one save; open cases' due dates then follow (the
calendar policy), as for any change of the calendar.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from application.catalogue import Catalogue
from application.ports import HolidaySource
from domain.calendar import DeclaredDay, HolidayCalendar
from domain.context import CommandContext

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"


@dataclass(frozen=True)
class DayChange:
    what: str  # ADDED, REMOVED or CHANGED
    before: DeclaredDay | None
    after: DeclaredDay | None

    @property
    def day(self) -> DeclaredDay:
        found = self.after or self.before
        assert found is not None
        return found


@dataclass(frozen=True)
class CalendarPlan:
    year: int
    changes: list[DayChange] = field(default_factory=list)
    review: list[DeclaredDay] = field(default_factory=list)  # moving holidays to confirm

    @property
    def is_noop(self) -> bool:
        return not self.changes


def plan_year(year: int, stored: list[DeclaredDay], wanted: list[DeclaredDay]) -> CalendarPlan:
    """What turns the ``stored`` declarations of ``year`` into the ``wanted`` ones."""
    before = {d.day: d for d in stored}
    after = {d.day: d for d in wanted}
    changes: list[DayChange] = []
    for day in sorted(before.keys() | after.keys()):
        old, new = before.get(day), after.get(day)
        if old is None:
            changes.append(DayChange(ADDED, None, new))
        elif new is None:
            changes.append(DayChange(REMOVED, old, None))
        elif not old.same_declaration(new):
            changes.append(DayChange(CHANGED, old, new))
    return CalendarPlan(year, changes, [d for d in wanted if d.moving])


class CalendarImport:
    """Plans and applies a year of the calendar from a ``HolidaySource``."""

    def __init__(self, catalogue: Catalogue, source: HolidaySource) -> None:
        self.catalogue = catalogue
        self.source = source

    def _stored(self) -> HolidayCalendar | None:
        return self.catalogue.find(HolidayCalendar, HolidayCalendar.create_id())

    def plan(self, year: int) -> CalendarPlan:
        """Raises ``CalendarYearNotCovered`` for a year the source has no calendar for."""
        wanted = self.source.days_off(year)
        calendar = self._stored()
        stored = calendar.declared_in(year) if calendar is not None else []
        return plan_year(year, stored, wanted)

    def apply(self, ctx: CommandContext, plan: CalendarPlan) -> int:
        """Record ``plan``'s changes in one save; the number of events recorded."""
        if plan.is_noop:
            return 0
        meta = ctx.meta()
        calendar = self._stored() or HolidayCalendar.open(meta=meta)
        for change in plan.changes:
            if change.after is None:
                calendar.withdraw(change.day.day, meta=meta)
            else:
                calendar.declare(change.after, meta=meta)
        return len(self.catalogue.save(calendar))


def calendar_year(catalogue: Catalogue, year: int) -> list[DeclaredDay]:
    """The stored calendar's holidays and working weekends of ``year``, each with its act
    (empty before any calendar is declared)."""
    calendar = catalogue.find(HolidayCalendar, HolidayCalendar.create_id())
    return calendar.declared_in(year) if calendar is not None else []
