"""The facts the KPI test (test_kpi.py) scripts and checks: its agencies, territories,
services and terms, an independent working-day calendar, and what the script did as plain
records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from uuid import UUID

from application.principal import Principal
from domain.context import CommandContext

UZ = timezone(timedelta(hours=5))
START = date(2027, 2, 1)  # a Monday
HOLIDAYS: frozenset[date] = frozenset()  # none from 2027-02-01 to 2027-03-01
J, J2, H, H2 = "justice-1703202", "justice-1706204", "hokimiyat-1703202", "hokimiyat-1706204"
REGION = "hokimiyat-1703"  # where district 1703202's overdue appeals escalate
T1, T2 = "1703202", "1706204"
BIRTH, MARRIAGE, LAND = "birth-registration", "marriage-registration", "land-plot-allocation"
TERM_WORKING_DAYS = {BIRTH: 1, MARRIAGE: 22, LAND: 22}
FEE = 8_240_000  # marriage registration: a fifth of the BHM of 412,000 so'm, in tiyin
APPEAL_TERM, EXTENDED_APPEAL_TERM = timedelta(days=15), timedelta(days=30)
REQUEST_TERM_WORKING_DAYS = 5

OFFICERS = {
    agency: Principal(f"clerk-{agency}", "officer", agency=agency)
    for agency in (J, J2, H, H2, REGION)
}
SYSTEM = CommandContext(actor="system:worker", role="system", correlation_id="kpi")
PROVIDER = CommandContext(actor="provider:sandbox", role="system", correlation_id="kpi")


# --- an independent calendar ------------------------------------------------------------------


def working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in HOLIDAYS


def working_days_after(start: date, end: date) -> int:
    """Working days d with start < d <= end, counted one by one."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += working_day(day)
    return count


def add_working_days(start: date, days: int) -> date:
    day = start
    while days:
        day += timedelta(days=1)
        days -= working_day(day)
    return day


def month(day: date) -> str:
    return day.strftime("%Y-%m")


def wall_month() -> str:
    return datetime.now(UZ).strftime("%Y-%m")


# --- what the script did, as plain facts --------------------------------------------------------


@dataclass
class App:
    id: UUID
    agency: str
    service: str
    territory: str
    submitted: date
    started: date | None = None  # the legal term's start (submission, or payment)
    decided: date | None = None
    outcome: str | None = None

    @property
    def working_days_taken(self) -> int:
        assert self.started is not None
        assert self.decided is not None
        return working_days_after(self.started, self.decided)

    @property
    def within_term(self) -> bool:
        assert self.started is not None
        assert self.decided is not None
        return self.decided <= add_working_days(self.started, TERM_WORKING_DAYS[self.service])


@dataclass
class AppealFact:
    id: UUID
    agency: str
    territory: str
    filed: date
    due: date
    answered: date | None = None
    overdue: bool = False
    rating: int | None = None


@dataclass
class RequestFact:
    id: UUID
    agency: str  # the receiving one
    territory: str
    requested: date
    due: date
    responded: date | None = None
    overdue: bool = False


@dataclass
class Fee:
    agency: str
    service: str
    territory: str
    paid: int
    paid_month: str
    refunded: int = 0
    refunded_month: str | None = None
