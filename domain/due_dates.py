"""The legal term of an application in working days, and the pauses that extend it.

The clock starts on submission (or payment, for paid services); while the agency waits for
the citizen's information the term is paused, and the due date moves by the paused days.
"""

from __future__ import annotations

from datetime import date

from domain.calendar import WorkingCalendar


def term_due_date(
    calendar: WorkingCalendar, started_on: date, term_working_days: int, paused_working_days: int
) -> date:
    """The last day of a term that started on ``started_on``, extended by its pauses."""
    return calendar.add_working_days(started_on, term_working_days + paused_working_days)


def working_days_taken(
    calendar: WorkingCalendar, started_on: date, today: date, paused_working_days: int
) -> int:
    """The working days from the clock's start to ``today``, the paused ones left out."""
    return max(0, calendar.working_days_between(started_on, today) - paused_working_days)
