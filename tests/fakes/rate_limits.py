"""The rate limits' counters in memory, counted as ``PostgresRateLimitStore`` counts them
(a fixed window per key; a later window resets the count), for the in-memory bootstrap
and unit tests."""

from __future__ import annotations

import threading
from datetime import datetime

from application.rate_limits import Decision, window_start


class MemoryRateLimitStore:
    def __init__(self) -> None:
        self.rows: dict[str, tuple[int, int, int]] = {}  # key: (window start, expires, hits)
        self._lock = threading.Lock()

    def hit(self, key: str, window: int, limit: int, now: datetime) -> Decision:
        start = window_start(now, window)
        with self._lock:
            old_start, old_expires, hits = self.rows.get(key, (start, start + window, 0))
            hits = 1 if old_start < start else hits + 1
            expires = max(old_expires, start + window)
            self.rows[key] = (max(old_start, start), expires, hits)
        reset = max(1, min(window, expires - int(now.timestamp())))
        return Decision(allowed=hits <= limit, remaining=max(0, limit - hits), reset_seconds=reset)
