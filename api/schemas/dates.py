"""Dates and instants in query strings: ISO 8601 text only. (Pydantic's lax mode would also
read a number as seconds since 1970, so ``date=0`` would mean 1970-01-01.)"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}.*")


def _iso_day(value: Any) -> Any:
    if isinstance(value, str) and not _DAY.fullmatch(value):
        raise ValueError("must be a date, YYYY-MM-DD")
    return value


def _iso_instant(value: Any) -> Any:
    if isinstance(value, str) and not _INSTANT.fullmatch(value):
        raise ValueError("must be an instant in ISO 8601, e.g. 2026-11-27T12:00:00+05:00")
    return value


IsoDay = Annotated[date, BeforeValidator(_iso_day)]
IsoInstant = Annotated[datetime, BeforeValidator(_iso_instant)]
