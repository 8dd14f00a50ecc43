"""The PostgreSQL composition root: the production adapters over one database (external or
embedded), wired into the use cases; ``infrastructure.bootstrap.bootstrap``'s default."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from application.audit import Audit
from application.cases import CaseDependencies, Cases
from application.catalogue import Catalogue
from application.feed import Feed
from application.integrators import Integrators
from application.payments import PaymentDependencies, Payments
from application.ports import BlobStore, Clock, Notifier, PaymentProvider
from application.staff_directory import StaffDirectory
from infrastructure.access_log import PostgresAccessLog
from infrastructure.audit import ChainVerifier, EventArchive, Seals
from infrastructure.blobs import EncryptedBlobStore
from infrastructure.clock import SystemClock
from infrastructure.container import Container
from infrastructure.database import ddl_lock, ensure_schema
from infrastructure.feed import FeedLog
from infrastructure.idempotency import IdempotencyStore, Presence
from infrastructure.integrators import PostgresIntegratorStore
from infrastructure.keys import cipher_key, pseudonym_key
from infrastructure.kpi_targets import load_kpi_targets
from infrastructure.notifier import LogNotifier
from infrastructure.pool_backoff import cap_reconnect_backoff
from infrastructure.rate_limits import PostgresRateLimitStore
from infrastructure.result_renderer import DocumentRenderer
from infrastructure.sequences import PostgresSequences
from infrastructure.settings import Settings, check_production_safety
from infrastructure.webhooks import (
    HttpSender,
    PostgresWebhookStore,
    SystemResolver,
)
from infrastructure.wiring import (
    AUDITED_STREAMS,
    RUNNER_POOL,
    application_env,
    build_jobs,
    case_services,
    make_views,
    payment_provider,
    rate_limits_service,
    resolve_database,
    token_service,
    webhooks_service,
)
from projections.audit_actions import AuditActionsView
from projections.citizen_applications import CitizenApplicationsView


@dataclass(frozen=True)
class _SharedStores:
    """The small tables beside the events, in the shared datastore, created if missing."""

    access_log: PostgresAccessLog
    idempotency: IdempotencyStore
    seals: Seals
    integrators: PostgresIntegratorStore
    webhooks: PostgresWebhookStore
    rate_limits: PostgresRateLimitStore

    @classmethod
    def created(cls, shared: Any, database: Any) -> _SharedStores:
        stores = cls(
            PostgresAccessLog(shared),
            IdempotencyStore(shared, presence=Presence(database)),
            Seals(shared, AUDITED_STREAMS),
            PostgresIntegratorStore(shared),
            PostgresWebhookStore(shared),
            PostgresRateLimitStore(shared),
        )
        for store in (
            stores.access_log,
            stores.idempotency,
            stores.seals,
            stores.integrators,
            stores.webhooks,
            stores.rate_limits,
        ):
            store.create_table()
        return stores


def postgres_container(
    settings: Settings,
    *,
    clock: Clock | None = None,
    blobs: BlobStore | None = None,
    provider: PaymentProvider | None = None,
    notifier: Notifier | None = None,
    start_workers: bool = False,
) -> Container:
    """PostgreSQL and the production adapters; ``blobs``, ``provider`` and ``notifier``
    replace the configured ones when given."""
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
        stores = _SharedStores.created(shared, database)
        access_log, idempotency, seals = stores.access_log, stores.idempotency, stores.seals
        configured, webhook_secret = payment_provider(settings, shared, key)
        provider = provider or configured
        cases = Cases(
            env=env,
            deps=CaseDependencies(
                catalogue=catalogue, access_log=access_log, pseudonym_key=pseudonym_key(key)
            ),
        )
    with ddl_lock(database):
        payments = Payments(
            env=env, deps=PaymentDependencies(cases=cases, provider=provider, clock=clock)
        )
    with ddl_lock(database):
        # One lookup per request with an identity provider: a small pool of its own.
        staff_env = application_env(
            database, key, pool_size=1, max_overflow=settings.db_max_overflow
        )
        staff = StaffDirectory(env=staff_env, agencies=catalogue, clock=clock)
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
    # Commands read the catalogue's own state (routing, agencies), never a read model.
    services = case_services(
        cases,
        catalogue=catalogue,
        clock=clock,
        sequences=PostgresSequences(shared),
        blobs=blobs or EncryptedBlobStore(settings.data_dir / "blobs", key),
        renderer=DocumentRenderer(settings.public_base_url),
    )
    notifier = notifier or LogNotifier()
    jobs = build_jobs(
        services,
        payments,
        views,
        notifier=notifier,
        sealer=seals,
        request_keys=idempotency,
        clock=clock,
        settings=settings,
    )
    tokens = token_service(settings, clock, staff)
    container = Container(
        settings=settings,
        database=database,
        env=env,
        runner_env=runner_env,
        clock=clock,
        catalogue=catalogue,
        cases=cases,
        submissions=services.submissions,
        handling=services.handling,
        decisions=services.decisions,
        jobs=jobs,
        payments=payments,
        provider=provider,
        webhook_secret=webhook_secret,
        tokens=tokens,
        idempotency=idempotency,
        access_log=access_log,
        seals=seals,
        verifier=verifier,
        audit=audit,
        appeals=services.appeals,
        notifier=notifier,
        inter_agency=services.inter_agency,
        integrators=Integrators(stores.integrators, clock),
        staff=staff,
        feed_log=feed_log,
        feed=Feed(feed_log),
        webhooks=webhooks_service(
            settings,
            key,
            store=stores.webhooks,
            feed=feed_log,
            sender=HttpSender(),
            resolver=SystemResolver(),
            clock=clock,
            client_of=stores.integrators.find,
        ),
        kpi_targets=kpi_targets,
        rate_limits=rate_limits_service(settings, key, stores.rate_limits, clock),
        _views=views,
        embedded_data_dir=None if settings.database_url else settings.data_dir,
    )
    container.record_start_heads()
    if start_workers:
        container.start_workers()
    return container
