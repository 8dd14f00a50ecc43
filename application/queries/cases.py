"""Reads over cases: the citizen's own applications and appeals, the officer's work queue,
the decisions register and the applications summary."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from application.authorization import authorize, narrowed_agency
from application.pagination import InvalidQuery, Page
from application.ports import Clock
from application.principal import Principal
from application.read_models.cases import (
    QUEUE_STATUSES,
    CitizenAppealRow,
    CitizenApplicationRow,
    CitizenApplications,
    DecisionEntry,
    DecisionsRegister,
    OfficerQueue,
    QueueFilter,
    QueueItem,
)


def check_period(start: date | None, end: date | None) -> None:
    """A period's ends in order (``from`` and ``to`` query parameters)."""
    if start and end and start > end:
        raise InvalidQuery("from", "is after `to`")


class CitizenCases:
    """What a citizen lists of their own: applications and appeals, newest first."""

    def __init__(
        self, read_model: CitizenApplications, applicant_ref: Callable[[str], str]
    ) -> None:
        self.read_model = read_model
        self.applicant_ref = applicant_ref

    def applications(
        self, principal: Principal, *, status: str | None, cursor: str | None, limit: int
    ) -> Page[CitizenApplicationRow]:
        authorize(principal, "application.list_own")
        return self.read_model.for_applicant(
            self.applicant_ref(principal.subject), status=status, cursor=cursor, limit=limit
        )

    def appeals(
        self, principal: Principal, *, cursor: str | None, limit: int
    ) -> Page[CitizenAppealRow]:
        authorize(principal, "appeal.list_own")
        return self.read_model.appeals_for_applicant(
            self.applicant_ref(principal.subject), cursor=cursor, limit=limit
        )

    def summary(
        self,
        principal: Principal,
        group_by: list[str],
        *,
        filters: dict[str, str | None],
        submitted_from: date | None,
        submitted_to: date | None,
        cursor: str | None,
        limit: int,
    ) -> Page[dict[str, Any]]:
        """Applications counted per group (no personal data): for oversight."""
        authorize(principal, "read_models.read")
        check_period(submitted_from, submitted_to)
        return self.read_model.summary(
            group_by,
            filters=filters,
            submitted_from=submitted_from,
            submitted_to=submitted_to,
            cursor=cursor,
            limit=limit,
        )


@dataclass(frozen=True)
class QueuePage:
    page: Page[QueueItem]
    today: date  # the day the working days left are counted from


class WorkQueue:
    """The officer's queue: the work of their agency, soonest due first."""

    def __init__(self, read_model: OfficerQueue, clock: Clock) -> None:
        self.read_model = read_model
        self.clock = clock

    def queue(
        self,
        principal: Principal,
        *,
        kind: str | None = None,
        statuses: tuple[str, ...] = (),
        service: str | None = None,
        mine: bool = False,
        due_within_days: int | None = None,
        overdue: bool | None = None,
        cursor: str | None = None,
        limit: int = 20,
    ) -> QueuePage:
        agency = narrowed_agency(principal, "queue.read", None)
        assert agency is not None  # an officer always acts for an agency
        today = self.clock.today()
        page = self.read_model.queue(
            QueueFilter(
                agency=agency,
                statuses=statuses or QUEUE_STATUSES,
                service=service,
                kind=kind,
                assignee=principal.subject if mine else None,
                due_within_days=due_within_days,
                overdue=overdue,
            ),
            today=today,
            cursor=cursor,
            limit=limit,
        )
        return QueuePage(page, today)


class RegisterOfDecisions:
    """Registered decisions, newest first: officers see their agency's."""

    def __init__(self, read_model: DecisionsRegister) -> None:
        self.read_model = read_model

    def entries(
        self,
        principal: Principal,
        *,
        agency: str | None = None,
        service: str | None = None,
        outcome: str | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Page[DecisionEntry]:
        agency = narrowed_agency(principal, "decisions_register.read", agency)
        return self.read_model.entries(
            agency=agency, service=service, outcome=outcome, cursor=cursor, limit=limit
        )
