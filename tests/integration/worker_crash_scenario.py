"""The worker-crash scenario of test_worker_crash.py: ``yagona worker`` as a real process,
a stream of cases and payments written from a thread, and the run that kills the worker
while it is behind and lets a second one catch up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast
from uuid import UUID

from application.principal import Principal
from domain.context import CommandContext
from domain.errors import ConcurrentModification
from infrastructure.container import Container
from infrastructure.database import DatabaseConfig
from infrastructure.payments.sandbox import SandboxProvider
from infrastructure.payments.webhooks import to_provider_event, verify
from tests.conftest import TEST_CIPHER_KEY, TEST_NOW
from tests.documents import uploads
from tests.e2e.cases import CITIZEN_A, CITIZEN_B, DISTRICT, service_example
from tests.integration.store_reading import quiescent, tracking_positions

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
