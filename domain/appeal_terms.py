"""The terms in which an appeal must be considered, as the Law on appeals sets them.

Law "On appeals of individuals and legal entities" (ZRU-445 of 2017-09-11), article 28:

- a statement (ariza) or a complaint (shikoyat) is considered within fifteen days of its
  receipt by the body that must decide it, and, where extra study or a check is needed or
  further documents must be requested, within up to one month (part 1);
- where a check, further materials or other measures are needed, the head of the body may,
  as an exception, extend the term by at most one month, telling the applicant (part 2);
- a proposal (taklif) is considered within up to one month of its receipt, except a proposal
  that needs further study, of which the applicant is told in writing within ten days (part 3).

How the terms are counted (our reading, docs/reference-data.md): a term runs in calendar days
or months from the day after filing (Civil Code, art. 146: a period starts on the day after
the event that begins it); a term in months ends on the same day of the last month (the last
day of that month when it has no such day); a term that would end on a day off ends on the
next working day (the general rule of civil law on terms; the article was not verified).
"""

from __future__ import annotations

import calendar as month_lengths
from datetime import date, timedelta
from typing import Any, Protocol

from domain.calendar import MAX_SPAN_DAYS, WorkingCalendar
from domain.errors import InvalidInput, InvalidTransition
from domain.sources import LegalSource
from domain.text import required_text

STATEMENT, PROPOSAL, COMPLAINT = "statement", "proposal", "complaint"
KINDS = (STATEMENT, PROPOSAL, COMPLAINT)
# An appeal against a decision (and every appeal stored before appeals had a kind) is a
# complaint: it says a right was infringed.
DEFAULT_KIND = COMPLAINT

TERM_DAYS = 15  # a statement's or complaint's term

# The names of the terms an appeal can be under, each with the law that sets it.
TERM_FIFTEEN_DAYS = "fifteen-days"
TERM_STUDY = "one-month-for-study"
TERM_HEAD_EXTENSION = "head-extension"
TERM_PROPOSAL = "one-month-proposal"
TERM_ESCALATED = "escalated"

_LAW = 'Law "On appeals of individuals and legal entities"'
_LAW_URL = "https://lex.uz/docs/3336169"
ZRU_445_ART_28_PART_1 = LegalSource(_LAW, "ZRU-445", date(2017, 9, 11), "art. 28, part 1", _LAW_URL)
ZRU_445_ART_28_PART_2 = LegalSource(_LAW, "ZRU-445", date(2017, 9, 11), "art. 28, part 2", _LAW_URL)
ZRU_445_ART_28_PART_3 = LegalSource(_LAW, "ZRU-445", date(2017, 9, 11), "art. 28, part 3", _LAW_URL)
# Counting: a period starts on the day after the event (Civil Code, art. 146).
CIVIL_CODE_ART_146 = LegalSource(
    "Civil Code of the Republic of Uzbekistan",
    "163-I",
    date(1995, 12, 21),
    "art. 146",
    "https://lex.uz/docs/111189",
)

TERM_SOURCES: dict[str, LegalSource] = {
    TERM_FIFTEEN_DAYS: ZRU_445_ART_28_PART_1,
    TERM_STUDY: ZRU_445_ART_28_PART_1,
    TERM_HEAD_EXTENSION: ZRU_445_ART_28_PART_2,
    TERM_PROPOSAL: ZRU_445_ART_28_PART_3,
    TERM_ESCALATED: ZRU_445_ART_28_PART_1,
}


def appeal_kind(kind: str) -> str:
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}")
    return kind


