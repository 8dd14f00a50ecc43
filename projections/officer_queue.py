"""The officer's work queue: the work routed to an agency, ordered by due date.

Holds every application, appeal and inter-agency request (``kind``), so the deadline check
and calendar changes find open work here too. An appeal's ``service_code`` is its subject;
a request is queued for the receiving agency (and, once escalated, its parent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection
from psycopg.sql import SQL, Composable

from domain import appeal as appeal_statuses
from domain import application_statuses
from domain import inter_agency as request_statuses
from domain.appeal import Appeal
from domain.inter_agency import InterAgencyRequest
from domain.service_application import ServiceApplication
from projections.pagination import InvalidQuery, Page, decode_cursor, encode_cursor
from projections.tracked_view import TrackedView, Writer

# The open statuses of the work in a queue: applications once paid (an unpaid one is not
# the agency's work yet), appeals and requests not yet answered.
QUEUE_STATUSES = (
    *(s for s in application_statuses.OPEN if s != application_statuses.AWAITING_PAYMENT),
    *appeal_statuses.OPEN,
    *request_statuses.AWAITING,
)
KINDS = ("application", "appeal", "inter_agency_request")
FAR_FUTURE = date(9999, 12, 31)


@dataclass(frozen=True)
class QueueItem:
    id: UUID
    kind: str
    tracking_number: str
    service_code: str
    territory: str
    agency_code: str | None
    escalated_to: str | None
    status: str
    assignee: str | None
    due_date: date | None
    deadline_breached: bool
    submitted_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class QueueFilter:
    agency: str
    statuses: tuple[str, ...] = QUEUE_STATUSES
    service: str | None = None
    kind: str | None = None
    assignee: str | None = None
    due_within_days: int | None = None  # due on or before today + N days
    overdue: bool | None = None


class OfficerQueueView(TrackedView):
    table_names = ("officer_queue",)
    table_statements = (
        """CREATE TABLE IF NOT EXISTS {schema}.officer_queue (
            id uuid PRIMARY KEY,
            kind text NOT NULL,
            tracking_number text NOT NULL,
            service_code text NOT NULL,
            territory text NOT NULL,
            agency_code text,
            escalated_to text,
            status text NOT NULL,
            assignee text,
            due_date date,
            deadline_breached boolean NOT NULL DEFAULT false,
            submitted_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL)""",
        """CREATE INDEX IF NOT EXISTS officer_queue_agency_idx
            ON {schema}.officer_queue (agency_code, status, due_date, tracking_number)""",
        """CREATE INDEX IF NOT EXISTS officer_queue_due_idx
            ON {schema}.officer_queue (status, due_date) WHERE NOT deadline_breached""",
    )
    _columns = (
        "id, kind, tracking_number, service_code, territory, agency_code, escalated_to, status, "
        "assignee, due_date, deadline_breached, submitted_at, updated_at"
    )

    def insert(self, e: ServiceApplication.Submitted) -> Writer:
        return self.write(
            """INSERT INTO {schema}.officer_queue (id, kind, tracking_number, service_code,
               territory, status, submitted_at, updated_at)
               VALUES (%s, 'application', %s, %s, %s, 'submitted', %s, %s)
               ON CONFLICT DO NOTHING""",
            (
                e.originator_id,
                e.tracking_number,
                e.service_code,
                e.territory,
                e.timestamp,
                e.timestamp,
            ),
        )

    def insert_work(self, e: Any, kind: str, number: str, service_code: str, agency: str) -> Writer:
        """An appeal or an inter-agency request joins the agency's queue."""
        return self.write(
            """INSERT INTO {schema}.officer_queue (id, kind, tracking_number, service_code,
               territory, agency_code, status, due_date, submitted_at, updated_at)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING""",
            (
                e.originator_id,
                kind,
                number,
                service_code,
                e.territory,
                agency,
                e.status,
                date.fromisoformat(e.due_date),
                e.timestamp,
                e.timestamp,
            ),
        )

    def update(self, case_id: UUID, at: datetime, **columns: Any) -> Writer:
        return self.update_row("officer_queue", "id", case_id, at, **columns)

    def queue(
        self, filters: QueueFilter, *, today: date, cursor: str | None = None, limit: int = 20
    ) -> Page[QueueItem]:
        """The agency's cases (and those escalated to it), soonest due first."""
        key = decode_cursor(cursor, expect=("due", "tracking_number"))
        conditions: list[Composable] = [
            SQL("(agency_code = %(agency)s OR escalated_to = %(agency)s)"),
            SQL("status = ANY(%(statuses)s)"),
        ]
        params: dict[str, Any] = {
            "agency": filters.agency,
            "statuses": list(filters.statuses),
            "limit": limit + 1,
            "far": FAR_FUTURE,
        }
        if filters.service:
            conditions.append(SQL("service_code = %(service)s"))
            params["service"] = filters.service
        if filters.kind:
            conditions.append(SQL("kind = %(kind)s"))
            params["kind"] = filters.kind
        if filters.assignee:
            conditions.append(SQL("assignee = %(assignee)s"))
            params["assignee"] = filters.assignee
        if filters.due_within_days is not None:
            conditions.append(SQL("due_date <= %(due_by)s"))
            params["due_by"] = today + timedelta(days=filters.due_within_days)
        if filters.overdue is True:
            conditions.append(SQL("due_date < %(today)s"))
            params["today"] = today
        elif filters.overdue is False:
            conditions.append(SQL("(due_date IS NULL OR due_date >= %(today)s)"))
            params["today"] = today
        if key is not None:
            try:
                after_due = date.fromisoformat(str(key["due"]))
            except ValueError:
                raise InvalidQuery("cursor", "is not a cursor this endpoint returned") from None
            conditions.append(
                SQL(
                    "(COALESCE(due_date, %(far)s), tracking_number) > (%(after_due)s, %(after_tn)s)"
                )
            )
            params.update(after_due=after_due, after_tn=str(key["tracking_number"]))
        query = SQL(
            "SELECT {columns} FROM {table} WHERE {where} "
            "ORDER BY COALESCE(due_date, %(far)s), tracking_number LIMIT %(limit)s"
        ).format(
            columns=SQL(self._columns),
            table=self.table("officer_queue"),
            where=SQL(" AND ").join(conditions),
        )
        items = [QueueItem(**row) for row in self.fetch_all(query, params)]
        if len(items) > limit:
            last = items[limit - 1]
            due = (last.due_date or FAR_FUTURE).isoformat()
            return Page(
                items[:limit], encode_cursor({"due": due, "tracking_number": last.tracking_number})
            )
        return Page(items, None)

    def overdue_cases(self, today: date, limit: int = 1000) -> list[tuple[UUID, str]]:
        """Open work past its due date whose breach is not yet recorded: (id, kind)."""
        rows = self.fetch_all(
            """SELECT id, kind FROM {schema}.officer_queue
               WHERE ((kind = 'application' AND status IN ('queued', 'in_review'))
                   OR (kind = 'appeal' AND status IN ('under_review', 'escalated'))
                   OR (kind = 'inter_agency_request' AND status = 'open'))
               AND NOT deadline_breached AND due_date < %s ORDER BY due_date LIMIT %s""",
            (today, limit),
        )
        return [(row["id"], row["kind"]) for row in rows]

    def open_cases(self, kind: str = "application") -> list[UUID]:
        """Cases whose legal term is running or paused (due dates follow the calendar)."""
        rows = self.fetch_all(
            """SELECT id FROM {schema}.officer_queue
               WHERE kind = %s AND status = ANY(%s) AND due_date IS NOT NULL ORDER BY id""",
            (kind, list(QUEUE_STATUSES)),
        )
        return [row["id"] for row in rows]


