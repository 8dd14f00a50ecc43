"""The days of 2026 the calendar tests (test_working_days.py, test_holiday_calendar.py)
declare holidays and working weekends on."""

from __future__ import annotations

from datetime import date

NEW_YEAR = date(2026, 1, 1)  # Thursday
WOMENS_DAY = date(2026, 3, 8)  # Sunday: a holiday on a weekend
RAMAZON = date(2026, 3, 20)  # Friday
NAVRUZ = date(2026, 3, 21)  # Saturday
QURBON = date(2026, 5, 27)  # Wednesday
WORKING_SATURDAY = date(2026, 1, 10)  # a (hypothetical) transferred working Saturday
