"""The system clock adapter (Uzbekistan time: UTC+5 all year)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain.local_time import UZBEKISTAN


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(tz=UTC)

    def today(self) -> date:
        return datetime.now(tz=UZBEKISTAN).date()
