"""The composition root's parts: where the database is, eventsourcing's environment, the payment
provider and the read models' views. ``infrastructure.container.build_container`` puts
them together."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from eventsourcing.postgres import PostgresDatastore

from application.appeals import Appeals
from application.cases import Cases
from application.catalogue import Catalogue
from application.decisions import Decisions
from application.integrators import IntegratorClient
from application.inter_agency import InterAgency
from application.jobs import Jobs
from application.officer_handling import OfficerHandling
from application.payment_policies import CasesFollowPayments, PaymentsFollowCases
from application.payments import Payments
from application.ports import (
    BlobStore,
    Clock,
    Notifier,
    NumberSequence,
    PaymentProvider,
    RequestKeyPurger,
    ResultRenderer,
    Sealer,
)
from application.rate_limits import RateLimits, RateLimitStore
from application.staff_directory import StaffDirectory
from application.submissions import Submissions
from application.webhooks import FeedReader, Resolver, Sender, Webhooks, WebhookStore
from infrastructure.database import DatabaseConfig, ensure_database
from infrastructure.embedded_postgres import start_embedded
from infrastructure.event_store import recorder_env
from infrastructure.keys import derived_secret
from infrastructure.payments.sandbox import SandboxProvider
from infrastructure.payments.stripe_provider import StripeProvider
from infrastructure.settings import Settings
from infrastructure.tokens import TokenService
from infrastructure.webhooks import secret_deriver
from infrastructure.workers import (
    RUNNING_PROJECTIONS,
    ProjectionSpec,
    Supervised,
    calendar_policy,
    periodic_job,
    policy_worker,
    polling_job,
    projection_worker,
    refund_executor,
)
from projections.notifications import NotificationsView
from projections.officer_queue import OfficerQueueView
from projections.payments_ledger import PaymentsLedgerView
from projections.tracked_view import TrackedView

AUDITED_STREAMS = ("Catalogue", "Cases", "Payments", "Staff")  # every events table is chained


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
        | {"STAFF_CIPHER_TOPIC": "eventsourcing.cipher:AESCipher", "STAFF_CIPHER_KEY": key}
    )


# Each background runner has an application and a view of its own: keep their pools small
# (one connection held by the LISTEN subscription, one for reads and writes).
RUNNER_POOL = {"pool_size": 1, "max_overflow": 1}


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


@dataclass(frozen=True)
class CaseServices:
    """The use cases over the case store, as the clients call them."""

    cases: Cases
    submissions: Submissions
    handling: OfficerHandling
    decisions: Decisions
    appeals: Appeals
    inter_agency: InterAgency


def case_services(
    cases: Cases,
    *,
    catalogue: Catalogue,
    clock: Clock,
    sequences: NumberSequence,
    blobs: BlobStore,
    renderer: ResultRenderer,
) -> CaseServices:
    """The case use cases; their agency directory is the catalogue's own state (what a
    command registered is routed to by the next one, whatever the read models know)."""
    attached: dict[str, Any] = {"directory": catalogue, "clock": clock, "sequences": sequences}
    return CaseServices(
        cases=cases,
        submissions=Submissions(cases, **attached, blobs=blobs),
        handling=OfficerHandling(cases, clock=clock),
        decisions=Decisions(
            cases, directory=catalogue, clock=clock, blobs=blobs, renderer=renderer
        ),
        appeals=Appeals(cases, **attached),
        inter_agency=InterAgency(cases, **attached, blobs=blobs),
    )


def build_jobs(
    services: CaseServices,
    payments: Payments,
    views: dict[str, TrackedView],
    *,
    notifier: Notifier,
    sealer: Sealer,
    request_keys: RequestKeyPurger,
    clock: Clock,
    settings: Settings,
) -> Jobs:
    """The system's jobs over the read models that say what is due."""
    queue, ledger, outbox = views["officer_queue"], views["payments_ledger"], views["notifications"]
    assert isinstance(queue, OfficerQueueView)
    assert isinstance(ledger, PaymentsLedgerView)
    assert isinstance(outbox, NotificationsView)
    return Jobs(
        services.cases,
        appeals=services.appeals,
        inter_agency=services.inter_agency,
        payments=payments,
        directory=services.cases.deps.catalogue,
        clock=clock,
        due_work=queue,
        unpaid=ledger,
        outbox=outbox,
        notifier=notifier,
        sealer=sealer,
        request_keys=request_keys,
        payment_expiry=timedelta(minutes=settings.payment_expiry_minutes),
        request_key_ttl=timedelta(hours=settings.idempotency_ttl_hours),
    )


