"""Shared machinery of the fault-tolerance tests: ``yagona serve`` / ``yagona worker`` as
real processes over a seeded test schema. The clients that write to them over HTTP are in
clients.py, the checks that follow a fault in checks.py.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from psycopg import sql

from application.principal import Principal
from application.seeding import seed
from infrastructure.container import Container, build_container
from infrastructure.database import DatabaseConfig
from infrastructure.reference_data import load_reference_data
from infrastructure.workers import PROJECTIONS
from tests.conftest import TEST_CIPHER_KEY, settings_for
from tests.e2e.cases import CITIZEN_A, CITIZEN_B, DISTRICT
from tests.integration.live import ADMIN
from tests.integration.store_reading import quiescent

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
