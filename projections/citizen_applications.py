"""The citizen's applications and appeals: what ``GET /v1/applications`` and
``GET /v1/appeals`` list for the citizen.

Citizens are keyed by a pseudonym (``applicant_ref``), never by PINFL. Rows hold no form
contents: the detail view reads the case itself. The fee's state comes from the payments'
own events, kept by the ``citizen_payments`` read model and joined here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from eventsourcing.persistence import Tracking
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composable

from application.read_models.cases import CitizenAppealRow, CitizenApplicationRow
from domain.appeal import Appeal
from domain.application_statuses import SUBMITTED
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
)
from projections.pagination import (
    GroupedKeyset,
    InvalidQuery,
    Page,
    decode_cursor,
    encode_cursor,
)
from projections.tracked_view import TrackedView, Writer


class CitizenApplicationsView(TrackedView):
    table_names = ("citizen_applications", "citizen_appeals")
    table_statements = (
        """CREATE TABLE IF NOT EXISTS {schema}.citizen_applications (
            id uuid PRIMARY KEY,
            applicant_ref text NOT NULL,
            tracking_number text NOT NULL UNIQUE,
            service_code text NOT NULL,
            service_version integer NOT NULL,
            territory text NOT NULL,
            agency_code text,
            status text NOT NULL,
            fee_amount bigint,
            fee_currency text,
            due_date date,
            registration_number text,
            outcome text,
            submitted_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL)""",
        """CREATE INDEX IF NOT EXISTS citizen_applications_applicant_idx
            ON {schema}.citizen_applications (applicant_ref, submitted_at DESC, id)""",
        """CREATE TABLE IF NOT EXISTS {schema}.citizen_appeals (
            id uuid PRIMARY KEY,
            applicant_ref text NOT NULL,
            number text NOT NULL UNIQUE,
            subject text NOT NULL,
            territory text NOT NULL,
            agency_code text NOT NULL,
            escalated_to text,
            status text NOT NULL,
            due_date date NOT NULL,
            application_id uuid,
            rating integer,
            filed_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL)""",
        """CREATE INDEX IF NOT EXISTS citizen_appeals_applicant_idx
            ON {schema}.citizen_appeals (applicant_ref, filed_at DESC, id)""",
    )
    _columns = (
        "a.id::text AS id, a.tracking_number, a.service_code, a.service_version, a.territory, "
        "a.agency_code, a.status, a.fee_amount, a.fee_currency, a.due_date, "
        "a.registration_number, a.outcome, a.submitted_at, a.updated_at, "
        "p.payment_id, p.status AS payment_status"
    )

    def insert(self, e: ServiceApplication.Submitted) -> Writer:
        return APPLICATION_ROW.writer(self, e)

    def update(self, application_id: Any, at: datetime, **columns: Any) -> Writer:
        return self.update_row("citizen_applications", "id", application_id, at, **columns)

    def insert_appeal(self, e: Appeal.Filed) -> Writer:
        return APPEAL_ROW.writer(self, e)

    def update_appeal(self, appeal_id: Any, at: datetime, **columns: Any) -> Writer:
        return self.update_row("citizen_appeals", "id", appeal_id, at, **columns)

    def appeals_for_applicant(
        self, applicant_ref: str, *, cursor: str | None = None, limit: int = 20
    ) -> Page[CitizenAppealRow]:
        """The citizen's appeals, newest first."""
        key = decode_cursor(cursor, expect=("filed_at", "id"))
        conditions = [SQL("applicant_ref = %(ref)s")]
        params: dict[str, Any] = {"ref": applicant_ref, "limit": limit + 1}
        if key is not None:
            conditions.append(
                SQL("(filed_at, id) < (%(after_at)s::timestamptz, %(after_id)s::uuid)")
            )
            params.update(after_at=key["filed_at"], after_id=key["id"])
        rows = self.fetch_all(
            SQL(
                "SELECT id, number, subject, territory, agency_code, escalated_to, status, "
                "due_date, application_id, rating, filed_at, updated_at FROM {table} "
                "WHERE {where} ORDER BY filed_at DESC, id DESC LIMIT %(limit)s"
            ).format(table=self.table("citizen_appeals"), where=SQL(" AND ").join(conditions)),
            params,
        )
        items = [CitizenAppealRow(**r) for r in rows]
        if len(items) > limit:
            last = items[limit - 1]
            next_key = {"filed_at": last.filed_at.isoformat(), "id": str(last.id)}
            return Page(items[:limit], encode_cursor(next_key))
        return Page(items, None)

    def ids_for_applicant(self, applicant_ref: str) -> list[str]:
        rows = self.fetch_all(
            "SELECT id::text AS id FROM {schema}.citizen_applications WHERE applicant_ref = %s",
            (applicant_ref,),
        )
        return [row["id"] for row in rows]

    def for_applicant(
        self,
        applicant_ref: str,
        *,
        status: str | None = None,
        cursor: str | None = None,
        limit: int = 20,
    ) -> Page[CitizenApplicationRow]:
        key = decode_cursor(cursor, expect=("submitted_at", "id"))
        # A case shows once routed: the projection commits its submission and its routing
        # (one save) one event at a time, and ``submitted`` is no status a citizen sees.
        conditions = [SQL("a.applicant_ref = %(ref)s"), SQL("a.status <> %(unrouted)s")]
        params: dict[str, Any] = {"ref": applicant_ref, "limit": limit + 1, "unrouted": SUBMITTED}
        if status is not None:
            conditions.append(SQL("a.status = %(status)s"))
            params["status"] = status
        if key is not None:
            conditions.append(
                SQL("(a.submitted_at, a.id) < (%(after_at)s::timestamptz, %(after_id)s::uuid)")
            )
            params.update(after_at=key["submitted_at"], after_id=key["id"])
        query = SQL(
            "SELECT {columns} FROM {table} a LEFT JOIN {payments} p ON p.application_id = a.id "
            "WHERE {where} ORDER BY a.submitted_at DESC, a.id DESC LIMIT %(limit)s"
        ).format(
            columns=SQL(self._columns),
            table=self.table("citizen_applications"),
            payments=self.table("citizen_payments"),
            where=SQL(" AND ").join(conditions),
        )
        rows = self.fetch_all(query, params)
        items = [_row(r) for r in rows]
        if len(items) > limit:
            last = items[limit - 1]
            next_key = {"submitted_at": last.submitted_at.isoformat(), "id": last.id}
            return Page(items[:limit], encode_cursor(next_key))
        return Page(items, None)

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
        """Applications counted (and fees summed) per combination of ``group_by``
        dimensions; filters by agency, service, status and territory (a SOATO prefix), and
        by the Uzbek day of submission. Groups in key order, pages by keyset."""
        unknown = [g for g in group_by if g not in SUMMARY_DIMENSIONS]
        if unknown or not group_by or len(set(group_by)) != len(group_by):
            raise InvalidQuery(
                "group_by",
                f"give distinct dimensions among {', '.join(SUMMARY_DIMENSIONS)}",
            )
        dims = [g for g in SUMMARY_DIMENSIONS if g in group_by]  # one canonical order
        key = decode_cursor(cursor, expect=("after",))
        conditions: list[Composable] = [SQL("status <> %(unrouted)s")]  # as for_applicant
        params: dict[str, Any] = {"limit": limit + 1, "unrouted": SUBMITTED}
        for name in ("agency", "service", "status"):
            if filters.get(name) is not None:
                conditions.append(SQL(f"{SUMMARY_DIMENSIONS[name]} = %({name})s"))
                params[name] = filters[name]
        if filters.get("territory") is not None:
            conditions.append(SQL("territory LIKE %(territory)s"))
            params["territory"] = f"{filters['territory']}%"
        local_day = SQL(LOCAL_DAY)
        if submitted_from is not None:
            conditions.append(local_day + SQL(" >= %(from)s"))
            params["from"] = submitted_from
        if submitted_to is not None:
            conditions.append(local_day + SQL(" <= %(to)s"))
            params["to"] = submitted_to
        keyset = GroupedKeyset.of({d: SUMMARY_DIMENSIONS[d] for d in dims}, key, params)
        query = SQL(
            "SELECT {selected}, count(*) AS applications, "
            "coalesce(sum(fee_amount), 0) AS fees_assessed "
            "FROM {table} WHERE {where} GROUP BY {ordered} {having} ORDER BY {ordered} "
            "LIMIT %(limit)s"
        ).format(
            selected=keyset.selected,
            table=self.table("citizen_applications"),
            where=SQL(" AND ").join(conditions),
            ordered=keyset.ordered,
            having=keyset.having,
        )
        rows = [dict(r) for r in self.fetch_all(query, params)]
        if len(rows) > limit:
            return Page(rows[:limit], GroupedKeyset.next_cursor(rows[limit - 1], dims))
        return Page(rows, None)


