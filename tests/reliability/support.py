"""Shared machinery of the fault-tolerance tests: ``yagona serve`` / ``yagona worker`` as
real processes over a test schema, client threads writing over HTTP (each write retried
with its ``Idempotency-Key`` until acknowledged), and the checks that follow a fault:
every acknowledged write is in the event store, and every read model equals a rebuild.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import requests
from psycopg import sql

from application.principal import Principal
from application.seeding import seed
from domain.appeal import Appeal
from domain.ids import natural_id
from domain.payment import Payment
from domain.service_application import ServiceApplication
from infrastructure.container import Container, build_container
from infrastructure.database import DatabaseConfig
from infrastructure.reference_data import load_reference_data
from infrastructure.workers import PROJECTIONS
from tests.conftest import TEST_CIPHER_KEY, settings_for
from tests.documents import attachments
from tests.e2e.cases import CITIZEN_A, CITIZEN_B, DISTRICT, service_example
from tests.integration.live import ADMIN
from tests.integration.store_reading import decoded, quiescent, snapshot

YAGONA = str(Path(sys.executable).parent / "yagona")
PROBLEM_JSON = "application/problem+json"
CITIZENS = (CITIZEN_A, CITIZEN_B)
OFFICER = Principal("officer-rel", "officer", agency=f"justice-{DISTRICT}")
FREE, PAID = "birth-registration", "marriage-registration"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def until(check: Callable[[], Any], timeout: float, what: str, interval: float = 0.1) -> Any:
    """``check()``'s first truthy result, polling; fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, f"{what}: not within {timeout}s"
        time.sleep(interval)


# --- the processes --------------------------------------------------------------------------


class YagonaProcess:
    """``yagona serve`` or ``yagona worker`` in a subprocess, its output in a file."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.args = args
        self.log_path = log_path
        with log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [YAGONA, *args], env=env, stdout=log, stderr=subprocess.STDOUT
            )

    def output(self, tail: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-tail:]

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown hook, no flush, connections dropped mid-transaction."""
        if self.alive():
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def terminate(self, timeout: float = 60) -> int:
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise


@dataclass
class System:
    """A seeded schema, a container over it in this process (for tokens and for reading the
    store), and the ``yagona`` processes serving it."""

    container: Container
    data_dir: Path
    port: int = field(default_factory=free_port)
    processes: list[YagonaProcess] = field(default_factory=list)
    api: YagonaProcess | None = None
    worker: YagonaProcess | None = None
    starts: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        settings = self.container.settings
        assert settings.database_url is not None
        return {
            "PATH": os.environ.get("PATH", ""),
            "YAGONA_DATABASE_URL": settings.database_url,
            "YAGONA_DB_SCHEMA": settings.db_schema,
            "YAGONA_DATA_DIR": str(self.data_dir),
            "YAGONA_CIPHER_KEY": TEST_CIPHER_KEY,
            "YAGONA_LOG_LEVEL": "WARNING",
            "YAGONA_LOG_FORMAT": "json",
            "YAGONA_PAYMENT_PROVIDER": "sandbox",
            "YAGONA_PUBLIC_BASE_URL": self.base_url,
            "YAGONA_DEADLINE_CHECK_SECONDS": "3600",
        }

    def _start(self, args: list[str], label: str, **env: str) -> YagonaProcess:
        self.starts += 1
        log_path = self.data_dir / f"{label}-{self.starts}.log"
        process = YagonaProcess(args, self.env() | env, log_path)
        self.processes.append(process)
        return process

    def start_api(self, *, worker: bool = True, timeout: float = 120) -> YagonaProcess:
        args = ["serve", "--port", str(self.port)] + ([] if worker else ["--no-worker"])
        self.api = self._start(args, "serve")
        self.wait_ready(timeout)
        return self.api

    def start_worker(self, timeout: float = 120) -> YagonaProcess:
        """``yagona worker``, once it has started every runner (it logs ``worker.started``
        at INFO; a worker exits if the database is gone while it starts)."""
        worker = self.worker = self._start(["worker"], "worker", YAGONA_LOG_LEVEL="INFO")

        def started() -> bool:
            assert worker.alive(), f"yagona worker exited:\n{worker.output()}"
            return "worker.started" in worker.output(tail=10**7)

        until(started, timeout, "yagona worker to start", interval=0.2)
        return worker

    def wait_ready(self, timeout: float = 120) -> None:
        api = self.api
        assert api is not None

        def ready() -> bool:
            assert api.alive(), f"yagona serve exited:\n{api.output()}"
            try:
                return requests.get(f"{self.base_url}/readyz", timeout=5).status_code == 200
            except requests.RequestException:
                return False

        until(ready, timeout, "yagona serve to answer /readyz", interval=0.2)

    def wait_quiescent(self, timeout: float = 120) -> None:
        """Every read model applied everything and every policy reacted (a worker runs)."""

        def done() -> bool:
            for process in (self.api, self.worker):
                if process is not None:
                    assert process.alive(), f"{process.args} exited:\n{process.output()}"
            return quiescent(self.container)

        until(done, timeout, "the read models to catch up", interval=0.25)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.alive():
                process.kill()