class OfficerQueueProjection(Projection[OfficerQueueView]):
    name = "officer_queue"

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.follow_status(domain_event, tracking, self.view.update)

    @process_event.register
    def _submitted(self, e: ServiceApplication.Submitted, tracking: Tracking) -> None:
        self.view.apply(tracking, self.view.insert(e))

    @process_event.register
    def _routed(self, e: ServiceApplication.Routed, tracking: Tracking) -> None:
        self.view.apply(
            tracking,
            self.view.update(
                e.originator_id, e.timestamp, agency_code=e.agency_code, status=e.status
            ),
        )

    @process_event.register
    def _clock(self, e: ServiceApplication.ClockStarted, tracking: Tracking) -> None:
        self._due(e, tracking, e.due_date, e.status)

    @process_event.register
    def _provided(self, e: ServiceApplication.InformationProvided, tracking: Tracking) -> None:
        self._due(e, tracking, e.due_date, e.status)

    @process_event.register
    def _recomputed(self, e: ServiceApplication.DueDateRecomputed, tracking: Tracking) -> None:
        self._due(e, tracking, e.due_date, None)

    def _due(self, e: Any, tracking: Tracking, due: str, status: str | None) -> None:
        columns: dict[str, Any] = {"due_date": date.fromisoformat(due)}
        if status:
            columns["status"] = status
        self.view.apply(tracking, self.view.update(e.originator_id, e.timestamp, **columns))

    @process_event.register
    def _accepted(self, e: ServiceApplication.Accepted, tracking: Tracking) -> None:
        self.view.apply(
            tracking,
            self.view.update(e.originator_id, e.timestamp, assignee=e.officer, status=e.status),
        )

    @process_event.register
    def _released(self, e: ServiceApplication.AssignmentReleased, tracking: Tracking) -> None:
        self.view.apply(
            tracking,
            self.view.update(e.originator_id, e.timestamp, assignee=None, status=e.status),
        )

    @process_event.register
    def _withdrawn(self, e: ServiceApplication.Withdrawn, tracking: Tracking) -> None:
        self.view.apply(
            tracking,
            self.view.update(e.originator_id, e.timestamp, assignee=None, status=e.status),
        )

    @process_event.register
    def _breached(self, e: ServiceApplication.DeadlineBreached, tracking: Tracking) -> None:
        self.view.apply(
            tracking, self.view.update(e.originator_id, e.timestamp, deadline_breached=True)
        )

    @process_event.register
    def _escalated(self, e: ServiceApplication.Escalated, tracking: Tracking) -> None:
        self.view.apply(
            tracking, self.view.update(e.originator_id, e.timestamp, escalated_to=e.to_agency_code)
        )

    # --- appeals ------------------------------------------------------------------------------

    @process_event.register
    def _appeal_filed(self, e: Appeal.Filed, tracking: Tracking) -> None:
        self.view.apply(
            tracking, self.view.insert_work(e, "appeal", e.number, e.subject, e.agency_code)
        )

    @process_event.register
    def _appeal_extended(self, e: Appeal.Extended, tracking: Tracking) -> None:
        self._due(e, tracking, e.due_date, None)

    @process_event.register
    def _appeal_breached(self, e: Appeal.DeadlineBreached, tracking: Tracking) -> None:
        self.view.apply(
            tracking, self.view.update(e.originator_id, e.timestamp, deadline_breached=True)
        )

    @process_event.register
    def _appeal_escalated(self, e: Appeal.Escalated, tracking: Tracking) -> None:
        self.view.apply(
            tracking,
            self.view.update(
                e.originator_id,
                e.timestamp,
                escalated_to=e.to_agency_code,
                status=e.status,
                due_date=date.fromisoformat(e.due_date),
                deadline_breached=False,  # a new term at the higher level
            ),
        )

    # --- inter-agency requests -------------------------------------------------------------

    @process_event.register
    def _request_made(self, e: InterAgencyRequest.Requested, tracking: Tracking) -> None:
        self.view.apply(
            tracking,
            self.view.insert_work(
                e, "inter_agency_request", e.number, e.service_code, e.to_agency_code
            ),
        )

    @process_event.register
    def _request_escalated(self, e: InterAgencyRequest.Escalated, tracking: Tracking) -> None:
        columns: dict[str, Any] = {"status": e.status, "deadline_breached": True}
        if e.to_agency_code:
            columns["escalated_to"] = e.to_agency_code
        self.view.apply(tracking, self.view.update(e.originator_id, e.timestamp, **columns))
