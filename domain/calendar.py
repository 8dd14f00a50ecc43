"""The holiday calendar and working-day arithmetic.

Legal terms (a service's deadline, an appeal's answer) run in working days: Monday to
Friday, less the declared public holidays, plus the Saturdays and Sundays the government
declares working days when it transfers a day off. ``WorkingCalendar`` is the pure value
that does the arithmetic; ``HolidayCalendar`` is the aggregate that records each
declaration, one per country.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import NotAHoliday, NotAWeekend, NothingChanged
from domain.i18n import Translations, require_translations
from domain.ids import natural_id

SATURDAY = 5
MAX_SPAN_DAYS = 3660  # about ten years: no legal term runs longer
_ONE_DAY = timedelta(days=1)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def is_weekend(day: date) -> bool:
    return day.weekday() >= SATURDAY


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

    class HolidayWithdrawn(Aggregate.Event):
        day: str
        meta: dict[str, str]

    class WorkingWeekendDeclared(Aggregate.Event):
        day: str
        names: Translations
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

    @classmethod
    def open(cls, *, meta: dict[str, str], code: str = CODE) -> HolidayCalendar:
        return cls(code=code, meta=meta)

    def declare_holiday(self, *, day: date, names: object, meta: dict[str, str]) -> None:
        """Declare ``day`` a non-working public holiday (or rename a declared one).

        A holiday may fall on a Saturday or Sunday; it then changes no working day unless
        that day had been declared a working weekend.
        """
        new_names = require_translations("names", names)
        if self.holidays.get(day) == new_names:
            raise NothingChanged(f"{day.isoformat()} is already this holiday")
        self._holiday_declared(day=day.isoformat(), names=new_names, meta=meta)

    @event(HolidayDeclared)
    def _holiday_declared(self, day: str, names: Translations, meta: dict[str, str]) -> None:
        declared = date.fromisoformat(day)
        self.working_weekends.pop(declared, None)
        self.holidays[declared] = dict(names)

    def withdraw_holiday(self, *, day: date, meta: dict[str, str]) -> None:
        if day not in self.holidays:
            raise NotAHoliday(f"{day.isoformat()} is not a declared holiday")
        self._holiday_withdrawn(day=day.isoformat(), meta=meta)

    @event(HolidayWithdrawn)
    def _holiday_withdrawn(self, day: str, meta: dict[str, str]) -> None:
        del self.holidays[date.fromisoformat(day)]

    def declare_working_weekend(self, *, day: date, names: object, meta: dict[str, str]) -> None:
        """Declare a Saturday or Sunday a working day (a government transfer of a day off).

        ``names`` says why, e.g. "working day in place of Monday 2 January".
        """
        if not is_weekend(day):
            raise NotAWeekend(
                f"only a Saturday or Sunday can be declared a working day, "
                f"{day.isoformat()} is a {_WEEKDAYS[day.weekday()]}"
            )
        new_names = require_translations("names", names)
        if self.working_weekends.get(day) == new_names:
            raise NothingChanged(f"{day.isoformat()} is already declared a working day")
        self._working_weekend_declared(day=day.isoformat(), names=new_names, meta=meta)

    @event(WorkingWeekendDeclared)
    def _working_weekend_declared(
        self, day: str, names: Translations, meta: dict[str, str]
    ) -> None:
        declared = date.fromisoformat(day)
        self.holidays.pop(declared, None)
        self.working_weekends[declared] = dict(names)

    @property
    def working_calendar(self) -> WorkingCalendar:
        return WorkingCalendar(frozenset(self.holidays), frozenset(self.working_weekends))

    def holidays_in(self, year: int) -> list[tuple[date, Translations]]:
        """The holidays declared in ``year``, by date."""
        return sorted(
            ((day, dict(names)) for day, names in self.holidays.items() if day.year == year),
            key=lambda item: item[0],
        )
