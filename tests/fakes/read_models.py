"""In-memory read models implementing the ports of ``application.read_models``: rows kept
in lists, filtered and paged the way the PostgreSQL views page (opaque cursors)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from application.pagination import Page, decode_cursor, encode_cursor
from application.read_models.cases import (
    CitizenAppealRow,
    CitizenApplicationRow,
    DecisionEntry,
    QueueFilter,
    QueueItem,
)
from application.read_models.kpi import KpiRow
from application.read_models.payments import LedgerEntry, ReconciliationLine

T = TypeVar("T")


def paged(rows: Sequence[T], cursor: str | None, limit: int) -> Page[T]:
    """``rows`` (already in order) from the cursor's offset, ``limit`` at a time."""
    key = decode_cursor(cursor, expect=("offset",))
    start = key["offset"] if key else 0
    window = list(rows[start : start + limit])
    following = start + limit
    return Page(window, encode_cursor({"offset": following}) if following < len(rows) else None)


def matching(row: Any, filters: dict[str, str | None], columns: dict[str, str]) -> bool:
    """Whether ``row`` has each filter's value (None: any) in the filter's column."""
    return all(
        value is None or getattr(row, columns.get(name, name)) == value
        for name, value in filters.items()
    )


@dataclass
class MemoryCitizenApplications:
    applications: dict[str, list[CitizenApplicationRow]] = field(default_factory=dict)
    appeals: dict[str, list[CitizenAppealRow]] = field(default_factory=dict)
    summaries: list[dict[str, Any]] = field(default_factory=list)
    asked: list[dict[str, Any]] = field(default_factory=list)

    def for_applicant(
        self,
        applicant_ref: str,
        *,
        status: str | None = None,
        cursor: str | None = None,
        limit: int = 20,
    ) -> Page[CitizenApplicationRow]:
        rows = [
            r
            for r in self.applications.get(applicant_ref, [])
            if status is None or r.status == status
        ]
        rows.sort(key=lambda r: r.submitted_at, reverse=True)
        return paged(rows, cursor, limit)

    def appeals_for_applicant(
        self, applicant_ref: str, *, cursor: str | None = None, limit: int = 20
    ) -> Page[CitizenAppealRow]:
        rows = sorted(self.appeals.get(applicant_ref, []), key=lambda r: r.filed_at, reverse=True)
        return paged(rows, cursor, limit)

    def ids_for_applicant(self, applicant_ref: str) -> list[str]:
        return [r.id for r in self.applications.get(applicant_ref, [])]

    def summary(
        self,
        group_by: list[str],
        *,
        filters: dict[str, str | None],
        submitted_from: date | None = None,
        submitted_to: date | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> Page[dict[str, Any]]:
        self.asked.append({"group_by": group_by, "filters": filters})
        return paged(self.summaries, cursor, limit)


@dataclass
class MemoryOfficerQueue:
    items: list[QueueItem] = field(default_factory=list)

    def queue(
        self, filters: QueueFilter, *, today: date, cursor: str | None = None, limit: int = 20
    ) -> Page[QueueItem]:
        def wanted(i: QueueItem) -> bool:
            return (
                filters.agency in (i.agency_code, i.escalated_to)
                and i.status in filters.statuses
                and (filters.kind is None or i.kind == filters.kind)
                and (filters.service is None or i.service_code == filters.service)
                and (filters.assignee is None or i.assignee == filters.assignee)
            )

        rows = sorted(filter(wanted, self.items), key=lambda i: (i.due_date or date.max, i.id))
        return paged(rows, cursor, limit)

    def overdue_cases(self, today: date, limit: int = 1000) -> list[tuple[UUID, str]]:
        return [(i.id, i.kind) for i in self.items if i.due_date and i.due_date < today][:limit]

    def open_cases(self, kind: str = "application") -> list[UUID]:
        return [i.id for i in self.items if i.kind == kind]


@dataclass
class MemoryDecisionsRegister:
    entries_: list[DecisionEntry] = field(default_factory=list)

    def entries(
        self,
        *,
        agency: str | None = None,
        service: str | None = None,
        outcome: str | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Page[DecisionEntry]:
        filters = {"agency": agency, "service": service, "outcome": outcome}
        columns = {"agency": "agency_code", "service": "service_code"}
        rows = [e for e in self.entries_ if matching(e, filters, columns)]
        rows.sort(key=lambda e: e.decided_at, reverse=True)
        return paged(rows, cursor, limit)


@dataclass
class MemoryPaymentsLedger:
    ledger: list[LedgerEntry] = field(default_factory=list)

    def entry(self, payment_id: UUID) -> LedgerEntry | None:
        return next((e for e in self.ledger if e.payment_id == payment_id), None)

    def entries(
        self,
        *,
        filters: dict[str, str | None],
        requested_from: date | None = None,
        requested_to: date | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> Page[LedgerEntry]:
        columns = {"agency": "agency_code", "service": "service_code"}
        rows = sorted(
            (e for e in self.ledger if matching(e, filters, columns)),
            key=lambda e: e.requested_at,
        )
        return paged(rows, cursor, limit)

    def unpaid_before(self, cutoff: datetime, limit: int = 1000) -> list[UUID]:
        unpaid = ("requested", "pending")
        return [e.payment_id for e in self.ledger if e.status in unpaid and e.requested_at < cutoff]

    def reconciliation(self, day: date, agency: str | None = None) -> list[ReconciliationLine]:
        groups: dict[tuple[str, str, str], list[int]] = {}
        for e in self.ledger:
            if agency is not None and e.agency_code != agency:
                continue
            sums = groups.setdefault((e.agency_code, e.service_code, e.currency), [0, 0, 0, 0])
            if e.paid_at and e.paid_at.date() == day:
                sums[0] += 1
                sums[1] += e.paid_amount
            if e.refunded_at and e.refunded_at.date() == day:
                sums[2] += 1
                sums[3] += e.refunded_amount
        return [
            ReconciliationLine(a, s, c, *sums)
            for (a, s, c), sums in sorted(groups.items())
            if sums[0] or sums[2]
        ]


@dataclass
class MemoryKpi:
    """KPI rows given per grouping (``rows[tuple(group_by)]``), filtered by agency."""

    rows: dict[tuple[str, ...], list[KpiRow]] = field(default_factory=dict)
    asked: list[dict[str, Any]] = field(default_factory=list)

    def _rows(self, group_by: list[str], filters: dict[str, str | None]) -> list[KpiRow]:
        self.asked.append({"group_by": group_by, "filters": filters})
        agency = filters.get("agency")

        def keep(row: KpiRow) -> bool:
            return agency is None or row.group.get("agency", agency) == agency

        return [r for r in self.rows.get(tuple(group_by), []) if keep(r)]

    def indicators(
        self,
        group_by: list[str],
        *,
        months: tuple[str, str],
        filters: dict[str, str | None],
        cursor: str | None = None,
        limit: int = 100,
    ) -> Page[KpiRow]:
        return paged(self._rows(group_by, filters), cursor, limit)

    def every_group(
        self, group_by: list[str], *, months: tuple[str, str], filters: dict[str, str | None]
    ) -> list[KpiRow]:
        return self._rows(group_by, filters)
