"""The target indicators' read model: counts per agency, service, territory and month."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from application.pagination import Page

DIMENSIONS = ("agency", "service", "territory")


@dataclass(frozen=True)
class KpiRow:
    """One group's counts and its indicators' actual values (None: nothing to measure)."""

    group: dict[str, str | None]  # the group_by dimensions only
    submitted: int
    decided: int
    decided_within_term: int
    rejected: int
    appeals: int
    appeals_concluded: int  # answered, or overdue unanswered
    appeals_answered_on_time: int
    ratings: int
    inter_agency_requests: int
    requests_concluded: int  # answered, refused, or overdue unanswered
    requests_answered_on_time: int
    fees_collected: int
    fees_refunded: int
    actuals: dict[str, float | None]


class KpiReadModel(Protocol):
    def indicators(
        self,
        group_by: list[str],
        *,
        months: tuple[str, str],
        filters: dict[str, str | None],
        cursor: str | None = None,
        limit: int = 100,
    ) -> Page[KpiRow]: ...

    def every_group(
        self, group_by: list[str], *, months: tuple[str, str], filters: dict[str, str | None]
    ) -> list[KpiRow]: ...