def background_work(
    *,
    runner_env: dict[str, str],
    ddl: Any,
    jobs: Jobs,
    settings: Settings,
    clock: Clock,
    catalogue: Catalogue,
    feed_pull: Callable[[], int],
    webhooks_run: Callable[[], int],
) -> list[Supervised]:
    """Every background runner and job, as the workers supervise them: the read models,
    the process policies, and the jobs (``application.jobs``) on their schedules."""
    supervised: list[Supervised] = [
        projection_worker(spec, runner_env, ddl) for spec in RUNNING_PROJECTIONS
    ]
    calendar = calendar_policy(jobs.follow_calendar)
    supervised.append(
        projection_worker(
            ProjectionSpec("calendar_policy", Catalogue, calendar, TrackedView), runner_env, ddl
        )
    )
    bound: dict[str, Any] = {"clock": clock, "calendar_source": catalogue}
    supervised.append(
        policy_worker(
            "cases-follow-payments", Payments, CasesFollowPayments.bind(**bound), runner_env, ddl
        )
    )
    supervised.append(
        policy_worker(
            "payments-follow-cases", Cases, PaymentsFollowCases.bind(**bound), runner_env, ddl
        )
    )
    executor = refund_executor(jobs.carry_out_at_provider)
    supervised.append(
        projection_worker(
            ProjectionSpec("refund_executor", Payments, executor, TrackedView), runner_env, ddl
        )
    )
    supervised.append(
        periodic_job("deadlines", settings.deadline_check_seconds, jobs.check_deadlines)
    )
    supervised.append(periodic_job("payment-expiry", 60, jobs.expire_unpaid))
    supervised.append(
        periodic_job("audit-seal", settings.audit_seal_seconds, jobs.seal_audit_chains)
    )
    supervised.append(periodic_job("idempotency-purge", 3600, jobs.purge_idempotency_keys))
    supervised.append(polling_job("feed", feed_pull))
    supervised.append(polling_job("notifications", jobs.deliver_notifications, idle=1.0))
    supervised.append(polling_job("webhooks", webhooks_run, idle=0.5))
    return supervised


def rate_limits_service(
    settings: Settings, key: str, store: RateLimitStore, clock: Clock
) -> RateLimits:
    """The rate limits the settings configure, counted in ``store``; values are hashed
    with a key derived from the cipher key before they are stored."""
    hashing_key = derived_secret(key, "rate-limits").encode()
    return RateLimits(settings.rate_limit_policies, store, clock, hashing_key)


def token_service(settings: Settings, clock: Clock, staff: StaffDirectory) -> TokenService:
    """Bearer tokens as the settings configure them: local HS256, or an identity
    provider's JWKS, whose callers' roles the staff directory gives (local tokens then
    only where the settings allow them, never in production)."""
    return TokenService(
        settings.jwt_secret.get_secret_value(),
        issuer=settings.jwt_issuer,
        ttl_seconds=settings.token_ttl_seconds,
        clock=clock,
        jwks_url=settings.jwt_jwks_url,
        audience=settings.jwt_audience,
        max_staff_seconds=settings.token_max_lifetime_staff_seconds,
        max_citizen_seconds=settings.token_max_lifetime_citizen_seconds,
        resolve=staff.resolve,
        allow_local_tokens=settings.local_tokens_allowed,
    )


def webhooks_service(
    settings: Settings,
    key: str,
    *,
    store: WebhookStore,
    feed: FeedReader,
    sender: Sender,
    resolver: Resolver,
    clock: Clock,
    client_of: Callable[[str], IntegratorClient | None],
) -> Webhooks:
    """Webhook subscriptions and deliveries: signed with secrets derived from the key, to
    public receivers only (loopback where the settings allow it, never in production)."""
    return Webhooks(
        store=store,
        feed=feed,
        sender=sender,
        clock=clock,
        secret_for=secret_deriver(derived_secret(key, "webhooks").encode()),
        client_of=client_of,
        require_https=settings.is_production,
        resolver=resolver,
        allow_loopback=settings.webhooks_to_loopback,
    )
