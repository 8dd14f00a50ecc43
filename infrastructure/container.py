"""The composition root: the one place that wires adapters into the use cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import structlog
from eventsourcing.postgres import PostgresDatastore

from application.appeals import Appeals
from application.audit import Audit
from application.cases import Cases
from application.catalogue import Catalogue
from application.decisions import Decisions
from application.feed import Feed
from application.integrators import Integrators
from application.inter_agency import InterAgency
from application.jobs import Jobs
from application.officer_handling import OfficerHandling
from application.payments import Payments
from application.ports import AccessRecords, Clock, Notifier, PaymentProvider
from application.provider_notifications import ProviderNotifications, SandboxCheckout
from application.queries.services import QueryServices
from application.rate_limits import RateLimits
from application.read_models.cases import CitizenApplications, DecisionsRegister, OfficerQueue
from application.read_models.catalogue import CatalogueReadModel
from application.read_models.kpi import KpiReadModel
from application.read_models.payments import PaymentsLedger
from application.staff_directory import StaffDirectory
from application.submissions import Submissions
from application.webhooks import Webhooks
from domain.kpi import TargetTable
from infrastructure.audit import AuditSeals, ChainChecks
from infrastructure.database import DatabaseConfig, ddl_lock, ping
from infrastructure.embedded_postgres import release_embedded
from infrastructure.export_signing import Ed25519ExportSigner, export_signer
from infrastructure.feed import FeedLogPort
from infrastructure.idempotency import RequestKeys
from infrastructure.query_services import (
    build_notifications,
    build_queries,
    build_sandbox_checkout,
)
from infrastructure.readiness import StartHeads
from infrastructure.settings import Settings
from infrastructure.tokens import TokenService
from infrastructure.wiring import (
    background_work,
)
from infrastructure.workers import (
    RUNNING_PROJECTIONS,
    ProjectionSpec,
    Workers,
    projection_spec,
)
from projections.catalogue import CatalogueView
from projections.citizen_applications import CitizenApplicationsView
from projections.decisions_register import DecisionsRegisterView
from projections.kpi import KpiView
from projections.officer_queue import OfficerQueueView
from projections.payments_ledger import PaymentsLedgerView
from projections.rebuild import Progress, RebuildReport, rebuild
from projections.tracked_view import TrackedView

log = structlog.get_logger(__name__)

Persistence = Literal["postgres", "memory"]


@dataclass(frozen=True)
class ReadModels:
    """The read models the query services and the HTTP app read, as the application's
    ports: the projections' PostgreSQL views, or in-memory stand-ins (tests)."""

    catalogue: CatalogueReadModel
    citizen_applications: CitizenApplications
    officer_queue: OfficerQueue
    decisions_register: DecisionsRegister
    payments_ledger: PaymentsLedger
    kpi: KpiReadModel


