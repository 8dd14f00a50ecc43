"""Target indicators (KPIs): facts per application, appeal, inter-agency request and
payment, and the indicators computed from them per agency, service, territory and month.

Two projections feed one view: ``kpi_cases`` follows the cases' log (applications, appeals
and inter-agency requests are all stored there) and ``kpi_payments`` follows the payments'.
Each owns its own fact tables (so each is rebuilt alone); the view queries them together.

Months are Uzbekistan's (UTC+5), ``YYYY-MM``. Where each fact counts, and to whom:

- an application is *submitted* in the month of its submission day (the day its command
  ran: the date its fee was assessed or its term started in that same command), under the
  agency it was routed to, its service and its territory;
- a *decision* counts in the month of its ``decided_on`` day, under the same agency
  (the routed one, even when the case was escalated), service and territory; its working
  days and whether the term was kept are those the decision recorded;
- an *appeal* counts in the month it was filed, under the agency it was filed with (even
  when a higher level answered it) and its territory; appeals have no service, so with
  ``service`` in ``group_by`` they fall under service null, and a ``service`` filter leaves
  them out. Its answer, lateness and rating count with it, in its filing month;
- an *inter-agency request* counts in the month it was made, under the receiving agency and
  the case's territory; like appeals, under service null;
- *fees* count in the month the provider took the money (collected) and the month it gave it
  back (refunded), under the payment's agency and service, and the territory of its
  application; this is when the payments' events were recorded, as in the reconciliation.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking

from application.read_models.kpi import DIMENSIONS, KpiRow
from domain.appeal import Appeal
from domain.inter_agency import InterAgencyRequest
from domain.local_time import UZBEKISTAN
from domain.payment import Payment
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
from projections.kpi_queries import dimensions, indicator_actuals, indicators_query
from projections.pagination import GroupedKeyset, Page
from projections.tracked_view import TrackedView, Writer


def month_of(day: date | datetime) -> str:
    """The Uzbek month of a day, or of an instant."""
    if isinstance(day, datetime):
        day = day.astimezone(UZBEKISTAN).date()
    return f"{day.year:04d}-{day.month:02d}"


class KpiView(TrackedView):
    """Every KPI fact table, and the indicators' query. Each projection's view class names
    the tables it owns (``table_names``: what a rebuild swaps); all of them are created."""

    table_statements: ClassVar[tuple[str, ...]] = (
        """CREATE TABLE IF NOT EXISTS {schema}.kpi_applications (
            application_id uuid PRIMARY KEY,
            agency_code text,
            service_code text NOT NULL,
            territory text NOT NULL,
            submitted_at timestamptz NOT NULL,
            submitted_on date,
            submitted_month text NOT NULL,
            decided_on date,
            decided_month text,
            outcome text,
            within_term boolean,
            working_days_taken integer)""",
        """CREATE INDEX IF NOT EXISTS kpi_applications_submitted_idx
            ON {schema}.kpi_applications (submitted_month)""",
        """CREATE INDEX IF NOT EXISTS kpi_applications_decided_idx
            ON {schema}.kpi_applications (decided_month)""",
        """CREATE TABLE IF NOT EXISTS {schema}.kpi_appeals (
            appeal_id uuid PRIMARY KEY,
            agency_code text NOT NULL,
            territory text NOT NULL,
            filed_on date NOT NULL,
            filed_month text NOT NULL,
            answered_on date,
            answered_on_time boolean,
            overdue boolean NOT NULL DEFAULT false,
            rating smallint)""",
        """CREATE INDEX IF NOT EXISTS kpi_appeals_filed_idx
            ON {schema}.kpi_appeals (filed_month)""",
        """CREATE TABLE IF NOT EXISTS {schema}.kpi_requests (
            request_id uuid PRIMARY KEY,
            agency_code text NOT NULL,
            from_agency_code text NOT NULL,
            territory text NOT NULL,
            requested_on date NOT NULL,
            requested_month text NOT NULL,
            due_date date NOT NULL,
            responded_on date,
            response text,
            responded_on_time boolean,
            overdue boolean NOT NULL DEFAULT false)""",
        """CREATE INDEX IF NOT EXISTS kpi_requests_requested_idx
            ON {schema}.kpi_requests (requested_month)""",
        """CREATE TABLE IF NOT EXISTS {schema}.kpi_payments (
            payment_id uuid PRIMARY KEY,
            application_id uuid NOT NULL,
            agency_code text NOT NULL,
            service_code text NOT NULL,
            currency text NOT NULL,
            paid_amount bigint NOT NULL DEFAULT 0,
            paid_month text,
            refunded_amount bigint NOT NULL DEFAULT 0,
            refunded_month text)""",
        """CREATE INDEX IF NOT EXISTS kpi_payments_paid_idx
            ON {schema}.kpi_payments (paid_month)""",
        """CREATE INDEX IF NOT EXISTS kpi_payments_refunded_idx
            ON {schema}.kpi_payments (refunded_month)""",
    )
    table_names: ClassVar[tuple[str, ...]] = (
        "kpi_applications",
        "kpi_appeals",
        "kpi_requests",
        "kpi_payments",
    )

    # --- writers ----------------------------------------------------------------------------

    def write_params(self, statement: str, **params: Any) -> Writer:
        return self.write(statement, params)

    # --- the indicators -----------------------------------------------------------------------

    def indicators(
        self,
        group_by: list[str],
        *,
        months: tuple[str, str],
        filters: dict[str, str | None],
        cursor: str | None = None,
        limit: int = 100,
    ) -> Page[KpiRow]:
        """The indicators per combination of ``group_by`` (any of agency, service,
        territory; none: one row for everything) over the months ``months`` (first, last),
        filtered by agency, service and territory (a SOATO prefix). Groups in key order,
        paged by keyset."""
        dims = dimensions(group_by, DIMENSIONS)
        query, params = indicators_query(self, dims, months, filters, cursor, limit)
        rows = [self._row(dict(r), dims, filters) for r in self.fetch_all(query, params)]
        if len(rows) > limit:
            return Page(rows[:limit], GroupedKeyset.next_cursor(rows[limit - 1].group, dims))
        return Page(rows, None)

    def every_group(
        self, group_by: list[str], *, months: tuple[str, str], filters: dict[str, str | None]
    ) -> list[KpiRow]:
        """Every group (all pages)."""
        rows: list[KpiRow] = []
        cursor = None
        while True:
            page = self.indicators(
                group_by, months=months, filters=filters, cursor=cursor, limit=1000
            )
            rows.extend(page.items)
            if page.next is None:
                return rows
            cursor = page.next

    @staticmethod
    def _row(row: dict[str, Any], dims: list[str], filters: dict[str, str | None]) -> KpiRow:
        actuals = indicator_actuals(row, dims, filters)
        return KpiRow(
            group={d: row[d] for d in dims},
            submitted=int(row["submitted"]),
            decided=int(row["decided"]),
            decided_within_term=int(row["decided_within_term"]),
            rejected=int(row["rejected"]),
            appeals=int(row["appeals"]),
            appeals_concluded=int(row["appeals_concluded"]),
            appeals_answered_on_time=int(row["appeals_on_time"]),
            ratings=int(row["ratings"]),
            inter_agency_requests=int(row["requests"]),
            requests_concluded=int(row["requests_concluded"]),
            requests_answered_on_time=int(row["requests_on_time"]),
            fees_collected=int(row["fees_collected"]),
            fees_refunded=int(row["fees_refunded"]),
            actuals=actuals,
        )


class CasesKpiView(KpiView):
    """The tables ``kpi_cases`` writes (and a rebuild of it replaces)."""

    table_names = ("kpi_applications", "kpi_appeals", "kpi_requests")


class PaymentsKpiView(KpiView):
    """The table ``kpi_payments`` writes (and a rebuild of it replaces)."""

    table_names = ("kpi_payments",)


def _month(name: str) -> Value:
    """The Uzbek month of the event's ISO date attribute ``name``."""
    return field(name, lambda day: month_of(date.fromisoformat(day)))


