"""The payments ledger: every payment and refund with its state, and reconciliation.

Days are Uzbekistan's (UTC+5): a payment belongs to the day on which it was taken there.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection
from psycopg.sql import SQL, Composable

from application.read_models.payments import LedgerEntry, ReconciliationLine
from domain.payment import Payment
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
        return self.write(
            """INSERT INTO {schema}.payments_ledger (payment_id, application_id, tracking_number,
               agency_code, service_code, attempt, provider, amount, currency, status,
               requested_at, updated_at)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 'requested', %s, %s)
               ON CONFLICT DO NOTHING""",
            (
                e.originator_id,
                e.application_id,
                e.tracking_number,
                e.agency_code,
                e.service_code,
                e.attempt,
                e.provider,
                e.amount,
                e.currency,
                datetime.fromisoformat(e.requested_at),
                e.timestamp,
            ),
        )

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


class PaymentsLedgerProjection(Projection[PaymentsLedgerView]):
    name = "payments_ledger"

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.follow_status(domain_event, tracking, self.view.update)

    @process_event.register
    def _requested(self, e: Payment.Requested, tracking: Tracking) -> None:
        self.view.apply(tracking, self.view.insert(e))

    @process_event.register
    def _created(self, e: Payment.ProviderPaymentCreated, tracking: Tracking) -> None:
        self.view.apply(
            tracking,
            self.view.update(
                e.originator_id,
                e.timestamp,
                provider_payment_id=e.provider_payment_id,
                status=e.status,
            ),
        )

    @process_event.register
    def _succeeded(self, e: Payment.Succeeded, tracking: Tracking) -> None:
        self.view.apply(
            tracking,
            self.view.update(
                e.originator_id,
                e.timestamp,
                provider_payment_id=e.provider_payment_id,
                paid_amount=e.amount,
                paid_at=e.timestamp,
                status=e.status,
            ),
        )

    @process_event.register
    def _submitted(self, e: Payment.RefundSubmitted, tracking: Tracking) -> None:
        self.view.apply(
            tracking,
            self.view.update(
                e.originator_id,
                e.timestamp,
                provider_refund_id=e.provider_refund_id,
                status=e.status,
            ),
        )

    @process_event.register
    def _refunded(self, e: Payment.Refunded, tracking: Tracking) -> None:
        self.view.apply(
            tracking,
            self.view.update(
                e.originator_id,
                e.timestamp,
                provider_refund_id=e.provider_refund_id,
                refunded_amount=e.amount,
                refunded_at=e.timestamp,
                status=e.status,
            ),
        )