# Dimensions of the applications summary: name -> SQL expression (all text).
LOCAL_DAY = "((submitted_at AT TIME ZONE 'UTC') + interval '5 hours')::date"
SUMMARY_DIMENSIONS = {
    "agency": "agency_code",
    "service": "service_code",
    "status": "status",
    "territory": "territory",
    "month": "to_char((submitted_at AT TIME ZONE 'UTC') + interval '5 hours', 'YYYY-MM')",
}


def _row(row: DictRow) -> CitizenApplicationRow:
    return CitizenApplicationRow(**row)


APPLICATION_ROW = Insert(
    "citizen_applications",
    {
        "id": field("originator_id"),
        "applicant_ref": field("applicant_ref"),
        "tracking_number": field("tracking_number"),
        "service_code": field("service_code"),
        "service_version": field("service_version"),
        "territory": field("territory"),
        "status": const("submitted"),
        "submitted_at": field("timestamp"),
        "updated_at": field("timestamp"),
    },
)
APPEAL_ROW = Insert(
    "citizen_appeals",
    {
        "id": field("originator_id"),
        "applicant_ref": field("applicant_ref"),
        "number": field("number"),
        "subject": field("subject"),
        "territory": field("territory"),
        "agency_code": field("agency_code"),
        "status": field("status"),
        "due_date": day("due_date"),
        "application_id": field("application_id"),
        "filed_at": field("timestamp"),
        "updated_at": field("timestamp"),
    },
)


