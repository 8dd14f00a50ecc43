"""The one entry point clients use to get a composition root (cosmicpython's bootstrap):
``bootstrap(settings)`` wires PostgreSQL and the production adapters; with
``persistence="memory"`` it wires eventsourcing's in-memory (POPO) persistence and takes
every adapter and read model from the caller (the fakes in ``tests/fakes``), refusing a
missing one, so HTTP tests of routing, validation and authorization run without a database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import timedelta
from uuid import UUID

from application.audit import ActionsPort, Audit, EventArchivePort, MembersPort
from application.cases import CaseDependencies, Cases
from application.catalogue import Catalogue
from application.feed import Feed
from application.integrators import IntegratorClient, Integrators, IntegratorStore
from application.jobs import Jobs
from application.payments import PaymentDependencies, Payments
from application.ports import (
    AccessRecords,
    BlobStore,
    Clock,
    DueWork,
    NoticeOutbox,
    Notifier,
    NumberSequence,
    PaymentProvider,
    UnpaidPayments,
)
from application.rate_limits import RateLimitStore
from application.staff_directory import StaffDirectory
from application.webhooks import Resolver, Sender, WebhookStore
from infrastructure.audit import (
    AuditSeals,
    ChainChecks,
    VerificationReport,
)
from infrastructure.blob_migration import MigrationReport, blob_files, migrate_blobs
from infrastructure.blobs import blob_store
from infrastructure.calendar_source import PackageHolidaySource
from infrastructure.clock import SystemClock
from infrastructure.container import Container, Persistence, ReadModels, build_container
from infrastructure.database import DatabaseUnavailable, ping
from infrastructure.embedded_postgres import embedded_initialised
from infrastructure.export_signing import ed25519_check, export_signer
from infrastructure.feed import FeedLogPort
from infrastructure.idempotency import RequestKeys, StoredResponse
from infrastructure.keys import (
    cipher_key,
    derived_secret,
    key_file,
    key_in_file,
    new_key,
    pseudonym_key,
)
from infrastructure.kpi_targets import load_kpi_targets
from infrastructure.logging import configure_logging
from infrastructure.postgres_root import postgres_container
from infrastructure.reference_data import load_reference_data
from infrastructure.result_renderer import DocumentRenderer
from infrastructure.settings import Settings, UnsafeConfiguration, check_production_safety
from infrastructure.tokens import IdentityRefused, InvalidToken, TokenService
from infrastructure.wiring import (
    case_services,
    rate_limits_service,
    token_service,
    webhooks_service,
)
from infrastructure.workers import PROJECTIONS

# Everything the clients (api/: the HTTP app and the CLI) take from infrastructure: they
# import this module only (an import-linter contract keeps api from any other of it).
__all__ = [
    "PROJECTIONS",
    "Adapters",
    "Container",
    "DatabaseUnavailable",
    "IdentityRefused",
    "InvalidToken",
    "MigrationReport",
    "MissingAdapter",
    "PackageHolidaySource",
    "ReadModels",
    "RequestKeys",
    "Settings",
    "StoredResponse",
    "SystemClock",
    "TokenService",
    "UnsafeConfiguration",
    "VerificationReport",
    "blob_files",
    "blob_store",
    "bootstrap",
    "build_container",
    "check_production_safety",
    "configure_logging",
    "ed25519_check",
    "embedded_initialised",
    "export_signer",
    "key_file",
    "key_in_file",
    "load_reference_data",
    "memory_env",
    "migrate_blobs",
    "new_key",
    "ping",
]


class MissingAdapter(ValueError):
    """In-memory persistence was asked for without an adapter it needs."""


@dataclass(frozen=True)
class Adapters:
    """The adapters the in-memory composition root takes besides the clock, the blob store,
    the payment provider and the notifier (``tests/fakes`` has one of each)."""

    sequences: NumberSequence
    access_log: AccessRecords
    idempotency: RequestKeys
    integrators: IntegratorStore
    webhooks: WebhookStore
    webhook_sender: Sender
    webhook_resolver: Resolver
    feed: FeedLogPort
    seals: AuditSeals
    verifier: ChainChecks
    archive: EventArchivePort
    audit_actions: ActionsPort
    audit_members: MembersPort
    # What the jobs read (in memory: the same stand-ins as the read models, as a rule).
    due_work: DueWork
    unpaid: UnpaidPayments
    outbox: NoticeOutbox
    rate_limits: RateLimitStore


def memory_env(key: str) -> dict[str, str]:
    """eventsourcing's in-memory persistence, with the cipher the cases' and payments'
    events are encrypted with in production (so what is stored is what PostgreSQL holds)."""
    return (
        {"PERSISTENCE_MODULE": "eventsourcing.popo"}
        | {"CASES_CIPHER_TOPIC": "eventsourcing.cipher:AESCipher", "CASES_CIPHER_KEY": key}
        | {"PAYMENTS_CIPHER_TOPIC": "eventsourcing.cipher:AESCipher", "PAYMENTS_CIPHER_KEY": key}
        | {"STAFF_CIPHER_TOPIC": "eventsourcing.cipher:AESCipher", "STAFF_CIPHER_KEY": key}
    )


def bootstrap(
    settings: Settings,
    *,
    persistence: Persistence = "postgres",
    clock: Clock | None = None,
    blobs: BlobStore | None = None,
    provider: PaymentProvider | None = None,
    notifier: Notifier | None = None,
    read_models: ReadModels | None = None,
    adapters: Adapters | None = None,
    start_workers: bool = False,
) -> Container:
    """The composition root. ``"postgres"``: the configured database (or the embedded
    server), the production adapters (those given replace them) and the projections' views.
    ``"memory"``: no database and no workers; every adapter and read model from the caller."""
    if persistence == "postgres":
        if read_models is not None or adapters is not None:
            raise ValueError("on PostgreSQL the read models and adapters are the real ones")
        return postgres_container(
            settings,
            clock=clock,
            blobs=blobs,
            provider=provider,
            notifier=notifier,
            start_workers=start_workers,
        )
    if persistence != "memory":
        raise ValueError(f"persistence is 'postgres' or 'memory', not {persistence!r}")
    if start_workers:
        raise ValueError("no background workers on in-memory persistence")
    if settings.is_production:
        raise ValueError("in-memory persistence is for tests, never production")
    given = {
        "blobs": blobs,
        "provider": provider,
        "notifier": notifier,
        "read_models": read_models,
        "adapters": adapters,
    }
    if blobs is None or provider is None or notifier is None or not read_models or not adapters:
        missing = ", ".join(name for name, value in given.items() if value is None)
        raise MissingAdapter(
            "persistence='memory' takes its adapters from the caller (tests/fakes has "
            f"in-memory ones); missing: {missing}"
        )
    unset = [f.name for f in fields(adapters) if getattr(adapters, f.name) is None]
    if unset:
        raise MissingAdapter(f"persistence='memory': adapters missing: {', '.join(unset)}")
    return _memory_container(
        settings,
        clock=clock or SystemClock(),
        blobs=blobs,
        provider=provider,
        notifier=notifier,
        read_models=read_models,
        adapters=adapters,
    )


def _client_finder(store: IntegratorStore) -> Callable[[str], IntegratorClient | None]:
    def find(client_id: str) -> IntegratorClient | None:
        try:
            return store.get(UUID(client_id))
        except ValueError:
            return None

    return find


def _memory_container(
    settings: Settings,
    *,
    clock: Clock,
    blobs: BlobStore,
    provider: PaymentProvider,
    notifier: Notifier,
    read_models: ReadModels,
    adapters: Adapters,
) -> Container:
    key = cipher_key(settings)
    env = memory_env(key)
    catalogue = Catalogue(env=env)
    cases = Cases(
        env=env,
        deps=CaseDependencies(
            catalogue=catalogue, access_log=adapters.access_log, pseudonym_key=pseudonym_key(key)
        ),
    )
    payments = Payments(
        env=env, deps=PaymentDependencies(cases=cases, provider=provider, clock=clock)
    )
    services = case_services(
        cases,
        catalogue=catalogue,
        clock=clock,
        sequences=adapters.sequences,
        blobs=blobs,
        renderer=DocumentRenderer(settings.public_base_url),
    )
    jobs = Jobs(
        cases,
        appeals=services.appeals,
        inter_agency=services.inter_agency,
        payments=payments,
        directory=catalogue,
        clock=clock,
        due_work=adapters.due_work,
        unpaid=adapters.unpaid,
        outbox=adapters.outbox,
        notifier=notifier,
        sealer=adapters.seals,
        request_keys=adapters.idempotency,
        payment_expiry=timedelta(minutes=settings.payment_expiry_minutes),
        request_key_ttl=timedelta(hours=settings.idempotency_ttl_hours),
    )
    audit = Audit(
        cases=cases,
        payments=payments,
        archive=adapters.archive,
        verifier=adapters.verifier,
        access=adapters.access_log,
        actions=adapters.audit_actions,
        members=adapters.audit_members,
        cases_of_citizen=read_models.citizen_applications.ids_for_applicant,
    )
    staff = StaffDirectory(env=env, agencies=catalogue, clock=clock)
    tokens = token_service(settings, clock, staff)
    container = Container(
        settings=settings,
        database=None,
        env=env,
        runner_env=env,
        clock=clock,
        catalogue=catalogue,
        cases=cases,
        submissions=services.submissions,
        handling=services.handling,
        decisions=services.decisions,
        jobs=jobs,
        payments=payments,
        provider=provider,
        webhook_secret=derived_secret(key, "sandbox-callbacks"),
        tokens=tokens,
        idempotency=adapters.idempotency,
        access_log=adapters.access_log,
        seals=adapters.seals,
        verifier=adapters.verifier,
        audit=audit,
        appeals=services.appeals,
        notifier=notifier,
        inter_agency=services.inter_agency,
        integrators=Integrators(adapters.integrators, clock),
        staff=staff,
        feed_log=adapters.feed,
        feed=Feed(adapters.feed),
        webhooks=webhooks_service(
            settings,
            key,
            store=adapters.webhooks,
            feed=adapters.feed,
            sender=adapters.webhook_sender,
            resolver=adapters.webhook_resolver,
            clock=clock,
            client_of=_client_finder(adapters.integrators),
        ),
        kpi_targets=load_kpi_targets(),
        rate_limits=rate_limits_service(settings, key, adapters.rate_limits, clock),
        persistence="memory",
        memory_read_models=read_models,
    )
    container.record_start_heads()
    return container
