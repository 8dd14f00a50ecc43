"""The system clock adapter (Uzbekistan time: UTC+5 all year)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from domain.local_time import UZBEKISTAN


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(tz=UTC)

    def today(self) -> date:
        return datetime.now(tz=UZBEKISTAN).date()


class FixedClock:
    """A clock that reads what it is set to (tests and demos); ``advance`` moves it."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def advance(self, delta: timedelta) -> None:
        self.at += delta

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.at.astimezone(UZBEKISTAN).date()