@dataclass
class Container:
    settings: Settings
    database: DatabaseConfig | None  # None: in-memory persistence (tests)
    env: dict[str, str]
    runner_env: dict[str, str]
    clock: Clock
    catalogue: Catalogue
    cases: Cases  # the case store
    submissions: Submissions
    handling: OfficerHandling
    decisions: Decisions
    jobs: Jobs
    payments: Payments
    provider: PaymentProvider
    webhook_secret: str
    tokens: TokenService
    idempotency: RequestKeys
    access_log: AccessRecords
    seals: AuditSeals
    verifier: ChainChecks
    audit: Audit
    appeals: Appeals
    notifier: Notifier
    inter_agency: InterAgency
    integrators: Integrators
    staff: StaffDirectory  # the staff directory: who is officer, auditor, administrator
    feed_log: FeedLogPort
    feed: Feed
    webhooks: Webhooks
    kpi_targets: TargetTable
    rate_limits: RateLimits
    workers: Workers | None = None
    _views: dict[str, TrackedView] = field(default_factory=dict)
    # Each read model's application head when this process started (see readiness.py).
    start_heads: StartHeads = field(default_factory=lambda: StartHeads({}))
    # The data folder of the embedded server this container holds, if it uses one.
    embedded_data_dir: Path | None = None
    persistence: Persistence = "postgres"
    # In-memory persistence: the read models given (PostgreSQL: the views above).
    memory_read_models: ReadModels | None = None

    @cached_property
    def queries(self) -> QueryServices:
        """Every query service, reading the views below."""
        return build_queries(self)

    @cached_property
    def export_signer(self) -> Ed25519ExportSigner:
        """The key case exports are signed with (docs/security.md, "Signed exports")."""
        return export_signer(self.settings)

    @cached_property
    def notifications(self) -> ProviderNotifications:
        """The configured payment provider's notifications, applied to the payments."""
        return build_notifications(self)

    @cached_property
    def sandbox_checkout(self) -> SandboxCheckout:
        """The offline sandbox's checkout (answers not found unless it is the provider)."""
        return build_sandbox_checkout(self)

    # --- read models --------------------------------------------------------------------

    @cached_property
    def read_models(self) -> ReadModels:
        """The read models as ports (the views' own types are below, PostgreSQL only)."""
        if self.memory_read_models is not None:
            return self.memory_read_models
        return ReadModels(
            catalogue=self.catalogue_view,
            citizen_applications=self.citizen_applications,
            officer_queue=self.officer_queue,
            decisions_register=self.decisions_register,
            payments_ledger=self.payments_ledger,
            kpi=self.kpi,
        )

    @property
    def in_memory(self) -> bool:
        return self.persistence == "memory"

    @property
    def catalogue_read(self) -> CatalogueReadModel:
        """The catalogue's read model in either persistence (what the HTTP app reads)."""
        return self.read_models.catalogue

    def view(self, name: str) -> TrackedView:
        if name in self._views:
            return self._views[name]
        return self._views[projection_spec(name).name]

    @property
    def catalogue_view(self) -> CatalogueView:
        """The catalogue's PostgreSQL view (in-memory persistence: ``catalogue_read``)."""
        view = self.view("catalogue")
        assert isinstance(view, CatalogueView)
        return view

    @property
    def citizen_applications(self) -> CitizenApplicationsView:
        view = self.view("citizen_applications")
        assert isinstance(view, CitizenApplicationsView)
        return view

    @property
    def officer_queue(self) -> OfficerQueueView:
        view = self.view("officer_queue")
        assert isinstance(view, OfficerQueueView)
        return view

    @property
    def payments_ledger(self) -> PaymentsLedgerView:
        view = self.view("payments_ledger")
        assert isinstance(view, PaymentsLedgerView)
        return view

    @property
    def decisions_register(self) -> DecisionsRegisterView:
        view = self.view("decisions_register")
        assert isinstance(view, DecisionsRegisterView)
        return view

    @property
    def kpi(self) -> KpiView:
        """The target indicators (both KPI projections' tables, queried together)."""
        view = self.view("kpi_cases")
        assert isinstance(view, KpiView)
        return view

    def application(self, spec: ProjectionSpec) -> Any:
        if spec.application_class is Catalogue:
            return self.catalogue
        if spec.application_class is Cases:
            return self.cases
        if spec.application_class is Payments:
            return self.payments
        raise KeyError(spec.name)

    def projection_status(self) -> list[dict[str, Any]]:
        """Each read model's position in its application's log, and how far behind it is.
        Raises ``DatabaseUnavailable`` at once when the database is gone (each of the many
        pools below would wait for a connection, and their reads retry, for a minute)."""
        ping(self.database)
        status = []
        for spec in RUNNING_PROJECTIONS:
            app = self.application(spec)
            if self.in_memory:  # the stand-ins are filled by the tests: nothing to follow
                head = app.recorder.max_notification_id() or 0
                status.append({"name": spec.name, "position": head, "head": head, "lag": 0})
                continue
            position = self.view(spec.name).position(app.name)  # first: lag never below 0
            head = app.recorder.max_notification_id() or 0
            status.append(
                {"name": spec.name, "position": position, "head": head, "lag": head - position}
            )
        return status

    def record_start_heads(self) -> None:
        """Note every application's head now: read models are trusted once they reach it."""
        self.start_heads = StartHeads(
            {
                spec.name: self.application(spec).recorder.max_notification_id() or 0
                for spec in RUNNING_PROJECTIONS
            }
        )

    def catalogue_caught_up(self, timeout: float) -> bool:
        """Whether the catalogue's read model holds what was seeded before this process
        started, waiting up to ``timeout`` seconds for it (at once once it has)."""
        if self.in_memory or self.start_heads.caught_up("catalogue"):
            return True
        view, name = self.view("catalogue"), self.catalogue.name
        return self.start_heads.wait("catalogue", lambda: view.position(name), timeout=timeout)

    def wait_for_projections(self, timeout: float = 30.0) -> None:
        """Block until every read model has applied everything recorded so far (at once in
        memory: no projection runs there)."""
        if self.in_memory:
            return
        for spec in RUNNING_PROJECTIONS:
            app = self.application(spec)
            head = app.recorder.max_notification_id()
            if head:
                self.view(spec.name).wait(app.name, head, timeout=timeout)

    def rebuild_projection(self, name: str, progress: Progress | None = None) -> RebuildReport:
        spec = projection_spec(name)
        return rebuild(
            name=name,
            app=self.application(spec),
            projection_class=spec.projection_class,
            live_view=self.view(name),
            make_datastore=self.make_datastore,
            progress=progress,
        )

    def make_datastore(self, schema: str) -> PostgresDatastore:
        db = self._postgres()
        return PostgresDatastore(
            dbname=db.dbname,
            host=db.host,
            port=db.port,
            user=db.user,
            password=db.password,
            schema=schema,
            pool_size=2,
            max_overflow=4,
        )

    def _postgres(self) -> DatabaseConfig:
        if self.database is None:
            raise RuntimeError("this container has no database (in-memory persistence)")
        return self.database

    def ddl(self) -> Any:
        return ddl_lock(self._postgres())

    def start_workers(self) -> None:
        if self.workers is not None:
            return
        if self.in_memory:
            raise RuntimeError("no background workers on in-memory persistence")
        supervised = background_work(
            runner_env=self.runner_env,
            ddl=self.ddl,
            jobs=self.jobs,
            settings=self.settings,
            clock=self.clock,
            catalogue=self.catalogue,
            feed_pull=self.feed_log.pull,
            webhooks_run=self.webhooks.run_once,
        )
        self.workers = Workers(supervised)
        self.workers.start()

    def stop_workers(self) -> None:
        if self.workers is not None:
            self.workers.stop()
            self.workers = None

    def close(self) -> None:
        self.stop_workers()
        self.idempotency.close()
        self.catalogue.close()
        self.cases.close()
        self.payments.close()
        self.staff.close()
        for datastore in {id(v.datastore): v.datastore for v in self._views.values()}.values():
            datastore.close()
        if self.embedded_data_dir is not None:
            release_embedded(self.embedded_data_dir)  # the last holder stops the server
            self.embedded_data_dir = None


def build_container(
    settings: Settings, *, clock: Clock | None = None, start_workers: bool = False
) -> Container:
    """The PostgreSQL composition root (``infrastructure.bootstrap.bootstrap``'s default)."""
    from infrastructure.bootstrap import bootstrap  # noqa: PLC0415 (it imports this module)

    return bootstrap(settings, clock=clock, start_workers=start_workers)
