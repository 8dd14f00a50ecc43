"""The officer's work queue: the work routed to an agency, ordered by due date.

Holds every application, appeal and inter-agency request (``kind``), so the deadline check
and calendar changes find open work here too. An appeal's ``service_code`` is its subject;
a request is queued for the receiving agency (and, once escalated, its parent).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.persistence import Tracking
from psycopg.sql import SQL, Composable

from application.read_models.cases import QUEUE_STATUSES, QueueFilter, QueueItem
from domain.appeal import Appeal
from domain.inter_agency import InterAgencyRequest
from domain.service_application import ServiceApplication
from projections.declared import (
    Changes,
    DeclaredProjection,
    Insert,
    Update,
    Value,
    const,
    day,
    field,
    if_given,
)
from projections.pagination import InvalidQuery, Page, decode_cursor, encode_cursor
from projections.tracked_view import TrackedView, Writer

FAR_FUTURE = date(9999, 12, 31)


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
        return APPLICATION_ROW.writer(self, e)

    def insert_work(self, e: Any, kind: str, number: str, service_code: str, agency: str) -> Writer:
        """An appeal or an inter-agency request joins the agency's queue."""
        return self.write(
            self.composed(APPEAL_ROW, tuple(APPEAL_ROW.values)),
            {
                **APPEAL_ROW.params(e),
                "kind": kind,
                "tracking_number": number,
                "service_code": service_code,
                "agency_code": agency,
            },
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


def _queued(**columns: Value) -> Update:
    return Update("officer_queue", columns)


def _work(kind: str, number: str, service_code: str, agency: str) -> Insert:
    """An appeal or an inter-agency request joins the agency's queue."""
    return Insert(
        "officer_queue",
        {
            "id": field("originator_id"),
            "kind": const(kind),
            "tracking_number": field(number),
            "service_code": field(service_code),
            "territory": field("territory"),
            "agency_code": field(agency),
            "status": field("status"),
            "due_date": day("due_date"),
            "submitted_at": field("timestamp"),
            "updated_at": field("timestamp"),
        },
    )


APPLICATION_ROW = Insert(
    "officer_queue",
    {
        "id": field("originator_id"),
        "kind": const("application"),
        "tracking_number": field("tracking_number"),
        "service_code": field("service_code"),
        "territory": field("territory"),
        "status": const("submitted"),
        "submitted_at": field("timestamp"),
        "updated_at": field("timestamp"),
    },
)
APPEAL_ROW = _work("appeal", "number", "subject", "agency_code")
REQUEST_ROW = _work("inter_agency_request", "number", "service_code", "to_agency_code")
NEW_DUE_DATE = _queued(due_date=day("due_date"), status=if_given(field("status")))


class OfficerQueueProjection(DeclaredProjection[OfficerQueueView]):
    name = "officer_queue"
    changes: ClassVar[Changes] = {
        ServiceApplication.Submitted: APPLICATION_ROW,
        ServiceApplication.Routed: _queued(
            agency_code=field("agency_code"), status=field("status")
        ),
        ServiceApplication.ClockStarted: NEW_DUE_DATE,
        ServiceApplication.InformationProvided: NEW_DUE_DATE,
        ServiceApplication.DueDateRecomputed: _queued(due_date=day("due_date")),
        ServiceApplication.Accepted: _queued(assignee=field("officer"), status=field("status")),
        ServiceApplication.AssignmentReleased: _queued(
            assignee=const(None), status=field("status")
        ),
        ServiceApplication.Withdrawn: _queued(assignee=const(None), status=field("status")),
        ServiceApplication.DeadlineBreached: _queued(deadline_breached=const(True)),
        ServiceApplication.Escalated: _queued(escalated_to=field("to_agency_code")),
        # --- appeals
        Appeal.Filed: APPEAL_ROW,
        Appeal.Extended: _queued(due_date=day("due_date")),
        Appeal.DeadlineBreached: _queued(deadline_breached=const(True)),
        Appeal.Escalated: _queued(
            escalated_to=field("to_agency_code"),
            status=field("status"),
            due_date=day("due_date"),
            deadline_breached=const(False),  # a new term at the higher level
        ),
        # --- inter-agency requests
        InterAgencyRequest.Requested: REQUEST_ROW,
        InterAgencyRequest.Escalated: _queued(
            status=field("status"),
            deadline_breached=const(True),
            escalated_to=if_given(field("to_agency_code")),
        ),
    }

    def process_other(self, domain_event: Any, tracking: Tracking) -> None:
        """Every other status change of a case is recorded with its new status."""
        self.view.follow_status(domain_event, tracking, self.view.update)