def add_months(day: date, months: int) -> date:
    """The same day ``months`` months later; the month's last day when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, month_lengths.monthrange(year, month)[1]))


def on_a_working_day(calendar: WorkingCalendar, day: date) -> date:
    """``day``, or the next working day when ``day`` is a day off."""
    for _ in range(MAX_SPAN_DAYS):
        if calendar.is_working_day(day):
            return day
        day += timedelta(days=1)
    raise ValueError(f"no working day within {MAX_SPAN_DAYS} days of {day.isoformat()}")


def first_term_end(kind: str, received_on: date) -> date:
    """The last day of the first term, before a day off moves it: fifteen days for a
    statement or complaint, one month for a proposal."""
    if kind == PROPOSAL:
        return add_months(received_on, 1)
    return received_on + timedelta(days=TERM_DAYS)


def first_term(kind: str) -> str:
    return TERM_PROPOSAL if kind == PROPOSAL else TERM_FIFTEEN_DAYS


def study_term_end(received_on: date) -> date:
    """Up to one month from receipt, where extra study or a check is needed."""
    return add_months(received_on, 1)


def head_extension_end(term_end: date) -> date:
    """The term the head extends, by at most one more month."""
    return add_months(term_end, 1)


def due(calendar: WorkingCalendar, nominal_end: date) -> date:
    """The due date of a term that nominally ends on ``nominal_end``."""
    return on_a_working_day(calendar, nominal_end)


class Extensible(Protocol):
    """What the extension rules read of an appeal."""

    number: str
    status: str
    kind: str
    filed_on: date
    extended: bool
    head_extended: bool

    @property
    def escalated(self) -> bool: ...


def _refuse_extension(appeal: Extensible) -> None:
    if appeal.escalated:
        raise InvalidTransition(
            f"appeal {appeal.number} was escalated; its new term cannot be extended",
            state=appeal.status,
        )
    if appeal.kind == PROPOSAL:
        raise InvalidInput(
            "the law sets a proposal's term at one month and no extension of it; a proposal "
            "needing further study is reported to its author within ten days (art. 28, part 3)"
        )


def study_extension_due(appeal: Extensible, calendar: WorkingCalendar) -> date:
    """The due date of the extension for study, or why it is refused: once, not for a
    proposal, not after the head's extension or an escalation."""
    _refuse_extension(appeal)
    if appeal.extended:
        raise InvalidTransition(
            f"appeal {appeal.number}'s term was already extended once", state=appeal.status
        )
    if appeal.head_extended:
        raise InvalidTransition(
            f"appeal {appeal.number}'s term was extended by the head; it cannot be extended "
            "for study after that",
            state=appeal.status,
        )
    return due(calendar, study_term_end(appeal.filed_on))


def head_extension_due(appeal: Extensible, calendar: WorkingCalendar) -> date:
    """The due date of the head's extension (one month on the term in force), or why it is
    refused: once, not for a proposal, not after an escalation."""
    _refuse_extension(appeal)
    if appeal.head_extended:
        raise InvalidTransition(
            f"appeal {appeal.number}'s term was already extended by the head once",
            state=appeal.status,
        )
    base = (
        study_term_end(appeal.filed_on)
        if appeal.extended
        else first_term_end(appeal.kind, appeal.filed_on)
    )
    return due(calendar, head_extension_end(base))


class ExtensionCommands:
    """An appeal's extension commands (mixed into ``Appeal``, whose event methods record
    them): for study, once, to one month from filing; by the head, once, one more month."""

    number: str
    status: str
    kind: str
    filed_on: date
    extended: bool
    head_extended: bool
    term: str
    OPEN: tuple[str, ...] = ("under_review", "escalated")

    @property
    def escalated(self) -> bool:
        raise NotImplementedError

    @property
    def term_source(self) -> LegalSource:
        """The act and article that set the term the appeal is under now."""
        if self.term == TERM_ESCALATED and self.kind == PROPOSAL:
            return ZRU_445_ART_28_PART_3  # a proposal's new term higher up is its month
        return TERM_SOURCES[self.term]

    def _require(self, action: str, *allowed: str) -> None:
        raise NotImplementedError

    def _extended(self, officer: str, reason: str, due_date: str, meta: dict[str, str]) -> None:
        raise NotImplementedError

    def _head_extended(
        self, officer: str, reason: str, due_date: str, meta: dict[str, str], position: Any = None
    ) -> None:
        raise NotImplementedError

    def extend(
        self,
        *,
        officer: str,
        reason: str,
        meta: dict[str, str],
        calendar: WorkingCalendar | None = None,
    ) -> None:
        """Where extra study or a check is needed: the term becomes one month from filing."""
        self._require("an extension", *self.OPEN)
        due_on = study_extension_due(self, calendar or WorkingCalendar())
        self._extended(
            officer=officer,
            reason=required_text("reason", reason),
            due_date=due_on.isoformat(),
            meta=meta,
        )

    def extend_by_head(
        self,
        *,
        officer: str,
        position: str | None,
        reason: str,
        meta: dict[str, str],
        calendar: WorkingCalendar | None = None,
    ) -> None:
        """The head's exceptional extension: one more month on the term (the fifteen days,
        or the month for study), with a reason the applicant is told."""
        self._require("the head's extension", *self.OPEN)
        due_on = head_extension_due(self, calendar or WorkingCalendar())
        self._head_extended(
            officer=officer,
            reason=required_text("reason", reason),
            due_date=due_on.isoformat(),
            meta=meta,
            position=position,
        )
