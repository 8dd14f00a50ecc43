"""The in-memory tier: the HTTP app over ``bootstrap(persistence="memory")``, with the
fakes of ``tests/fakes`` and a catalogue seeded through the application services, built
once per module. Nothing here may reach PostgreSQL: a connection attempt fails the test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from application.seeding import ReferenceData, seed
from domain.context import CommandContext
from infrastructure.bootstrap import Adapters, ReadModels, bootstrap
from infrastructure.container import Container
from infrastructure.reference_data import load_reference_data
from infrastructure.settings import Settings
from tests.conftest import TEST_CIPHER_KEY, TEST_NOW
from tests.fakes.adapters import (
    FixedClock,
    MemoryAccessLog,
    MemoryBlobStore,
    MemoryIntegratorStore,
    MemorySequences,
)
from tests.fakes.catalogue import CatalogueFromApplication
from tests.fakes.network import StubResolver
from tests.fakes.rate_limits import MemoryRateLimitStore
from tests.fakes.read_models import (
    MemoryCitizenApplications,
    MemoryDecisionsRegister,
    MemoryKpi,
    MemoryOfficerQueue,
    MemoryPaymentsLedger,
)
from tests.fakes.stand_ins import (
    EmptyAuditTrail,
    EmptyFeed,
    FakePaymentProvider,
    IntactChains,
    MemoryIdempotencyStore,
    MemoryNoticeOutbox,
    MemorySeals,
    MemoryWebhookStore,
    RecordingNotifier,
    RecordingSender,
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/memory/" in str(item.fspath):
            item.add_marker(pytest.mark.memory)


class PostgresTouched(AssertionError):
    pass


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise PostgresTouched("the in-memory tier tried to connect to PostgreSQL")


@pytest.fixture(scope="module", autouse=True)
def no_postgres() -> Iterator[None]:
    """Any psycopg connection (a pool's included) fails while this tier's tests run."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("YAGONA_TEST_DATABASE_URL", raising=False)
        patch.setattr(psycopg.Connection, "connect", classmethod(_refuse))
        patch.setattr(psycopg, "connect", _refuse)
        yield


@dataclass
class Memory:
    """The container and the fakes it was built with (tests look into them)."""

    container: Container
    clock: FixedClock
    blobs: MemoryBlobStore
    provider: FakePaymentProvider
    notifier: RecordingNotifier
    access_log: MemoryAccessLog
    officer_queue: MemoryOfficerQueue
    citizen_applications: MemoryCitizenApplications


@pytest.fixture(scope="session")
def reference() -> ReferenceData:
    return load_reference_data()


def memory_container(data_dir: Path, clock: FixedClock, **settings: Any) -> Memory:
    """``settings`` change the test settings (e.g. a rate limit)."""
    blobs, provider, notifier = MemoryBlobStore(), FakePaymentProvider(), RecordingNotifier()
    access_log = MemoryAccessLog(clock)
    queue, citizen_apps, ledger = (
        MemoryOfficerQueue(),
        MemoryCitizenApplications(),
        MemoryPaymentsLedger(),
    )
    trail = EmptyAuditTrail()
    catalogue_read = CatalogueFromApplication()  # the container's catalogue, once built
    read_models = ReadModels(
        catalogue=catalogue_read,
        citizen_applications=citizen_apps,
        officer_queue=queue,
        decisions_register=MemoryDecisionsRegister(),
        payments_ledger=ledger,
        kpi=MemoryKpi(),
    )
    adapters = Adapters(
        sequences=MemorySequences(),
        access_log=access_log,
        idempotency=MemoryIdempotencyStore(),
        integrators=MemoryIntegratorStore(),
        webhooks=MemoryWebhookStore(),
        webhook_sender=RecordingSender(),
        webhook_resolver=StubResolver(),
        feed=EmptyFeed(),
        seals=MemorySeals(),
        verifier=IntactChains(),
        archive=trail,
        audit_actions=trail,
        audit_members=trail,
        due_work=queue,
        unpaid=ledger,
        outbox=MemoryNoticeOutbox(),
        rate_limits=MemoryRateLimitStore(),
    )
    configured = Settings(data_dir=data_dir, cipher_key=TEST_CIPHER_KEY, **settings)  # type: ignore[arg-type]
    container = bootstrap(
        configured,
        persistence="memory",
        clock=clock,
        blobs=blobs,
        provider=provider,
        notifier=notifier,
        read_models=read_models,
        adapters=adapters,
    )
    catalogue_read.attach(container.catalogue)
    return Memory(container, clock, blobs, provider, notifier, access_log, queue, citizen_apps)


@pytest.fixture(scope="module")
def memory(
    no_postgres: None, reference: ReferenceData, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Memory]:
    built = memory_container(tmp_path_factory.mktemp("memory"), FixedClock(TEST_NOW))
    assert built.container.database is None
    ctx = CommandContext(actor="system:seed", role="system", correlation_id="memory")
    seed(built.container.catalogue, reference, ctx, today=TEST_NOW.date())
    yield built
    built.container.close()


@pytest.fixture(scope="module")
def container(memory: Memory) -> Container:
    return memory.container


@pytest.fixture(scope="module")
def client(memory: Memory) -> Iterator[TestClient]:
    with TestClient(create_app(memory.container)) as test_client:
        yield test_client