@contextmanager
def seeded_system(database: DatabaseConfig, data_dir: Path, prefix: str) -> Iterator[System]:
    """A fresh seeded schema (dropped afterwards with its rebuilds' shadow schemas); every
    process started on it is killed at the end."""
    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    data_dir.mkdir(parents=True, exist_ok=True)
    container = build_container(settings_for(database, schema, data_dir))
    system = System(container, data_dir)
    try:
        seed(container.catalogue, load_reference_data(), ADMIN, today=container.clock.today())
        # Every read model current before any process starts: routing reads the catalogue,
        # and an API is not ready while a read model is short of what preceded its start.
        container.start_workers()
        container.wait_for_projections(timeout=120)
        container.stop_workers()
        yield system
    finally:
        system.stop_all()
        container.close()
        shadows = [f"{schema}_rebuild_{spec.name}"[:63] for spec in PROJECTIONS]
        try:
            with database.connect() as conn:
                for name in (schema, *shadows):
                    conn.execute(
                        sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name))
                    )
        except Exception:  # noqa: S110 - a private server may already be gone
            pass


# --- the clients ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """One HTTP exchange as a client saw it (no body: bodies may carry personal data)."""

    at: float
    method: str
    route: str
    status: int | None  # None: no response (connection refused or reset, timeout)
    content_type: str
    problem_status: int | None
    elapsed: float


