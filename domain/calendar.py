"""The holiday calendar and working-day arithmetic.

Legal terms (a service's deadline, an appeal's answer) run in working days: Monday to
Friday, less the declared public holidays, plus the Saturdays and Sundays the government
declares working days when it transfers a day off. ``WorkingCalendar`` is the pure value
that does the arithmetic; ``HolidayCalendar`` is the aggregate that records each
declaration, one per country. Each declaration carries the act it comes from (a
``LegalSource`` as a dict, or ``None`` where nobody could verify one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import NotAHoliday, NotAWeekend, NotAWorkingWeekend, NothingChanged
from domain.i18n import Translations, require_translations
from domain.ids import natural_id
from domain.sources import LegalSource, source_dict

SATURDAY = 5
MAX_SPAN_DAYS = 3660  # about ten years: no legal term runs longer
_ONE_DAY = timedelta(days=1)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


HOLIDAY = "holiday"
WORKING_WEEKEND = "working_weekend"


def is_weekend(day: date) -> bool:
    return day.weekday() >= SATURDAY


@dataclass(frozen=True)
class DeclaredDay:
    """One declaration of a calendar: a day off (``HOLIDAY``) or a Saturday or Sunday made
    a working day (``WORKING_WEEKEND``), its names and the act that declares it.

    ``moving`` marks Ramazon hayiti and Qurbon hayiti, whose dates follow the lunar calendar
    and are decreed each year; ``estimated`` says the date is still a forecast.
    """

    day: date
    kind: str
    names: Translations
    source: LegalSource | None = None
    moving: bool = False
    estimated: bool = False

    def same_declaration(self, other: DeclaredDay) -> bool:
        """Declares the same: kind, names and source (what the calendar records)."""
        return (self.kind, dict(self.names), self.source) == (
            other.kind,
            dict(other.names),
            other.source,
        )


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are working days. Pure value; the holiday calendar aggregate gives one.

    A day is a working day when it is Monday to Friday and not a holiday, or when it is a
    Saturday or Sunday declared a working day.
    """

    holidays: frozenset[date] = field(default_factory=frozenset)
    working_weekends: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        weekdays = sorted(d for d in self.working_weekends if not is_weekend(d))
        if weekdays:
            raise ValueError(
                "working weekends are Saturdays or Sundays, got "
                + ", ".join(d.isoformat() for d in weekdays)
            )

    def is_working_day(self, day: date) -> bool:
        if is_weekend(day):
            return day in self.working_weekends
        return day not in self.holidays

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` itself never counts).

        ``days == 0`` gives ``start``. Raises ``ValueError`` for a negative count, or when
        the answer lies more than ``MAX_SPAN_DAYS`` calendar days after ``start``.
        """
        if days < 0:
            raise ValueError(f"a number of working days cannot be negative, got {days}")
        day = start
        remaining = days
        for _ in range(MAX_SPAN_DAYS):
            if remaining == 0:
                return day
            try:
                day += _ONE_DAY
            except OverflowError:
                raise ValueError(f"{days} working days after {start} is past year 9999") from None
            if self.is_working_day(day):
                remaining -= 1
        if remaining == 0:
            return day
        raise ValueError(
            f"{days} working days after {start.isoformat()} lie more than "
            f"{MAX_SPAN_DAYS} calendar days ahead"
        )

    def working_days_between(self, start: date, end: date) -> int:
        """The number of working days ``d`` with ``start < d <= end`` (0 if ``end <= start``)."""
        if end <= start:
            return 0
        full_weeks, rest = divmod((end - start).days, 7)
        weekdays = full_weeks * 5 + sum(
            1 for offset in range(1, rest + 1) if not is_weekend(start + timedelta(days=offset))
        )
        holidays_off = sum(
            1
            for d in self.holidays
            if start < d <= end and not is_weekend(d) and d not in self.working_weekends
        )
        weekends_on = sum(1 for d in self.working_weekends if start < d <= end)
        return weekdays - holidays_off + weekends_on


class HolidayCalendar(Aggregate):
    """A country's declared public holidays and working weekend days.

    The later declaration about a day wins: declaring a holiday on a day declared a
    working weekend cancels that working weekend, and the other way round.
    """

    class Opened(Aggregate.Created):
        code: str
        meta: dict[str, str]

    class HolidayDeclared(Aggregate.Event):
        day: str
        names: Translations
        meta: dict[str, str]
        source: dict[str, Any] | None = None  # events stored before sources replay as None

    class HolidayWithdrawn(Aggregate.Event):
        day: str
        meta: dict[str, str]

    class WorkingWeekendDeclared(Aggregate.Event):
        day: str
        names: Translations
        meta: dict[str, str]
        source: dict[str, Any] | None = None

    class WorkingWeekendWithdrawn(Aggregate.Event):
        day: str
        meta: dict[str, str]

    CODE = "uz"

    @staticmethod
    def create_id(code: str = CODE, **_: Any) -> UUID:
        return natural_id("holiday-calendars", code)

    @event(Opened)
    def __init__(self, code: str, meta: dict[str, str]) -> None:
        self.code = code
        self.holidays: dict[date, Translations] = {}
        self.working_weekends: dict[date, Translations] = {}
        self.sources: dict[date, LegalSource | None] = {}  # of each declared day

    @classmethod
    def open(cls, *, meta: dict[str, str], code: str = CODE) -> HolidayCalendar:
        return cls(code=code, meta=meta)

    def declare_holiday(
        self,
        *,
        day: date,
        names: object,
        meta: dict[str, str],
        source: LegalSource | None = None,
    ) -> None:
        """Declare ``day`` a non-working public holiday (or rename it, or cite its act).

        A holiday may fall on a Saturday or Sunday; it then changes no working day unless
        that day had been declared a working weekend.
        """
        new_names = require_translations("names", names)
        if self.holidays.get(day) == new_names and self.source_of(day) == source:
            raise NothingChanged(f"{day.isoformat()} is already this holiday")
        self._holiday_declared(
            day=day.isoformat(), names=new_names, meta=meta, source=source_dict(source)
        )

    @event(HolidayDeclared)
    def _holiday_declared(
        self,
        day: str,
        names: Translations,
        meta: dict[str, str],
        source: dict[str, Any] | None = None,
    ) -> None:
        declared = date.fromisoformat(day)
        self.working_weekends.pop(declared, None)
        self.holidays[declared] = dict(names)
        self._cite(declared, source)

    def withdraw_holiday(self, *, day: date, meta: dict[str, str]) -> None:
        if day not in self.holidays:
            raise NotAHoliday(f"{day.isoformat()} is not a declared holiday")
        self._holiday_withdrawn(day=day.isoformat(), meta=meta)

    @event(HolidayWithdrawn)
    def _holiday_withdrawn(self, day: str, meta: dict[str, str]) -> None:
        withdrawn = date.fromisoformat(day)
        del self.holidays[withdrawn]
        self._sources().pop(withdrawn, None)

    def declare_working_weekend(
        self,
        *,
        day: date,
        names: object,
        meta: dict[str, str],
        source: LegalSource | None = None,
    ) -> None:
        """Declare a Saturday or Sunday a working day (a government transfer of a day off).

        ``names`` says why, e.g. "working day in place of Monday 2 January".
        """
        if not is_weekend(day):
            raise NotAWeekend(
                f"only a Saturday or Sunday can be declared a working day, "
                f"{day.isoformat()} is a {_WEEKDAYS[day.weekday()]}"
            )
        new_names = require_translations("names", names)
        if self.working_weekends.get(day) == new_names and self.source_of(day) == source:
            raise NothingChanged(f"{day.isoformat()} is already declared a working day")
        self._working_weekend_declared(
            day=day.isoformat(), names=new_names, meta=meta, source=source_dict(source)
        )

    @event(WorkingWeekendDeclared)
    def _working_weekend_declared(
        self,
        day: str,
        names: Translations,
        meta: dict[str, str],
        source: dict[str, Any] | None = None,
    ) -> None:
        declared = date.fromisoformat(day)
        self.holidays.pop(declared, None)
        self.working_weekends[declared] = dict(names)
        self._cite(declared, source)

    def withdraw_working_weekend(self, *, day: date, meta: dict[str, str]) -> None:
        """Make a declared working Saturday or Sunday a rest day again (a decree revoked)."""
        if day not in self.working_weekends:
            raise NotAWorkingWeekend(f"{day.isoformat()} is not a declared working day")
        self._working_weekend_withdrawn(day=day.isoformat(), meta=meta)

    @event(WorkingWeekendWithdrawn)
    def _working_weekend_withdrawn(self, day: str, meta: dict[str, str]) -> None:
        withdrawn = date.fromisoformat(day)
        del self.working_weekends[withdrawn]
        self._sources().pop(withdrawn, None)

    def _sources(self) -> dict[date, LegalSource | None]:
        # Calendars cached from before sources existed have no ``sources`` attribute.
        if not hasattr(self, "sources"):
            self.sources = {}
        return self.sources

    def _cite(self, day: date, source: dict[str, Any] | None) -> None:
        self._sources()[day] = LegalSource.optional(source)

    def source_of(self, day: date) -> LegalSource | None:
        """The act that declared ``day`` (``None``: not declared, or declared unsourced)."""
        return self._sources().get(day)

    @property
    def working_calendar(self) -> WorkingCalendar:
        return WorkingCalendar(frozenset(self.holidays), frozenset(self.working_weekends))

    def declared_in(self, year: int) -> list[DeclaredDay]:
        """Every holiday and working weekend of ``year`` with its source, by date."""
        days = [
            DeclaredDay(day, HOLIDAY, dict(names), self.source_of(day))
            for day, names in self.holidays.items()
            if day.year == year
        ] + [
            DeclaredDay(day, WORKING_WEEKEND, dict(names), self.source_of(day))
            for day, names in self.working_weekends.items()
            if day.year == year
        ]
        return sorted(days, key=lambda d: d.day)

    def declare(self, declared: DeclaredDay, *, meta: dict[str, str]) -> None:
        """Record ``declared`` (a holiday or a working weekend); ``NothingChanged`` if it is."""
        if declared.kind == WORKING_WEEKEND:
            self.declare_working_weekend(
                day=declared.day, names=declared.names, meta=meta, source=declared.source
            )
        else:
            self.declare_holiday(
                day=declared.day, names=declared.names, meta=meta, source=declared.source
            )

    def withdraw(self, day: date, *, meta: dict[str, str]) -> None:
        """Withdraw whatever is declared on ``day``."""
        if day in self.working_weekends:
            self.withdraw_working_weekend(day=day, meta=meta)
        else:
            self.withdraw_holiday(day=day, meta=meta)

    def holidays_in(self, year: int) -> list[tuple[date, Translations]]:
        """The holidays declared in ``year``, by date."""
        return sorted(
            ((day, dict(names)) for day, names in self.holidays.items() if day.year == year),
            key=lambda item: item[0],
        )
