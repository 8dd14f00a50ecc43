"""Uzbekistan's time: UTC+5 all year (no daylight saving). Days of deadlines, months of
indicators and dates on documents are counted in it."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

UZBEKISTAN = timezone(timedelta(hours=5), "UZT")


def local_day(instant: datetime) -> date:
    """The day in Uzbekistan at ``instant``."""
    return instant.astimezone(UZBEKISTAN).date()
