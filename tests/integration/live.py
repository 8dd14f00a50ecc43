"""A seeded container with its workers, served by uvicorn on a loopback port."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from psycopg import sql

from api.app import create_app
from application.ports import Clock
from application.seeding import seed
from domain.context import CommandContext
from infrastructure.container import Container, build_container
from infrastructure.database import DatabaseConfig
from infrastructure.reference_data import load_reference_data
from tests.conftest import TEST_NOW, settings_for

ADMIN = CommandContext(actor="admin-1", role="admin", correlation_id="test")


@contextmanager
def live_container(
    database: DatabaseConfig, data_dir: Path, clock: Clock, **settings: Any
) -> Iterator[Container]:
    """A container on a fresh schema, seeded, with every worker running."""
    schema = f"live_{uuid.uuid4().hex[:8]}"
    container = build_container(
        settings_for(database, schema, data_dir, deadline_check_seconds=3600, **settings),
        clock=clock,
    )
    try:
        seed(container.catalogue, load_reference_data(), ADMIN, today=TEST_NOW.date())
        container.start_workers()
        container.wait_for_projections(timeout=120)
        yield container
    finally:
        container.close()
        with database.connect() as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@contextmanager
def serve(container: Container) -> Iterator[str]:
    """The API over real HTTP on 127.0.0.1, in this process."""
    config = uvicorn.Config(
        create_app(container), host="127.0.0.1", port=0, log_config=None, access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def eventually(check: Any, timeout: float = 30.0, interval: float = 0.1) -> Any:
    """``check()``'s first truthy result, polling until ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout}s: {check}")
        time.sleep(interval)
