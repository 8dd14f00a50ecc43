"""Ports: what the application needs from the outside world, as Protocols."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol


class Clock(Protocol):
    """Time comes in through this port, so tests can pin it."""

    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...

    def today(self) -> date:
        """Today's date in Uzbekistan (UTC+5, no daylight saving)."""
        ...
