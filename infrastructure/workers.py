"""Projection and policy runners, and periodic jobs, as supervised background threads.

Each read model follows its application's notification log through LISTEN/NOTIFY and
resumes from its tracked position after a restart. A runner or job that fails (the
database went away, a bug) is restarted with backoff, so the worker heals by itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import structlog
from eventsourcing.application import Application
from eventsourcing.persistence import Tracking
from eventsourcing.projection import (
    EventSourcedProjection,
    EventSourcedProjectionRunner,
    Projection,
    ProjectionRunner,
)

from application.cases import Cases
from application.catalogue import Catalogue
from application.jobs import CALENDAR_CHANGES, PROVIDER_ORDERS
from application.payments import Payments
from projections.audit_actions import (
    AuditActionsView,
    CasesAuditActions,
    CatalogueAuditActions,
    PaymentsAuditActions,
)
from projections.catalogue import CatalogueProjection, CatalogueView
from projections.citizen_applications import (
    CitizenApplicationsProjection,
    CitizenApplicationsView,
)
from projections.citizen_payments import CitizenPaymentsProjection, CitizenPaymentsView
from projections.decisions_register import DecisionsRegisterProjection, DecisionsRegisterView
from projections.kpi import CasesKpi, CasesKpiView, PaymentsKpi, PaymentsKpiView
from projections.notifications import NotificationsProjection, NotificationsView
from projections.officer_queue import OfficerQueueProjection, OfficerQueueView
from projections.payments_ledger import PaymentsLedgerProjection, PaymentsLedgerView
from projections.tracked_view import TrackedView

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ProjectionSpec:
    name: str
    application_class: type[Application[Any]]
    projection_class: type[Projection[Any]]
    view_class: type[TrackedView]


PROJECTIONS: tuple[ProjectionSpec, ...] = (
    ProjectionSpec("catalogue", Catalogue, CatalogueProjection, CatalogueView),
    ProjectionSpec(
        "citizen_applications", Cases, CitizenApplicationsProjection, CitizenApplicationsView
    ),
    # The fee's state in the citizen's list, from the payments' log (joined with the above).
    ProjectionSpec("citizen_payments", Payments, CitizenPaymentsProjection, CitizenPaymentsView),
    ProjectionSpec("officer_queue", Cases, OfficerQueueProjection, OfficerQueueView),
    ProjectionSpec("decisions_register", Cases, DecisionsRegisterProjection, DecisionsRegisterView),
    ProjectionSpec("payments_ledger", Payments, PaymentsLedgerProjection, PaymentsLedgerView),
    # Target indicators: one view over both; each projection owns (and rebuilds) its tables.
    ProjectionSpec("kpi_cases", Cases, CasesKpi, CasesKpiView),
    ProjectionSpec("kpi_payments", Payments, PaymentsKpi, PaymentsKpiView),
)


# Audit read models: indexes fed by several streams into shared tables (who did what, which
# aggregates make up a case). They run like the others but are not rebuilt in place.
AUDIT_PROJECTIONS: tuple[ProjectionSpec, ...] = (
    ProjectionSpec("audit_actions_cases", Cases, CasesAuditActions, AuditActionsView),
    ProjectionSpec("audit_actions_payments", Payments, PaymentsAuditActions, AuditActionsView),
    ProjectionSpec("audit_actions_catalogue", Catalogue, CatalogueAuditActions, AuditActionsView),
)

# Outboxes: what was sent must not be sent again, so they are never rebuilt either.
OUTBOX_PROJECTIONS: tuple[ProjectionSpec, ...] = (
    ProjectionSpec("notifications", Cases, NotificationsProjection, NotificationsView),
)
# Every projection a worker runs.
RUNNING_PROJECTIONS = (*PROJECTIONS, *AUDIT_PROJECTIONS, *OUTBOX_PROJECTIONS)


def projection_spec(name: str) -> ProjectionSpec:
    for spec in PROJECTIONS:
        if spec.name == name:
            return spec
    known = ", ".join(s.name for s in PROJECTIONS)
    raise KeyError(f"no read model is called {name!r} (known: {known})")


class Supervised:
    """Runs ``body`` in a daemon thread until stopped; restarts it with backoff when it
    raises. ``body`` receives the stop event and must return once it is set."""

    backoff = (0.5, 1.0, 2.0, 5.0, 10.0)

    def __init__(self, name: str, body: Callable[[threading.Event], None]) -> None:
        self.name = name
        self.body = body
        self.stopping = threading.Event()
        self.failures = 0
        self._thread = threading.Thread(target=self._supervise, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        self._thread.join(timeout)

    def _supervise(self) -> None:
        attempt = 0
        while not self.stopping.is_set():
            try:
                self.body(self.stopping)
                attempt = 0
            except Exception as error:
                self.failures += 1
                delay = self.backoff[min(attempt, len(self.backoff) - 1)]
                attempt += 1
                log.warning(
                    "worker.failed",
                    worker=self.name,
                    error=type(error).__name__,
                    detail=str(error).splitlines()[0] if str(error) else "",
                    retry_in=delay,
                )
                self.stopping.wait(delay)
        log.info("worker.stopped", worker=self.name)


DdlLock = Callable[[], AbstractContextManager[None]]


def projection_worker(spec: ProjectionSpec, env: dict[str, str], ddl: DdlLock) -> Supervised:
    """A read model (or policy) following its application's events until stopped. Runners
    start under the schema's DDL lock: each creates its tables if missing, and concurrent
    CREATE statements collide in PostgreSQL's catalogue."""

    def body(stopping: threading.Event) -> None:
        with ddl():
            runner: ProjectionRunner[Any, Any] = ProjectionRunner(
                application_class=spec.application_class,
                projection_class=spec.projection_class,
                view_class=spec.view_class,
                env=env,
            )
        with runner:
            log.info("projection.started", projection=spec.name)
            while not stopping.is_set():
                runner.run_forever(timeout=0.5)  # raises what the runner's thread raised
                if runner.is_interrupted.is_set() and not stopping.is_set():
                    raise RuntimeError("the subscription ended")

    return Supervised(f"projection-{spec.name}", body)


