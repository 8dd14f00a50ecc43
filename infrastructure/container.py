"""The composition root: the one place that wires adapters into the use cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

import structlog
from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.projection import Projection
from eventsourcing.utils import get_topic

from application.appeals import Appeals
from application.audit import Audit
from application.cases import CaseDependencies, Cases
from application.catalogue import Catalogue
from application.feed import Feed
from application.integrators import Integrators
from application.inter_agency import InterAgency
from application.payment_policies import CasesFollowPayments, PaymentsFollowCases
from application.payments import PaymentDependencies, Payments
from application.ports import Clock, Notifier, PaymentProvider
from application.provider_notifications import ProviderNotifications, SandboxCheckout
from application.queries.services import QueryServices
from application.webhooks import Webhooks
from domain.calendar import HolidayCalendar
from domain.context import CommandContext
from domain.kpi import TargetTable
from domain.payment import Payment
from infrastructure.access_log import PostgresAccessLog
from infrastructure.audit import ChainVerifier, EventArchive, Seals
from infrastructure.blobs import LocalBlobStore
from infrastructure.clock import SystemClock
from infrastructure.database import (
    DatabaseConfig,
    ddl_lock,
    ensure_database,
    ensure_schema,
    ping,
)
from infrastructure.embedded_postgres import release_embedded, start_embedded
from infrastructure.event_store import recorder_env
from infrastructure.feed import FeedLog
from infrastructure.idempotency import IdempotencyStore, Presence
from infrastructure.integrators import PostgresIntegratorStore
from infrastructure.keys import cipher_key, derived_secret, pseudonym_key
from infrastructure.kpi_targets import load_kpi_targets
from infrastructure.notifier import LogNotifier
from infrastructure.payments.sandbox import SandboxProvider
from infrastructure.payments.stripe_provider import StripeProvider
from infrastructure.pool_backoff import cap_reconnect_backoff
from infrastructure.query_services import (
    build_notifications,
    build_queries,
    build_sandbox_checkout,
)
from infrastructure.readiness import StartHeads
from infrastructure.result_renderer import DocumentRenderer
from infrastructure.sequences import PostgresSequences
from infrastructure.settings import Settings, check_production_safety
from infrastructure.tokens import TokenService
from infrastructure.webhooks import HttpSender, PostgresWebhookStore, secret_deriver
from infrastructure.workers import (
    RUNNING_PROJECTIONS,
    ProjectionSpec,
    Supervised,
    Workers,
    periodic_job,
    policy_worker,
    polling_job,
    projection_spec,
    projection_worker,
)
from projections.audit_actions import AuditActionsView
from projections.catalogue import CatalogueView
from projections.citizen_applications import CitizenApplicationsView
from projections.decisions_register import DecisionsRegisterView
from projections.kpi import KpiView
from projections.notifications import NotificationsView
from projections.officer_queue import OfficerQueueView
from projections.payments_ledger import PaymentsLedgerView
from projections.rebuild import Progress, RebuildReport, rebuild
from projections.tracked_view import TrackedView

log = structlog.get_logger(__name__)
SYSTEM = CommandContext(actor="system:worker", role="system", correlation_id="worker")


def resolve_database(settings: Settings) -> DatabaseConfig:
    """The configured PostgreSQL, or the embedded server under the data folder."""
    if settings.database_url:
        config = DatabaseConfig.from_url(settings.database_url, schema=settings.db_schema)
        ensure_database(config)
    else:
        config = start_embedded(settings.data_dir, schema=settings.db_schema)
    return config


def application_env(
    database: DatabaseConfig, key: str, *, pool_size: int, max_overflow: int
) -> dict[str, str]:
    """eventsourcing's environment: PostgreSQL, Yagona's recorders, and the cipher that
    encrypts the cases' and the payments' events (personal data, actors' PINFLs) at rest."""
    return (
        database.eventsourcing_env(pool_size=pool_size, max_overflow=max_overflow)
        | recorder_env()
        | {"CASES_CIPHER_TOPIC": "eventsourcing.cipher:AESCipher", "CASES_CIPHER_KEY": key}
        | {"PAYMENTS_CIPHER_TOPIC": "eventsourcing.cipher:AESCipher", "PAYMENTS_CIPHER_KEY": key}
    )


# Each background runner has an application and a view of its own: keep their pools small
# (one connection held by the LISTEN subscription, one for reads and writes).
RUNNER_POOL = {"pool_size": 1, "max_overflow": 1}


@dataclass
class Container:
    settings: Settings
    database: DatabaseConfig
    env: dict[str, str]
    runner_env: dict[str, str]
    clock: Clock
    catalogue: Catalogue
    cases: Cases
    payments: Payments
    provider: PaymentProvider
    webhook_secret: str
    tokens: TokenService
    idempotency: IdempotencyStore
    access_log: PostgresAccessLog
    seals: Seals
    verifier: ChainVerifier
    audit: Audit
    appeals: Appeals
    notifier: Notifier
    inter_agency: InterAgency
    integrators: Integrators
    feed_log: FeedLog
    feed: Feed
    webhooks: Webhooks
    kpi_targets: TargetTable
    workers: Workers | None = None
    _views: dict[str, TrackedView] = field(default_factory=dict)
    # Each read model's application head when this process started (see readiness.py).
    start_heads: StartHeads = field(default_factory=lambda: StartHeads({}))
    # The data folder of the embedded server this container holds, if it uses one.
    embedded_data_dir: Path | None = None

    @cached_property
    def queries(self) -> QueryServices:
        """Every query service, reading the views below."""
        return build_queries(self)

    @cached_property
    def notifications(self) -> ProviderNotifications:
        """The configured payment provider's notifications, applied to the payments."""
        return build_notifications(self)

    @cached_property
    def sandbox_checkout(self) -> SandboxCheckout:
        """The offline sandbox's checkout (answers not found unless it is the provider)."""
        return build_sandbox_checkout(self)

    # --- read models --------------------------------------------------------------------

    def view(self, name: str) -> TrackedView:
        if name in self._views:
            return self._views[name]
        return self._views[projection_spec(name).name]

    @property
    def catalogue_view(self) -> CatalogueView:
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
        if self.start_heads.caught_up("catalogue"):
            return True
        view, name = self.view("catalogue"), self.catalogue.name
        return self.start_heads.wait("catalogue", lambda: view.position(name), timeout=timeout)

    def wait_for_projections(self, timeout: float = 30.0) -> None:
        """Block until every read model has applied everything recorded so far."""
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
        db = self.database
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

    # --- background work ----------------------------------------------------------------

    def check_deadlines(self) -> int:
        """Record breaches of legal terms (and escalations) of applications, appeals and
        inter-agency requests; the number recorded."""
        checks = {
            "application": self.cases.check_deadline,
            "appeal": self.appeals.check_deadline,
            "inter_agency_request": self.inter_agency.check_deadline,
        }
        overdue = self.officer_queue.overdue_cases(self.clock.today())
        return sum(checks[kind](SYSTEM, case_id) for case_id, kind in overdue)

    def follow_calendar(self) -> int:
        """Move open cases' due dates after a change of the holiday calendar."""
        calendar = self.cases.working_calendar()
        return sum(
            self.cases.recompute_due_date(SYSTEM, case_id, calendar)
            for case_id in self.officer_queue.open_cases()
        )

    def expire_unpaid(self) -> int:
        """Expire payments not made in time; a policy then cancels their applications."""
        cutoff = self.clock.now() - timedelta(minutes=self.settings.payment_expiry_minutes)
        return sum(
            self.payments.expire(SYSTEM, payment_id, reason="not paid in time")
            for payment_id in self.payments_ledger.unpaid_before(cutoff)
        )

    def deliver_notifications(self) -> int:
        """Hand unsent notices to the notifier; each is marked sent once delivered."""
        view = self.view("notifications")
        assert isinstance(view, NotificationsView)
        sent = 0
        for notice in view.unsent():
            self.notifier.send(notice)
            view.mark_sent(notice.id, self.clock.now())
            sent += 1
        return sent

    def seal_audit_chains(self) -> int:
        """Seal the heads of the chains that grew since the last seal."""
        seal = self.seals.seal()
        return len(seal.heads) if seal else 0

    def purge_idempotency_keys(self) -> int:
        return self.idempotency.purge(timedelta(hours=self.settings.idempotency_ttl_hours))

    def ddl(self) -> Any:
        return ddl_lock(self.database)

    def start_workers(self) -> None:
        if self.workers is not None:
            return
        supervised: list[Supervised] = [
            projection_worker(spec, self.runner_env, self.ddl) for spec in RUNNING_PROJECTIONS
        ]
        supervised.append(
            projection_worker(
                ProjectionSpec(
                    "calendar_policy",
                    Catalogue,
                    calendar_policy(self.follow_calendar),
                    TrackedView,
                ),
                self.runner_env,
                self.ddl,
            )
        )
        bound: dict[str, Any] = {"clock": self.clock, "calendar_source": self.catalogue}
        supervised.append(
            policy_worker(
                "cases-follow-payments",
                Payments,
                CasesFollowPayments.bind(**bound),
                self.runner_env,
                self.ddl,
            )
        )
        supervised.append(
            policy_worker(
                "payments-follow-cases",
                Cases,
                PaymentsFollowCases.bind(**bound),
                self.runner_env,
                self.ddl,
            )
        )
        supervised.append(
            projection_worker(
                ProjectionSpec(
                    "refund_executor", Payments, refund_executor(self.payments), TrackedView
                ),
                self.runner_env,
                self.ddl,
            )
        )
        supervised.append(
            periodic_job("deadlines", self.settings.deadline_check_seconds, self.check_deadlines)
        )
        supervised.append(periodic_job("payment-expiry", 60, self.expire_unpaid))
        supervised.append(
            periodic_job("audit-seal", self.settings.audit_seal_seconds, self.seal_audit_chains)
        )
        supervised.append(periodic_job("idempotency-purge", 3600, self.purge_idempotency_keys))
        supervised.append(polling_job("feed", self.feed_log.pull))
        supervised.append(polling_job("notifications", self.deliver_notifications, idle=1.0))
        supervised.append(polling_job("webhooks", self.webhooks.run_once, idle=0.5))
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
        for datastore in {id(v.datastore): v.datastore for v in self._views.values()}.values():
            datastore.close()
        if self.embedded_data_dir is not None:
            release_embedded(self.embedded_data_dir)  # the last holder stops the server
            self.embedded_data_dir = None


def calendar_policy(on_change: Any) -> type[Projection[TrackedView]]:
    """A policy following the catalogue's holiday calendar: every declaration moves the due
    dates of open cases. Recomputing is idempotent, so a replay after a crash is harmless."""

    class CalendarPolicy(Projection[TrackedView]):
        name = "calendar_policy"
        topics = (
            get_topic(HolidayCalendar.HolidayDeclared),
            get_topic(HolidayCalendar.HolidayWithdrawn),
            get_topic(HolidayCalendar.WorkingWeekendDeclared),
        )

        def process_event(self, domain_event: Any, tracking: Tracking) -> None:
            moved = on_change()
            if moved:
                log.info("calendar.followed", cases_moved=moved)
            self.view.apply(tracking)

    return CalendarPolicy


def refund_executor(payments: Payments) -> type[Projection[TrackedView]]:
    """Carries out what the payments record: a requested refund is made at the provider
    (its idempotency key makes a repeat after a crash harmless) and an expired payment is
    cancelled there. At least once, and idempotent."""

    class RefundExecutor(Projection[TrackedView]):
        name = "refund_executor"
        topics = (get_topic(Payment.RefundRequested), get_topic(Payment.Expired))

        def process_event(self, domain_event: Any, tracking: Tracking) -> None:
            if isinstance(domain_event, Payment.RefundRequested):
                payments.execute_refund(SYSTEM, domain_event.originator_id)
            elif isinstance(domain_event, Payment.Expired):
                payments.cancel_at_provider(domain_event.originator_id)
            self.view.apply(tracking)

    return RefundExecutor


def payment_provider(
    settings: Settings, datastore: PostgresDatastore, key: str
) -> tuple[PaymentProvider, str]:
    """The configured provider and the secret its notifications are signed with."""
    if settings.payment_provider == "stripe":
        assert settings.stripe_api_key is not None
        assert settings.stripe_webhook_secret is not None
        provider = StripeProvider(
            settings.stripe_api_key.get_secret_value(), api_base=settings.stripe_api_base
        )
        return provider, settings.stripe_webhook_secret.get_secret_value()
    secret = derived_secret(key, "sandbox-callbacks")
    sandbox = SandboxProvider(datastore, public_base_url=settings.public_base_url, secret=secret)
    sandbox.create_table()
    return sandbox, secret


def make_views(database: DatabaseConfig, settings: Settings) -> dict[str, TrackedView]:
    """Every read model's view over its tables (created if missing), for queries; they
    share one connection pool. Their tracking tables are named as the runners name them."""
    datastore = PostgresDatastore(
        dbname=database.dbname,
        host=database.host,
        port=database.port,
        user=database.user,
        password=database.password,
        schema=database.schema,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pre_ping=True,
    )
    views = {}
    for spec in RUNNING_PROJECTIONS:
        view = spec.view_class(datastore, tracking_table_name=f"{spec.name}_tracking")
        view.create_table()
        views[spec.name] = view
    return views


AUDITED_STREAMS = ("Catalogue", "Cases", "Payments")  # every events table is chained


def build_container(
    settings: Settings, *, clock: Clock | None = None, start_workers: bool = False
) -> Container:
    check_production_safety(settings)
    cap_reconnect_backoff()  # recover within seconds of the database's return
    kpi_targets = load_kpi_targets()  # a malformed targets file stops the start
    database = resolve_database(settings)
    key = cipher_key(settings)
    env = application_env(
        database, key, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow
    )
    runner_env = application_env(database, key, **RUNNER_POOL)
    clock = clock or SystemClock()
    with ddl_lock(database):
        ensure_schema(database)
        catalogue = Catalogue(env=env)
        views = make_views(database, settings)
        shared = views["catalogue"].datastore
        access_log = PostgresAccessLog(shared)
        access_log.create_table()
        idempotency = IdempotencyStore(shared, presence=Presence(database))
        idempotency.create_table()
        provider, webhook_secret = payment_provider(settings, shared, key)
        seals = Seals(shared, AUDITED_STREAMS)
        seals.create_table()
        integrator_store = PostgresIntegratorStore(shared)
        integrator_store.create_table()
        webhook_store = PostgresWebhookStore(shared)
        webhook_store.create_table()
        catalogue_view = views["catalogue"]
        assert isinstance(catalogue_view, CatalogueView)
        cases = Cases(
            env=env,
            deps=CaseDependencies(
                catalogue=catalogue,
                directory=catalogue_view,
                clock=clock,
                sequences=PostgresSequences(shared),
                blobs=LocalBlobStore(settings.data_dir / "blobs"),
                renderer=DocumentRenderer(settings.public_base_url),
                access_log=access_log,
                pseudonym_key=pseudonym_key(key),
            ),
        )
    with ddl_lock(database):
        payments = Payments(
            env=env, deps=PaymentDependencies(cases=cases, provider=provider, clock=clock)
        )
    with ddl_lock(database):
        feed_log = FeedLog(shared, {"Catalogue": catalogue, "Cases": cases, "Payments": payments})
        feed_log.create_table()
    citizen_view = views["citizen_applications"]
    assert isinstance(citizen_view, CitizenApplicationsView)
    actions_view = views["audit_actions_cases"]
    assert isinstance(actions_view, AuditActionsView)
    verifier = ChainVerifier(shared, seals)
    audit = Audit(
        cases=cases,
        payments=payments,
        archive=EventArchive({"Cases": cases, "Payments": payments}),
        verifier=verifier,
        access=access_log,
        actions=actions_view,
        members=actions_view,
        cases_of_citizen=citizen_view.ids_for_applicant,
    )
    tokens = TokenService(
        settings.jwt_secret.get_secret_value(),
        issuer=settings.jwt_issuer,
        ttl_seconds=settings.token_ttl_seconds,
        clock=clock,
        jwks_url=settings.jwt_jwks_url,
        audience=settings.jwt_audience,
    )
    container = Container(
        settings=settings,
        database=database,
        env=env,
        runner_env=runner_env,
        clock=clock,
        catalogue=catalogue,
        cases=cases,
        payments=payments,
        provider=provider,
        webhook_secret=webhook_secret,
        tokens=tokens,
        idempotency=idempotency,
        access_log=access_log,
        seals=seals,
        verifier=verifier,
        audit=audit,
        appeals=Appeals(cases),
        notifier=LogNotifier(),
        inter_agency=InterAgency(cases),
        integrators=Integrators(integrator_store, clock),
        feed_log=feed_log,
        feed=Feed(feed_log),
        webhooks=Webhooks(
            store=webhook_store,
            feed=feed_log,
            sender=HttpSender(),
            clock=clock,
            secret_for=secret_deriver(derived_secret(key, "webhooks").encode()),
            client_of=integrator_store.find,
            require_https=settings.is_production,
        ),
        kpi_targets=kpi_targets,
        _views=views,
        embedded_data_dir=None if settings.database_url else settings.data_dir,
    )
    container.record_start_heads()
    if start_workers:
        container.start_workers()
    return container
