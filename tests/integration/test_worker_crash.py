"""A worker killed mid-stream (a real process, SIGKILL) and restarted: every read model
equals a from-scratch rebuild, and nothing was applied twice.

The test process writes a stream of cases and payments while ``yagona worker`` runs in a
subprocess; the worker is killed while it is behind, more is written with no worker at all,
and a second worker catches up. Then each read model's tables are compared with those a
rebuild from the events produces, and the process policies' effects are counted.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest
from psycopg import sql
from psycopg.rows import dict_row

from application.seeding import seed
from domain.payment import Payment
from domain.service_application import ServiceApplication
from infrastructure.container import build_container
from infrastructure.database import DatabaseConfig
from infrastructure.reference_data import load_reference_data
from infrastructure.workers import AUDIT_PROJECTIONS, PROJECTIONS
from projections.audit_actions import AuditActionsView
from projections.rebuild import replay
from tests.conftest import settings_for
from tests.fakes.adapters import FixedClock
from tests.integration.helpers import dump_tables
from tests.integration.live import ADMIN
from tests.integration.store_reading import (
    decoded,
    policy_positions,
    sandbox_refunds,
    snapshot,
    tracking_positions,
)
from tests.integration.worker_crash_scenario import NOW, Crash, run_scenario


@pytest.fixture(scope="module")
def crash(
    test_database: DatabaseConfig, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Crash]:
    """The scenario, on a fresh seeded schema dropped afterwards with its rebuilds' shadow
    schemas."""
    data_dir = tmp_path_factory.mktemp("worker-crash")
    schema = f"crash_{uuid.uuid4().hex[:8]}"
    container = build_container(
        settings_for(test_database, schema, data_dir), clock=FixedClock(NOW)
    )
    try:
        seed(container.catalogue, load_reference_data(), ADMIN, today=NOW.date())
        container.rebuild_projection("catalogue")  # routing reads it; no worker is up yet
        yield run_scenario(container, data_dir)
    finally:
        container.close()
        shadows = [f"{schema}_rebuild_{spec.name}"[:63] for spec in PROJECTIONS]
        with test_database.connect() as conn:
            for name in (schema, f"{schema}_replay", *shadows):
                conn.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name))
                )


# --- the tests ------------------------------------------------------------------------------


def test_the_worker_was_killed_mid_stream_and_the_restart_applied_everything(
    crash: Crash,
) -> None:
    cases = crash.at_kill["citizen_applications"]
    assert 0 < cases["position"] < cases["head"]
    final = {row["name"]: row for row in crash.container.projection_status()}
    assert final["citizen_applications"]["head"] > crash.after_kill["citizen_applications"]
    assert crash.after_kill["citizen_applications"] > cases["head"]  # written with no worker
    assert all(row["lag"] == 0 for row in final.values()), final
    expected = policy_positions(crash.container)
    assert tracking_positions(crash.container, expected) == expected
    print(  # with -s: how far the stream and the killed worker had got
        "\nat the SIGKILL (applied/head): "
        + ", ".join(f"{n} {r['position']}/{r['head']}" for n, r in crash.at_kill.items())
        + f"\nheads after the kill: {crash.after_kill}"
        + f"\nfinal heads: { {n: r['head'] for n, r in final.items()} }; rounds {crash.rounds}"
        + "; events: "
        + ", ".join(
            f"{app.name} {len(decoded(app))} (ids to {app.recorder.max_notification_id()})"
            for app in (crash.container.cases, crash.container.payments)
        )
    )


def test_every_read_model_equals_a_rebuild_from_scratch(crash: Crash) -> None:
    container = crash.container
    live = snapshot(container)
    for spec in PROJECTIONS:
        report = container.rebuild_projection(spec.name)
        assert report.events == len(decoded(container.application(spec)))
    rebuilt = snapshot(container)
    for name, tables in live.items():
        for table, rows in tables.items():
            assert rows == rebuilt[name][table], f"{name}: {table} differs from its rebuild"
    for table in ("citizen_applications", "officer_queue", "payments_ledger", "decisions_register"):
        assert live[table][table], f"{table} is empty"


def test_each_policy_reacted_to_each_event_once_and_each_refund_was_made_once(
    crash: Crash,
) -> None:
    container = crash.container
    payment_events = [e for _, e in decoded(container.payments)]
    per_payment: dict[UUID, Counter[str]] = {}
    succeeded: dict[UUID, list[Payment.Succeeded]] = {}
    for e in payment_events:
        per_payment.setdefault(e.originator_id, Counter())[type(e).__qualname__] += 1
        if isinstance(e, Payment.Succeeded):
            succeeded.setdefault(e.application_id, []).append(e)
    assert succeeded, "no payment succeeded"
    for payment_id, kinds in per_payment.items():
        for kind in ("Requested", "Succeeded", "RefundRequested", "RefundSubmitted", "Refunded"):
            assert kinds[f"Payment.{kind}"] <= 1, (payment_id, kinds)

    # Cases follow payments: one Paid (or PaymentNotExpected) per succeeded payment.
    reactions: Counter[UUID] = Counter()
    rejected_or_withdrawn_early: set[UUID] = set()
    for _, e in decoded(container.cases):
        if isinstance(e, ServiceApplication.Paid | ServiceApplication.PaymentNotExpected):
            reactions[e.originator_id] += 1
        elif (isinstance(e, ServiceApplication.Decided) and e.outcome == "rejected") or (
            isinstance(e, ServiceApplication.Withdrawn) and e.before_acceptance
        ):
            rejected_or_withdrawn_early.add(e.originator_id)
    assert reactions == Counter({key: len(paid) for key, paid in succeeded.items()})

    # Payments follow cases, and the executor refunds: once per rejected or early-withdrawn
    # paid case (the marriage registration refunds on both), once at the provider.
    due = {
        e.originator_id
        for key, paid in succeeded.items()
        if key in rejected_or_withdrawn_early
        for e in paid
    }
    assert due, "no refund was due"
    for kind in ("Payment.RefundRequested", "Payment.Refunded"):
        assert {p for p, kinds in per_payment.items() if kinds[kind]} == due, kind
    refunds = sandbox_refunds(container)
    assert sum(refunds.values()) == len(refunds) == len(due)

    # The ledger's sums are the events' sums: no payment or refund counted twice.
    ledger = dump_tables(container.database, container.settings.db_schema, ("payments_ledger",))
    rows = ledger["payments_ledger"]
    assert len(rows) == sum(kinds["Payment.Requested"] for kinds in per_payment.values())
    assert sum(r["paid_amount"] for r in rows) == sum(
        e.amount for e in payment_events if isinstance(e, Payment.Succeeded)
    )
    assert sum(r["refunded_amount"] for r in rows) == sum(
        e.amount for e in payment_events if isinstance(e, Payment.Refunded)
    )


# --- the audit index ------------------------------------------------------------------------

AUDIT_ACTIONS = sql.SQL(
    "SELECT actor, role, stream, aggregate_id::text AS aggregate_id, version, type, "
    "correlation_id, at FROM {} ORDER BY stream, aggregate_id, version"
)


@dataclass
class AuditIndexes:
    live: dict[str, list[dict[str, Any]]]
    replayed: dict[str, list[dict[str, Any]]]


@pytest.fixture(scope="module")
def audit_indexes(crash: Crash) -> AuditIndexes:
    """The audit index as the worker left it, and as a replay of every stream (catalogue,
    then cases, then payments) into a scratch schema builds it. Its ``id`` is a sequence
    value, so it is left out."""
    container = crash.container
    scratch = f"{container.settings.db_schema}_replay"
    with container.database.connect() as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(scratch)))
    datastore = container.make_datastore(scratch)
    try:
        order = ("audit_actions_catalogue", "audit_actions_cases", "audit_actions_payments")
        for spec in sorted(AUDIT_PROJECTIONS, key=lambda s: order.index(s.name)):
            view = AuditActionsView(datastore, tracking_table_name=f"{spec.name}_tracking")
            view.create_table()
            replay(container.application(spec), spec.projection_class(view=view), after=0)
    finally:
        datastore.close()
    indexes = []
    for schema in (container.settings.db_schema, scratch):
        tables = (
            "audit_citizen_refs",
            "case_members",
            *(f"{spec.name}_tracking" for spec in AUDIT_PROJECTIONS),
        )
        dumped = dump_tables(container.database, schema, tables)
        with container.database.connect() as conn, conn.cursor(row_factory=dict_row) as curs:
            dumped["audit_actions"] = curs.execute(
                AUDIT_ACTIONS.format(sql.Identifier(schema, "audit_actions"))
            ).fetchall()
        indexes.append(dumped)
    return AuditIndexes(*indexes)


def test_the_audit_index_holds_every_action_once(audit_indexes: AuditIndexes) -> None:
    live, replayed = audit_indexes.live, audit_indexes.replayed
    assert live.keys() == replayed.keys()
    for table in live:
        if table != "audit_actions":
            assert live[table] == replayed[table], f"{table} differs from a replay"
    assert live["audit_actions"], "the audit index is empty"
    without_actor = [{k: v for k, v in r.items() if k != "actor"} for r in live["audit_actions"]]
    assert without_actor == [
        {k: v for k, v in r.items() if k != "actor"} for r in replayed["audit_actions"]
    ]


def test_the_audit_index_names_each_citizen_as_a_replay_does(
    audit_indexes: AuditIndexes,
) -> None:
    unknown = [r for r in audit_indexes.live["audit_actions"] if r["actor"] == "citizen:unknown"]
    assert not unknown, f"{len(unknown)} actions by citizen:unknown, e.g. {unknown[0]}"
    assert audit_indexes.live["audit_actions"] == audit_indexes.replayed["audit_actions"]
