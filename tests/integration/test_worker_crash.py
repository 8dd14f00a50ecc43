"""A worker killed mid-stream (a real process, SIGKILL) and restarted: every read model
equals a from-scratch rebuild, and nothing was applied twice.

The test process writes a stream of cases and payments while ``yagona worker`` runs in a
subprocess; the worker is killed while it is behind, more is written with no worker at all,
and a second worker catches up. Then each read model's tables are compared with those a
rebuild from the events produces, and the process policies' effects are counted.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast
from uuid import UUID

import pytest
from eventsourcing.utils import get_topic
from psycopg import sql
from psycopg.rows import dict_row

from application.principal import Principal
from application.seeding import seed
from domain.context import CommandContext
from domain.errors import ConcurrentModification
from domain.payment import Payment
from domain.service_application import ServiceApplication
from infrastructure.container import Container, build_container
from infrastructure.database import DatabaseConfig
from infrastructure.payments.sandbox import SandboxProvider
from infrastructure.payments.webhooks import to_provider_event, verify
from infrastructure.reference_data import load_reference_data
from infrastructure.workers import AUDIT_PROJECTIONS, PROJECTIONS
from projections.audit_actions import AuditActionsView
from projections.rebuild import replay
from tests.conftest import TEST_CIPHER_KEY, TEST_NOW, settings_for
from tests.documents import uploads
from tests.e2e.cases import CITIZEN_A, CITIZEN_B, DISTRICT, service_example
from tests.fakes.adapters import FixedClock
from tests.integration.helpers import dump_tables
from tests.integration.live import ADMIN

YAGONA = str(Path(sys.executable).parent / "yagona")
OFFICER = Principal("officer-1", "officer", agency=f"justice-{DISTRICT}")
OFFICER_CTX = CommandContext(actor=OFFICER.subject, role="officer", correlation_id="crash")
PROVIDER_CTX = CommandContext(actor="provider:sandbox", role="system", correlation_id="crash")
CITIZENS = (Principal(CITIZEN_A, "citizen"), Principal(CITIZEN_B, "citizen"))
FREE, PAID = "birth-registration", "marriage-registration"
CATCH_UP_SECONDS = 120.0
# The worker runs on the system clock, and its deadline and payment-expiry jobs run as it
# starts: the test's clock must not be behind it, or they would find every case overdue and
# every payment unpaid for too long, and write to the cases the stream is writing to.
NOW = max(TEST_NOW, datetime.now(UTC))

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


def citizen_ctx(who: Principal, container: Container) -> CommandContext:
    """As the API builds it: the citizen's pseudonym travels in the events' metadata."""
    return CommandContext(
        actor=who.subject,
        role="citizen",
        correlation_id="crash",
        actor_ref=container.cases.applicant_ref(who.subject),
    )


# --- the worker process ---------------------------------------------------------------------


class WorkerProcess:
    """``yagona worker`` in a subprocess, its output in a file; its connections carry
    ``application_name`` so that the test can see them go."""

    def __init__(self, container: Container, data_dir: Path, label: str) -> None:
        self.label = f"crash-worker-{uuid.uuid4().hex[:8]}-{label}"
        self.log_path = data_dir / f"{label}.log"
        settings = container.settings
        assert settings.database_url is not None
        env = {
            "PATH": os.environ.get("PATH", ""),
            "PGAPPNAME": self.label,
            "YAGONA_DATABASE_URL": settings.database_url,
            "YAGONA_DB_SCHEMA": settings.db_schema,
            "YAGONA_DATA_DIR": str(data_dir),
            "YAGONA_CIPHER_KEY": TEST_CIPHER_KEY,
            "YAGONA_LOG_LEVEL": "WARNING",
            "YAGONA_PAYMENT_PROVIDER": "sandbox",
        }
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [YAGONA, "worker"], env=env, stdout=log, stderr=subprocess.STDOUT
            )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def terminate(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)

    def connections(self, database: DatabaseConfig) -> int:
        with database.connect() as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                (self.label,),
            ).fetchone()
        assert row is not None
        return cast(int, row[0])


def until(
    check: Callable[[], Any], timeout: float, what: str, worker: WorkerProcess | None = None
) -> Any:
    """``check()``'s first truthy result; fails if ``worker`` (when given) exits first."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        output = worker.output() if worker else ""
        if worker is not None:
            assert worker.alive(), f"the worker exited while waiting for {what}:\n{output}"
        assert time.monotonic() < deadline, f"{what}: not within {timeout}s\n{output}"
        time.sleep(0.05)


# --- the stream of commands -----------------------------------------------------------------