def policy_worker(
    name: str,
    upstream: type[Application[Any]],
    policy: type[EventSourcedProjection[Any]],
    env: dict[str, str],
    ddl: DdlLock,
) -> Supervised:
    """A process policy following ``upstream``'s events; its new events and its position
    commit in one transaction (exactly once)."""

    def body(stopping: threading.Event) -> None:
        with ddl():
            runner: EventSourcedProjectionRunner[Any, Any] = EventSourcedProjectionRunner(
                application_class=upstream, projection_class=policy, env=env
            )
        with runner:
            log.info("policy.started", policy=name)
            while not stopping.is_set():
                runner.run_forever(timeout=0.5)
                if runner.is_interrupted.is_set() and not stopping.is_set():
                    raise RuntimeError("the subscription ended")

    return Supervised(f"policy-{name}", body)


def periodic_job(name: str, interval: float, run: Callable[[], int]) -> Supervised:
    """``run`` every ``interval`` seconds (first at start); logs what each run did."""

    def body(stopping: threading.Event) -> None:
        while not stopping.is_set():
            done = run()
            if done:
                log.info("job.ran", job=name, changed=done)
            stopping.wait(interval)

    return Supervised(f"job-{name}", body)


def polling_job(name: str, run: Callable[[], int], idle: float = 0.2) -> Supervised:
    """``run`` again at once while it finds work, else after ``idle`` seconds."""

    def body(stopping: threading.Event) -> None:
        while not stopping.is_set():
            if not run():
                stopping.wait(idle)

    return Supervised(f"job-{name}", body)


class Workers:
    """Every supervised projection, policy and job, started and stopped together."""

    def __init__(self, workers: list[Supervised]) -> None:
        self.workers = workers

    def start(self) -> None:
        for worker in self.workers:
            worker.start()

    def stop(self) -> None:
        for worker in self.workers:
            worker.stopping.set()
        for worker in self.workers:
            worker.stop()


# --- event-driven jobs: thin projections that call an application job per event -----------


def calendar_policy(on_change: Callable[[], int]) -> type[Projection[TrackedView]]:
    """Follows the catalogue's holiday calendar: every change moves open cases' due dates
    (``Jobs.follow_calendar``, idempotent, so a replay after a crash is harmless)."""

    class CalendarPolicy(Projection[TrackedView]):
        name = "calendar_policy"
        topics = CALENDAR_CHANGES

        def process_event(self, domain_event: Any, tracking: Tracking) -> None:
            moved = on_change()
            if moved:
                log.info("calendar.followed", cases_moved=moved)
            self.view.apply(tracking)

    return CalendarPolicy


def refund_executor(carry_out: Callable[[Any], None]) -> type[Projection[TrackedView]]:
    """Follows the payments: refunds requested and payments expired are carried out at the
    provider (``Jobs.carry_out_at_provider``, at least once and idempotent)."""

    class RefundExecutor(Projection[TrackedView]):
        name = "refund_executor"
        topics = PROVIDER_ORDERS

        def process_event(self, domain_event: Any, tracking: Tracking) -> None:
            carry_out(domain_event)
            self.view.apply(tracking)

    return RefundExecutor
