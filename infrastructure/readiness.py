"""Readiness after a start: a read model is trusted once it has applied every event its
application had recorded when the process started (its *start head*).

Until then its tables may be empty or stale (``make run`` seeds, then serves: the catalogue
fills only once the server is up), so ``/readyz`` is not ready and the catalogue's reads
wait briefly, then answer 503, rather than serve an empty page. Once a read model has
caught up, ordinary lag no longer counts against readiness.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any


class StartHeads:
    """Each read model's start head, and which ones have reached it."""

    def __init__(self, heads: Mapping[str, int]) -> None:
        self._heads = dict(heads)
        self._caught_up = {name for name, head in heads.items() if head <= 0}
        self._lock = threading.Lock()

    def head(self, name: str) -> int:
        return self._heads.get(name, 0)

    def caught_up(self, name: str) -> bool:
        return name in self._caught_up

    def record(self, name: str, position: int) -> bool:
        """Note a read model's position; whether it has reached its start head."""
        if name in self._caught_up:
            return True
        if position >= self.head(name):
            with self._lock:
                self._caught_up.add(name)
            return True
        return False

    def behind(self, status: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """The read models of ``status`` rows (``name``, ``position``) still short of
        their start head, each with its position and that head."""
        return [
            {"name": row["name"], "position": row["position"], "start_head": self.head(row["name"])}
            for row in status
            if not self.record(row["name"], int(row["position"]))
        ]

    def wait(
        self, name: str, position: Callable[[], int], *, timeout: float, interval: float = 0.1
    ) -> bool:
        """Whether ``name`` reaches its start head within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while not self.record(name, position()):
            if time.monotonic() >= deadline:
                return False
            time.sleep(interval)
        return True
