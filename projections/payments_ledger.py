"""The payments ledger: every payment and refund with its state, and reconciliation.

Days are Uzbekistan's (UTC+5): a payment belongs to the day on which it was taken there.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.persistence import Tracking
from psycopg.sql import SQL, Composable

from application.read_models.payments import LedgerEntry, ReconciliationLine
from domain.payment import Payment
from projections.declared import Changes, DeclaredProjection, Insert, Update, Value, const, field
from projections.pagination import Page, decode_cursor, encode_cursor
from projections.tracked_view import TrackedView, Writer

LOCAL_DAY = "(({column} AT TIME ZONE 'UTC') + interval '5 hours')::date"


class PaymentsLedgerView(TrackedView):
    table_names = ("payments_ledger",)
    table_statements = (
        """CREATE TABLE IF NOT EXISTS {schema}.payments_ledger (
            payment_id uuid PRIMARY KEY,
            application_id uuid NOT NULL,
            tracking_number text NOT NULL,
            agency_code text NOT NULL,
            service_code text NOT NULL,
            attempt integer NOT NULL,
            provider text NOT NULL,
            provider_payment_id text,
            amount bigint NOT NULL,
            currency text NOT NULL,
            status text NOT NULL,
            paid_amount bigint NOT NULL DEFAULT 0,
            refunded_amount bigint NOT NULL DEFAULT 0,
            provider_refund_id text,
            requested_at timestamptz NOT NULL,
            paid_at timestamptz,
            refunded_at timestamptz,
            updated_at timestamptz NOT NULL)""",
        """CREATE INDEX IF NOT EXISTS payments_ledger_application_idx
            ON {schema}.payments_ledger (application_id, attempt)""",
        """CREATE INDEX IF NOT EXISTS payments_ledger_open_idx
            ON {schema}.payments_ledger (status, requested_at)""",
    )
    _columns = (
        "payment_id, application_id, tracking_number, agency_code, service_code, attempt, "
        "provider, provider_payment_id, amount, currency, status, paid_amount, refunded_amount, "
        "provider_refund_id, requested_at, paid_at, refunded_at, updated_at"
    )

    def insert(self, e: Payment.Requested) -> Writer:
        return PAYMENT_ROW.writer(self, e)

    def update(self, payment_id: UUID, at: datetime, **columns: Any) -> Writer:
        return self.update_row("payments_ledger", "payment_id", payment_id, at, **columns)

    def entry(self, payment_id: UUID) -> LedgerEntry | None:
        row = self.fetch_one(
            SQL("SELECT {columns} FROM {table} WHERE payment_id = %s").format(
                columns=SQL(self._columns), table=self.table("payments_ledger")
            ),
            (payment_id,),
        )
        return LedgerEntry(**row) if row else None

    def entries(
        self,
        *,
        filters: dict[str, str | None],
        requested_from: date | None = None,
        requested_to: date | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> Page[LedgerEntry]:
        """The ledger in the order payments were requested (oldest first, so a reader can
        follow it), filtered by agency, service, status and the Uzbek day requested."""
        key = decode_cursor(cursor, expect=("requested_at", "payment_id"))
        conditions: list[Composable] = [SQL("TRUE")]
        params: dict[str, Any] = {"limit": limit + 1}
        for name, column in (("agency", "agency_code"), ("service", "service_code")):
            if filters.get(name) is not None:
                conditions.append(SQL(f"{column} = %({name})s"))
                params[name] = filters[name]
        if filters.get("status") is not None:
            conditions.append(SQL("status = %(status)s"))
            params["status"] = filters["status"]
        day = SQL(LOCAL_DAY.format(column="requested_at"))
        if requested_from is not None:
            conditions.append(day + SQL(" >= %(from)s"))
            params["from"] = requested_from
        if requested_to is not None:
            conditions.append(day + SQL(" <= %(to)s"))
            params["to"] = requested_to
        if key is not None:
            conditions.append(
                SQL("(requested_at, payment_id) > (%(at)s::timestamptz, %(id)s::uuid)")
            )
            params.update(at=key["requested_at"], id=key["payment_id"])
        rows = self.fetch_all(
            SQL(
                "SELECT {columns} FROM {table} WHERE {where} ORDER BY requested_at, payment_id "
                "LIMIT %(limit)s"
            ).format(
                columns=SQL(self._columns),
                table=self.table("payments_ledger"),
                where=SQL(" AND ").join(conditions),
            ),
            params,
        )
        items = [LedgerEntry(**row) for row in rows]
        if len(items) > limit:
            last = items[limit - 1]
            next_key = {
                "requested_at": last.requested_at.isoformat(),
                "payment_id": str(last.payment_id),
            }
            return Page(items[:limit], encode_cursor(next_key))
        return Page(items, None)

    def unpaid_before(self, cutoff: datetime, limit: int = 1000) -> list[UUID]:
        """Payments still awaiting the money that were requested before ``cutoff``."""
        rows = self.fetch_all(
            """SELECT payment_id FROM {schema}.payments_ledger
               WHERE status IN ('requested', 'pending') AND requested_at < %s
               ORDER BY requested_at LIMIT %s""",
            (cutoff, limit),
        )
        return [row["payment_id"] for row in rows]

    def reconciliation(self, day: date, agency: str | None = None) -> list[ReconciliationLine]:
        """Per agency and service: what was collected and refunded on ``day``, and the net."""
        paid_day = SQL(LOCAL_DAY.format(column="paid_at"))
        refund_day = SQL(LOCAL_DAY.format(column="refunded_at"))
        conditions: list[Composable] = [
            SQL("({paid} = %(day)s OR {refund} = %(day)s)").format(paid=paid_day, refund=refund_day)
        ]
        params: dict[str, Any] = {"day": day}
        if agency is not None:
            conditions.append(SQL("agency_code = %(agency)s"))
            params["agency"] = agency
        query = SQL(
            """SELECT agency_code, service_code, currency,
                 count(*) FILTER (WHERE {paid} = %(day)s) AS payments,
                 coalesce(sum(paid_amount) FILTER (WHERE {paid} = %(day)s), 0) AS collected,
                 count(*) FILTER (WHERE {refund} = %(day)s) AS refunds,
                 coalesce(sum(refunded_amount) FILTER (WHERE {refund} = %(day)s), 0) AS refunded
               FROM {table} WHERE {where}
               GROUP BY agency_code, service_code, currency
               ORDER BY agency_code, service_code, currency"""
        ).format(
            paid=paid_day,
            refund=refund_day,
            table=self.table("payments_ledger"),
            where=SQL(" AND ").join(conditions),
        )
        return [
            ReconciliationLine(
                r["agency_code"],
                r["service_code"],
                r["currency"],
                int(r["payments"]),
                int(r["collected"]),
                int(r["refunds"]),
                int(r["refunded"]),
            )
            for r in self.fetch_all(query, params)
        ]


PAYMENT_ROW = Insert(
    "payments_ledger",
    {
        "payment_id": field("originator_id"),
        "application_id": field("application_id"),
        "tracking_number": field("tracking_number"),
        "agency_code": field("agency_code"),
        "service_code": field("service_code"),
        "attempt": field("attempt"),
        "provider": field("provider"),
        "amount": field("amount"),
        "currency": field("currency"),
        "status": const("requested"),
        "requested_at": field("requested_at", datetime.fromisoformat),
        "updated_at": field("timestamp"),
    },
)


def _entry(**columns: Value) -> Update:
    return Update("payments_ledger", columns, key="payment_id")


class PaymentsLedgerProjection(DeclaredProjection[PaymentsLedgerView]):
    name = "payments_ledger"
    changes: ClassVar[Changes] = {
        Payment.Requested: PAYMENT_ROW,
        Payment.ProviderPaymentCreated: _entry(
            provider_payment_id=field("provider_payment_id"), status=field("status")
        ),
        Payment.Succeeded: _entry(
            provider_payment_id=field("provider_payment_id"),
            paid_amount=field("amount"),
            paid_at=field("timestamp"),
            status=field("status"),
        ),
        Payment.RefundSubmitted: _entry(
            provider_refund_id=field("provider_refund_id"), status=field("status")
        ),
        Payment.Refunded: _entry(
            provider_refund_id=field("provider_refund_id"),
            refunded_amount=field("amount"),
            refunded_at=field("timestamp"),
            status=field("status"),
        ),
    }

    def process_other(self, domain_event: Any, tracking: Tracking) -> None:
        """Every other payment event carries the status it leads to (or none)."""
        self.view.follow_status(domain_event, tracking, self.view.update)
