"""Helpers for tests that run ``yagona`` as a user would: as a process, over real HTTP on a
free loopback port."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

YAGONA = str(Path(sys.executable).parent / "yagona")
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


def fetch(url: str, *, method: str = "GET", data: Any = None, token: str | None = None) -> Answer:
    """One request to a loopback URL; an HTTP error status is an answer, not an exception."""
    assert url.startswith("http://127.0.0.1:"), url
    headers = {"Content-Type": "application/json"} if data is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            status, raw, got = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, raw, got = error.code, error.read(), error.headers
    text = raw.decode(errors="replace")
    try:
        parsed: Any = json.loads(text)
    except ValueError:
        parsed = text
    return Answer(status, {k.lower(): v for k, v in got.items()}, parsed)


def until(check: Callable[[], T | None], timeout: float, what: str, interval: float = 0.2) -> T:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def answering(url: str) -> Callable[[], Answer | None]:
    def check() -> Answer | None:
        try:
            return fetch(url)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return None

    return check


def ready(base: str) -> bool:
    """Whether the server at ``base`` answers /readyz with 200."""
    answer = answering(f"{base}/readyz")()
    return answer is not None and answer.status == 200


@dataclass
class Running:
    process: subprocess.Popen[str]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
            raise AssertionError(f"did not stop within {timeout} s:\n{self.output()}") from None


@contextmanager
def running(
    args: list[str], env: dict[str, str], log: Path, cwd: Path | None = None
) -> Iterator[Running]:
    """``args`` as a process (output to ``log``), stopped with SIGTERM at the end."""
    with log.open("w") as out:
        process = subprocess.Popen(
            args, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, text=True
        )
    handle = Running(process, log)
    try:
        yield handle
    finally:
        if process.poll() is None:
            handle.stop()


def yagona(
    *args: str, env: dict[str, str], cwd: Path | None = None, timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [YAGONA, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def postgres_processes(pgdata: Path) -> list[int]:
    """Pids of PostgreSQL processes serving ``pgdata`` (from /proc)."""
    found = []
    target = str(pgdata.resolve())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        words = [a.decode(errors="replace") for a in argv if a]
        if words and Path(words[0]).name == "postgres" and target in words:
            found.append(int(entry.name))
    return found


def clean_env(**settings: str) -> dict[str, str]:
    """The process environment without any YAGONA_ setting or XDG_RUNTIME_DIR, plus
    ``settings``."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("YAGONA_") and k != "XDG_RUNTIME_DIR"
    }
    return {**base, **settings}
