"""The checks ServiceApplication's commands make before they record anything.

Pure functions of the case's state and the command's input: each raises the named error
that says what forbids the command, and returns nothing (or the value it checked).
"""

from __future__ import annotations

import re
from datetime import date

from domain.application_statuses import OUTCOMES
from domain.attachment import SHA256
from domain.errors import (
    AssignedToAnotherOfficer,
    InvalidInput,
    InvalidTransition,
    NotAssigned,
    NothingChanged,
)
from domain.i18n import LANGUAGES
from domain.quoting import quoted

TRACKING_NUMBER = re.compile(r"AR-\d{4}-\d{7,}")


def check_submission(tracking_number: str, language: str) -> None:
    if not TRACKING_NUMBER.fullmatch(tracking_number):
        raise InvalidInput(
            f"a tracking number looks like AR-2026-0000123, not {quoted(tracking_number)}"
        )
    if language not in LANGUAGES:
        raise InvalidInput(f"language must be one of {', '.join(LANGUAGES)}")


def require_status(
    tracking_number: str, status: str, action: str, allowed: tuple[str, ...]
) -> None:
    """``action`` is allowed only in the ``allowed`` statuses."""
    if status not in allowed:
        raise InvalidTransition(
            f"application {tracking_number} is {status}; {action} is allowed "
            f"only when it is {' or '.join(allowed)}",
            state=status,
        )


def require_assignee(
    tracking_number: str, status: str, assignee: str | None, officer: str, action: str
) -> None:
    """Only the officer who accepted the case acts on it."""
    if assignee is None:
        raise NotAssigned(
            f"application {tracking_number} is not accepted by any officer; accept it "
            f"before {action}",
            state=status,
        )
    if assignee != officer:
        raise AssignedToAnotherOfficer(
            f"application {tracking_number} is assigned to another officer",
            state=status,
        )


def check_acceptance(tracking_number: str, status: str, assignee: str | None, officer: str) -> None:
    """A case is accepted by one officer at a time, and once."""
    if assignee == officer:
        raise InvalidTransition(
            f"application {tracking_number} is {status} and already accepted by you",
            state=status,
        )
    if assignee is not None:
        raise AssignedToAnotherOfficer(
            f"application {tracking_number} is {status} and assigned to another officer",
            state=status,
        )


def breached_due_date(
    tracking_number: str, already_breached: bool, due_date: date | None, today: date
) -> date:
    """The due date a case passed by ``today``, if its breach is not recorded yet."""
    if already_breached:
        raise NothingChanged(f"the breach of {tracking_number} is already recorded")
    if due_date is None or today <= due_date:
        raise NothingChanged(f"application {tracking_number} is within its term")
    return due_date


def check_outcome(outcome: str) -> None:
    if outcome not in OUTCOMES:
        raise InvalidInput(f"outcome must be {' or '.join(OUTCOMES)}, not {quoted(outcome)}")


def check_result_documents(documents: dict[str, str]) -> None:
    if not documents or not all(SHA256.fullmatch(h) for h in documents.values()):
        raise InvalidInput("result documents are recorded by their sha256")
