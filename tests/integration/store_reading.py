"""Reading the event store and the read models after a fault: every event of a log, the
positions the policies and the refund executor have reached, and every row of every read
model (test_worker_crash.py, and the reliability suite's checks)."""

from __future__ import annotations

from collections import Counter
from typing import Any, cast

from eventsourcing.utils import get_topic
from psycopg import sql

from domain.payment import Payment
from domain.service_application import ServiceApplication
from infrastructure.container import Container
from infrastructure.workers import PROJECTIONS
from tests.integration.helpers import dump_tables

# What the worker's policies and the refund executor follow (their tracking positions end
# on the last of these events, not on the head).
CASES_FOLLOW_PAYMENTS = {get_topic(Payment.Succeeded), get_topic(Payment.Expired)}
PAYMENTS_FOLLOW_CASES = {
    get_topic(ServiceApplication.Decided),
    get_topic(ServiceApplication.Withdrawn),
    get_topic(ServiceApplication.Cancelled),
    get_topic(ServiceApplication.PaymentNotExpected),
}
REFUND_EXECUTOR = {get_topic(Payment.RefundRequested), get_topic(Payment.Expired)}


# --- reading the store and the read models --------------------------------------------------


def decoded(app: Any) -> list[tuple[int, Any]]:
    """Every event of ``app``'s log (decrypted) with its notification id."""
    events = []
    for notification in app.recorder.select_notifications(start=1, limit=10**7):
        events.append((notification.id, app.mapper.to_domain_event(notification)))
    return events


def quiescent(container: Container) -> bool:
    """Every read model has applied everything, and every policy and the refund executor
    has reached the last event it follows (so no reaction is still to come)."""
    if any(row["lag"] for row in container.projection_status()):
        return False
    expected = policy_positions(container)
    return tracking_positions(container, expected) == expected


def policy_positions(container: Container) -> dict[tuple[str, str], int]:
    """(tracking table, upstream) -> the id of the last event that runner follows."""

    def last(app: Any, topics: set[str]) -> int:
        ids = [
            n.id
            for n in app.recorder.select_notifications(start=1, limit=10**7, topics=list(topics))
        ]
        return max(ids, default=0)

    return {
        ("cases_tracking", "Payments"): last(container.payments, CASES_FOLLOW_PAYMENTS),
        ("payments_tracking", "Cases"): last(container.cases, PAYMENTS_FOLLOW_CASES),
        ("refund_executor_tracking", "Payments"): last(container.payments, REFUND_EXECUTOR),
    }


def tracking_positions(
    container: Container, wanted: dict[tuple[str, str], int]
) -> dict[tuple[str, str], int]:
    positions = {}
    schema = container.settings.db_schema
    with container.database.connect() as conn:
        for table, upstream in wanted:
            exists = conn.execute("SELECT to_regclass(%s)", (f'"{schema}"."{table}"',)).fetchone()
            if exists is None or exists[0] is None:
                positions[(table, upstream)] = 0
                continue
            row = conn.execute(
                sql.SQL("SELECT max(notification_id) FROM {} WHERE application_name = %s").format(
                    sql.Identifier(schema, table)
                ),
                (upstream,),
            ).fetchone()
            positions[(table, upstream)] = cast(int | None, row[0] if row else None) or 0
    return positions


def snapshot(container: Container) -> dict[str, dict[str, Any]]:
    """Every row of every read model's tables (its tracking table included)."""
    snap = {}
    for spec in PROJECTIONS:
        view = container.view(spec.name)
        tables = (*view.table_names, view.tracking_table_name)
        snap[spec.name] = dump_tables(container.database, container.settings.db_schema, tables)
    return snap


def sandbox_refunds(container: Container) -> Counter[str]:
    with container.database.connect() as conn:
        rows = conn.execute(
            sql.SQL("SELECT provider_payment_id FROM {}").format(
                sql.Identifier(container.settings.db_schema, "sandbox_refunds")
            )
        ).fetchall()
    return Counter(str(r[0]) for r in rows)