@dataclass
class Stream:
    """Commands written from a thread while the worker runs (and while it is dead): free
    cases accepted and decided, paid cases paid on the sandbox, decided once their payment
    has queued them (rejections refund the fee), some withdrawn right after paying."""

    container: Container
    stop: threading.Event = field(default_factory=threading.Event)
    rounds: int = 0
    waiting: list[tuple[Principal, UUID]] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self.round()
                self.rounds += 1
        except BaseException as error:  # reported by the test
            self.errors.append(error)

    def submit(self, who: Principal, code: str) -> UUID:
        application = self.container.submissions.submit(
            who,
            citizen_ctx(who, self.container),
            service_code=code,
            territory=DISTRICT,
            form=service_example(code),
            attachments=uploads(code),
            language="ru",
        )
        return application.id

    def decide(self, key: UUID, outcome: str) -> None:
        handling, decisions = self.container.handling, self.container.decisions
        retried(lambda: handling.accept(OFFICER, OFFICER_CTX, str(key)))
        retried(
            lambda: decisions.decide(
                OFFICER,
                OFFICER_CTX,
                str(key),
                outcome=outcome,
                reasons="Checked.",
                legal_basis="Art. 1",
            )
        )

    def pay(self, who: Principal, key: UUID) -> None:
        payments = self.container.payments
        started = payments.start(who, citizen_ctx(who, self.container), str(key))
        assert started.provider is not None
        provider = self.container.provider
        assert isinstance(provider, SandboxProvider)
        callback = provider.decide(started.provider.provider_payment_id, "succeeded")
        assert callback is not None
        event = to_provider_event(verify(*callback, self.container.webhook_secret))
        assert event is not None
        payments.apply_provider_event(PROVIDER_CTX, event)

    def decide_queued(self, limit: int) -> int:
        """Decide paid cases a policy has queued since; every other one is rejected."""
        decided = 0
        for who, key in list(self.waiting):
            if decided >= limit:
                break
            if self.container.cases.repository.get(key).status != "queued":
                continue
            self.waiting.remove((who, key))
            self.decide(key, "rejected" if key.int % 2 else "approved")
            decided += 1
        return decided

    def round(self) -> None:
        n = self.rounds
        who = CITIZENS[n % 2]
        free = self.submit(who, FREE)
        if n % 3 != 2:
            self.decide(free, "rejected" if n % 3 else "approved")
        paid = self.submit(who, PAID)
        self.pay(who, paid)
        if n % 5 == 4:  # withdrawn before acceptance (and maybe before it is queued)
            submissions = self.container.submissions
            retried(
                lambda: submissions.withdraw(
                    who, citizen_ctx(who, self.container), str(paid), reason="changed"
                )
            )
        else:
            self.waiting.append((who, paid))
        self.decide_queued(limit=2)


def retried(command: Callable[[], object], attempts: int = 5) -> None:
    """``command``, again after a conflict: the worker's policies write to the same cases
    (a payment queues the case the citizen is withdrawing), and nothing of the losing
    attempt was recorded."""
    for attempt in range(attempts):
        try:
            command()
            return
        except ConcurrentModification:
            if attempt == attempts - 1:
                raise
            time.sleep(0.05)


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


# --- the scenario ---------------------------------------------------------------------------


@dataclass
class Crash:
    """What the scenario left: the container over its schema, and how far things had got."""

    container: Container
    at_kill: dict[str, dict[str, int]]  # each read model's position and head at the SIGKILL
    after_kill: dict[str, int]  # each read model's head when the second worker started
    rounds: int


def run_scenario(container: Container, data_dir: Path) -> Crash:
    """A worker runs while commands stream in; it is killed (SIGKILL) while it is behind;
    more commands land with no worker; a second worker catches up, the paid cases it queues
    are decided, and it is stopped (SIGTERM) once nothing is left to apply."""
    stream = Stream(container)
    writer = threading.Thread(target=stream.run, name="stream", daemon=True)
    workers: list[WorkerProcess] = []
    try:
        first = WorkerProcess(container, data_dir, "first")
        workers.append(first)
        writer.start()

        def behind() -> dict[str, dict[str, int]] | None:
            """The status once the worker has applied cases, payments and a policy's
            reactions, and still has cases to apply."""
            assert not stream.errors, stream.errors
            status = {row["name"]: row for row in container.projection_status()}
            cases, ledger = status["citizen_applications"], status["payments_ledger"]
            reacted = tracking_positions(container, {("cases_tracking", "Payments"): 0})
            if (
                cases["position"]
                and cases["lag"] > 0
                and ledger["position"]
                and all(reacted.values())
            ):
                return status
            return None

        at_kill = until(behind, 60, "the worker to apply part of the stream", first)
        first.kill()
        rounds_at_kill = stream.rounds
        until(lambda: stream.rounds >= rounds_at_kill + 5 or stream.errors, 60, "more commands")
        until(lambda: first.connections(container.database) == 0, 30, "the connections to go")
        stream.stop.set()
        writer.join(60)
        assert not writer.is_alive()
        assert not stream.errors, stream.errors
        after_kill = {row["name"]: row["head"] for row in container.projection_status()}

        second = WorkerProcess(container, data_dir, "second")
        workers.append(second)
        until(lambda: quiescent(container), CATCH_UP_SECONDS, "the catch-up", second)
        while stream.decide_queued(limit=100):
            until(lambda: quiescent(container), CATCH_UP_SECONDS, "the catch-up", second)
        assert not stream.waiting, "paid cases were never queued"
        assert second.terminate() == 0, second.output()
    finally:
        stream.stop.set()
        for worker in workers:
            if worker.alive():
                worker.process.kill()
                worker.process.wait(30)
        if writer.is_alive():
            writer.join(60)
    return Crash(container, at_kill, after_kill, stream.rounds)


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