def _application(**columns: Value) -> Update:
    return Update("citizen_applications", columns)


def _appeal(**columns: Value) -> Update:
    return Update("citizen_appeals", columns)


class CitizenApplicationsProjection(DeclaredProjection[CitizenApplicationsView]):
    name = "citizen_applications"
    changes: ClassVar[Changes] = {
        ServiceApplication.Submitted: APPLICATION_ROW,
        ServiceApplication.Routed: _application(
            agency_code=field("agency_code"), status=field("status")
        ),
        ServiceApplication.FeeAssessed: _application(
            fee_amount=field("amount"), fee_currency=field("currency")
        ),
        ServiceApplication.ClockStarted: _application(
            due_date=day("due_date"), status=field("status")
        ),
        ServiceApplication.InformationProvided: _application(
            due_date=day("due_date"), status=field("status")
        ),
        ServiceApplication.DueDateRecomputed: _application(due_date=day("due_date")),
        ServiceApplication.Decided: _application(
            registration_number=field("registration_number"),
            outcome=field("outcome"),
            status=field("status"),
        ),
        # --- appeals
        Appeal.Filed: APPEAL_ROW,
        Appeal.Extended: _appeal(due_date=day("due_date")),
        Appeal.Answered: _appeal(status=field("status")),
        Appeal.Escalated: _appeal(
            escalated_to=field("to_agency_code"), status=field("status"), due_date=day("due_date")
        ),
        Appeal.Rated: _appeal(rating=field("rating")),
    }

    def process_other(self, domain_event: Any, tracking: Tracking) -> None:
        """Other events (decisions, indexes) only move the position; and every status
        change of a case is recorded with its new status."""
        self.view.follow_status(domain_event, tracking, self.view.update)