@dataclass
class Ledger:
    """What the clients were told: every acknowledged write, and every exchange."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    acknowledged: dict[str, list[str]] = field(default_factory=dict)
    submission_keys: dict[str, str] = field(default_factory=dict)  # key -> citizen
    keys: Counter[str] = field(default_factory=Counter)  # idempotency keys used, per route
    unacknowledged: Counter[str] = field(default_factory=Counter)
    seen: list[Seen] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)

    def ack(self, kind: str, ident: str) -> None:
        with self.lock:
            self.acknowledged.setdefault(kind, []).append(ident)

    def count(self, kind: str) -> int:
        with self.lock:
            return len(self.acknowledged.get(kind, []))

    def total(self) -> int:
        with self.lock:
            return sum(len(v) for v in self.acknowledged.values())

    def record(self, seen: Seen) -> None:
        with self.lock:
            self.seen.append(seen)

    def since(self, start: float) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.at >= start]


RETRYABLE = {502, 503, 504}


class Client:
    """One citizen's (and the officer's) writes from a thread. Each write carries an
    ``Idempotency-Key`` and is retried with it, as a careful client would, after a
    connection error, a 503 or an "in progress" 409, until it is answered or
    ``retry_for`` seconds pass."""

    def __init__(
        self,
        system: System,
        ledger: Ledger,
        citizen: str,
        *,
        request_timeout: float = 15.0,
        retry_for: float = 60.0,
    ) -> None:
        self.system = system
        self.ledger = ledger
        self.citizen = citizen
        self.request_timeout = request_timeout
        self.retry_for = retry_for
        self.session = requests.Session()
        tokens = system.container.tokens
        self.auth = {
            "citizen": f"Bearer {tokens.mint(Principal(citizen, 'citizen'), ttl_seconds=7200)}",
            "officer": f"Bearer {tokens.mint(OFFICER, ttl_seconds=7200)}",
        }

    def once(
        self, method: str, path: str, route: str, as_: str | None, **kwargs: Any
    ) -> requests.Response | None:
        headers = dict(kwargs.pop("headers", {}))
        if as_ is not None:
            headers["Authorization"] = self.auth[as_]
        started = time.monotonic()
        try:
            response = self.session.request(
                method,
                self.system.base_url + path,
                headers=headers,
                timeout=self.request_timeout,
                **kwargs,
            )
        except requests.RequestException:
            self.session.close()  # drop pooled connections to a dead server
            self.ledger.record(
                Seen(started, method, route, None, "", None, time.monotonic() - started)
            )
            return None
        content_type = response.headers.get("content-type", "")
        problem = None
        if content_type.startswith(PROBLEM_JSON):
            try:
                problem = int(response.json().get("status"))
            except (ValueError, TypeError, AttributeError):
                problem = -1
        self.ledger.record(
            Seen(
                started,
                method,
                route,
                response.status_code,
                content_type,
                problem,
                time.monotonic() - started,
            )
        )
        return response

    def write(
        self, path: str, route: str, as_: str, body: dict[str, Any] | None = None
    ) -> requests.Response | None:
        """POST until answered (anything but no answer, a 5xx or an in-progress 409)."""
        key = uuid.uuid4().hex
        with self.ledger.lock:
            self.ledger.keys[route] += 1
            if route == "submit":
                self.ledger.submission_keys[key] = self.citizen
        deadline = time.monotonic() + self.retry_for
        while time.monotonic() < deadline:
            response = self.once(
                "POST", path, route, as_, json=body or {}, headers={"Idempotency-Key": key}
            )
            if response is not None and not _retry(response):
                return response
            time.sleep(0.1 + random.random() * 0.2)  # noqa: S311 - jitter
        with self.ledger.lock:
            self.ledger.unacknowledged[route] += 1
        return None

    def read(self, path: str, route: str, as_: str | None) -> requests.Response | None:
        return self.once("GET", path, route, as_)

    # --- the scenario of one round ------------------------------------------------------

    def submit(self, code: str) -> str | None:
        body: dict[str, Any] = {
            "service_code": code,
            "territory": DISTRICT,
            "form": service_example(code),
            "language": "ru",
            "attachments": attachments(code),
        }
        response = self.write("/v1/applications", "submit", "citizen", body)
        if response is None or response.status_code != 201:
            self._unexpected("submit", response)
            return None
        key = str(response.json()["id"])
        self.ledger.ack("application", key)
        return key

    def decide(self, key: str) -> None:
        accepted = self.write(f"/v1/applications/{key}/acceptance", "accept", "officer")
        if accepted is None:
            return
        # A 409 here can be a retry whose first attempt was accepted before a crash.
        if accepted.status_code not in (200, 409):
            self._unexpected("accept", accepted)
            return
        decided = self.write(
            f"/v1/applications/{key}/decision",
            "decide",
            "officer",
            {"outcome": "approved", "reasons": "Checked.", "legal_basis": "Art. 1"},
        )
        if decided is not None and decided.status_code == 201:
            self.ledger.ack("decision", key)
        elif decided is not None and decided.status_code != 409:
            self._unexpected("decide", decided)

    def pay(self, key: str) -> None:
        started = self.write(f"/v1/applications/{key}/payments", "pay", "citizen")
        if started is None or started.status_code != 200:
            self._unexpected("pay", started)
            return
        payment = started.json()
        self.ledger.ack("payment", str(payment["id"]))
        page = "/" + payment["confirmation_url"].split("/", 3)[3]
        paid = self.write(page, "sandbox", "citizen", {"outcome": "succeeded"})
        if paid is not None and paid.status_code == 200:
            self.ledger.ack("payment_succeeded", str(payment["id"]))
        elif paid is not None and paid.status_code != 409:
            self._unexpected("sandbox", paid)

    def appeal(self) -> None:
        body = {"territory": DISTRICT, "subject": "utilities", "text": "No water since Monday."}
        filed = self.write("/v1/appeals", "appeal", "citizen", body)
        if filed is not None and filed.status_code == 201:
            self.ledger.ack("appeal", str(filed.json()["id"]))
        else:
            self._unexpected("appeal", filed)

    def round(self, n: int) -> None:
        free = self.submit(FREE)
        if free is not None:
            self.decide(free)
        if n % 2 == 0:
            paid = self.submit(PAID)
            if paid is not None:
                self.pay(paid)
        if n % 3 == 0:
            self.appeal()
        self.read("/v1/applications", "list", "citizen")

    def _unexpected(self, route: str, response: requests.Response | None) -> None:
        if response is not None:
            with self.ledger.lock:
                self.ledger.unacknowledged[f"{route}:{response.status_code}"] += 1


def _retry(response: requests.Response) -> bool:
    if response.status_code in RETRYABLE:
        return True
    if response.status_code == 409 and response.headers.get("content-type", "").startswith(
        PROBLEM_JSON
    ):
        return str(response.json().get("type", "")).endswith("idempotency-key-in-progress")
    return False


class Load:
    """``threads`` clients running rounds until stopped."""

    def __init__(self, system: System, threads: int = 4, **client: Any) -> None:
        self.ledger = Ledger()
        self.stop = threading.Event()
        self.rounds = 0
        self.clients = [
            Client(system, self.ledger, CITIZENS[i % len(CITIZENS)], **client)
            for i in range(threads)
        ]
        self.threads = [
            threading.Thread(target=self._run, args=(c,), name=f"client-{i}", daemon=True)
            for i, c in enumerate(self.clients)
        ]

    def _run(self, client: Client) -> None:
        n = 0
        try:
            while not self.stop.is_set():
                client.round(n)
                n += 1
                with self.ledger.lock:
                    self.rounds += 1
        except BaseException as error:  # reported by the test
            self.ledger.errors.append(error)

    def start(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def finish(self, timeout: float = 120) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout)
        assert not any(t.is_alive() for t in self.threads), "a client is stuck"
        assert not self.ledger.errors, self.ledger.errors

    def __enter__(self) -> Load:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(120)


# --- the checks -----------------------------------------------------------------------------


def assert_acknowledged_writes_recorded(container: Container, ledger: Ledger) -> dict[str, int]:
    """Every acknowledged write is in the event store, once; returns how many were checked."""
    cases, payments = container.cases, container.payments
    acknowledged = {k: list(v) for k, v in ledger.acknowledged.items()}
    for key in acknowledged.get("application", []):
        application = cases.find(ServiceApplication, UUID(key))
        assert application is not None, f"acknowledged application {key} is not in the store"
    for key in acknowledged.get("decision", []):
        application = cases.find(ServiceApplication, UUID(key))
        assert application is not None
        assert application.decision_id is not None, f"acknowledged decision of {key} is lost"
    for key in acknowledged.get("payment", []):
        payments.payment(UUID(key))  # PaymentNotFound if the acknowledged payment is lost
    for key in acknowledged.get("payment_succeeded", []):
        payment = payments.payment(UUID(key))
        assert payment.status in ("succeeded", "refunded"), key
    for key in acknowledged.get("appeal", []):
        assert cases.find(Appeal, UUID(key)) is not None, f"appeal {key} is lost"

    # Nothing twice: each submission key made at most one application, the one its
    # acknowledgement named; no application came from anywhere else.
    submitted = [
        e.originator_id for _, e in decoded(cases) if isinstance(e, ServiceApplication.Submitted)
    ]
    assert len(submitted) == len(set(submitted))
    expected = {
        natural_id("applications", f"{citizen}:{key}")
        for key, citizen in ledger.submission_keys.items()
    }
    assert set(submitted) <= expected, "an application no submission key accounts for"
    acked = {UUID(k) for k in acknowledged.get("application", [])}
    assert len(acked) == len(acknowledged.get("application", [])), "one id acknowledged twice"
    assert acked <= set(submitted)
    # Appeals and payments have no natural id from the key: at most one per key used.
    filed = [e for _, e in decoded(cases) if isinstance(e, Appeal.Filed)]
    assert len(filed) <= ledger.keys["appeal"], (
        f"{len(filed)} appeals filed with {ledger.keys['appeal']} idempotency keys"
    )
    requested = [e for _, e in decoded(payments) if isinstance(e, Payment.Requested)]
    assert len({e.application_id for e in requested}) == len(requested), "two payments of a case"
    return {kind: len(ids) for kind, ids in acknowledged.items()}


def assert_read_models_equal_a_rebuild(container: Container) -> None:
    live = snapshot(container)
    for spec in PROJECTIONS:
        container.rebuild_projection(spec.name)
    rebuilt = snapshot(container)
    for name, tables in live.items():
        for table, rows in tables.items():
            assert rows == rebuilt[name][table], f"{name}: {table} differs from its rebuild"
    assert live["citizen_applications"]["citizen_applications"], "no application was projected"