def _application(**columns: Value) -> Update:
    return Update("kpi_applications", columns, key="application_id", touch=False)


def _submission_day(name: str) -> Update:
    """The submission's own day: the date its command ran on (a fee assessed, or the term
    started, in the same command), the first such date recorded."""
    return Update(
        "kpi_applications",
        {"submitted_on": day(name), "submitted_month": _month(name)},
        key="application_id",
        touch=False,
        unless_set=("submitted_on",),
    )


def _appeal(unless_set: tuple[str, ...] = (), **columns: Value) -> Update:
    return Update("kpi_appeals", columns, key="appeal_id", touch=False, unless_set=unless_set)


def _payment(**columns: Value) -> Update:
    return Update("kpi_payments", columns, key="payment_id", touch=False)


class CasesKpi(DeclaredProjection[KpiView]):
    """Facts of applications, appeals and inter-agency requests (the cases' log)."""

    name = "kpi_cases"
    changes: ClassVar[Changes] = {
        # --- applications
        ServiceApplication.Submitted: Insert(
            "kpi_applications",
            {
                "application_id": field("originator_id"),
                "service_code": field("service_code"),
                "territory": field("territory"),
                "submitted_at": field("timestamp"),
                "submitted_month": field("timestamp", month_of),
            },
        ),
        ServiceApplication.Routed: _application(agency_code=field("agency_code")),
        ServiceApplication.FeeAssessed: _submission_day("assessed_on"),
        ServiceApplication.ClockStarted: _submission_day("started_on"),
        ServiceApplication.Decided: _application(
            decided_on=day("decided_on"),
            decided_month=_month("decided_on"),
            outcome=field("outcome"),
            within_term=field("within_term"),
            working_days_taken=field("working_days_taken"),
        ),
        ServiceApplication.Withdrawn: _application(outcome=const("withdrawn")),
        ServiceApplication.Cancelled: _application(outcome=const("cancelled")),
        # --- appeals: the first answer is the filing agency's (a later one follows a
        # dispute); overdue before its first answer, it is not answered on time, whoever
        # answers later
        Appeal.Filed: Insert(
            "kpi_appeals",
            {
                "appeal_id": field("originator_id"),
                "agency_code": field("agency_code"),
                "territory": field("territory"),
                "filed_on": day("filed_on"),
                "filed_month": _month("filed_on"),
            },
        ),
        Appeal.Answered: _appeal(
            ("answered_on",), answered_on=day("answered_on"), answered_on_time=field("on_time")
        ),
        Appeal.DeadlineBreached: _appeal(("answered_on",), overdue=const(True)),
        Appeal.Rated: _appeal(rating=field("rating")),
        # --- inter-agency requests (answers and refusals: process_other)
        InterAgencyRequest.Requested: Insert(
            "kpi_requests",
            {
                "request_id": field("originator_id"),
                "agency_code": field("to_agency_code"),
                "from_agency_code": field("from_agency_code"),
                "territory": field("territory"),
                "requested_on": day("requested_on"),
                "requested_month": _month("requested_on"),
                "due_date": day("due_date"),
            },
        ),
        InterAgencyRequest.Escalated: Update(
            "kpi_requests",
            {"overdue": const(True)},
            key="request_id",
            touch=False,
            unless_set=("responded_on",),
        ),
    }

    @singledispatchmethod
    def process_other(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.apply(tracking)

    @process_other.register
    def _request_answered(self, e: InterAgencyRequest.Answered, tracking: Tracking) -> None:
        self._responded(e.originator_id, "answered", e.answered_on, e.on_time, tracking)

    @process_other.register
    def _request_refused(self, e: InterAgencyRequest.Refused, tracking: Tracking) -> None:
        self._responded(e.originator_id, "refused", e.refused_on, None, tracking)

    def _responded(
        self, request_id: UUID, response: str, day: str, on_time: bool | None, tracking: Tracking
    ) -> None:
        """Answered or refused; on time when by its due date (a refusal with its reason is a
        response in time too): computed from the row's due date, so written by hand."""
        on = date.fromisoformat(day)
        self.view.apply(
            tracking,
            self.view.write_params(
                "UPDATE {schema}.kpi_requests SET responded_on = %(on)s, "
                "response = %(response)s, "
                "responded_on_time = coalesce(%(on_time)s::boolean, %(on)s::date <= due_date) "
                "WHERE request_id = %(id)s AND responded_on IS NULL",
                id=request_id,
                on=on,
                response=response,
                on_time=on_time,
            ),
        )


class PaymentsKpi(DeclaredProjection[KpiView]):
    """Fees collected and refunded (the payments' log)."""

    name = "kpi_payments"
    changes: ClassVar[Changes] = {
        Payment.Requested: Insert(
            "kpi_payments",
            {
                "payment_id": field("originator_id"),
                "application_id": field("application_id"),
                "agency_code": field("agency_code"),
                "service_code": field("service_code"),
                "currency": field("currency"),
            },
        ),
        Payment.Succeeded: _payment(
            paid_amount=field("amount"), paid_month=field("timestamp", month_of)
        ),
        Payment.Refunded: _payment(
            refunded_amount=field("amount"), refunded_month=field("timestamp", month_of)
        ),
    }
