"""The agency codes officers' tokens may name, remembered briefly so a request costs no
query for an agency seen a moment ago."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from fastapi import Request


class KnownAgencies:
    """Codes ``exists`` confirmed, each remembered for ``ttl`` seconds, at most ``size`` of
    them (the least recently used go first). Only codes found are remembered: an agency
    registered a moment ago counts on the next request."""

    def __init__(
        self,
        exists: Callable[[str], bool],
        *,
        ttl: float = 300.0,
        size: int = 4096,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._exists = exists
        self._ttl = ttl
        self._size = size
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def __contains__(self, code: str) -> bool:
        now = self._clock()
        with self._lock:
            expires = self._seen.get(code)
            if expires is not None and expires > now:
                self._seen.move_to_end(code)
                return True
        if not self._exists(code):
            return False
        with self._lock:
            self._seen[code] = now + self._ttl
            self._seen.move_to_end(code)
            while len(self._seen) > self._size:
                self._seen.popitem(last=False)
        return True


_CREATE = threading.Lock()


def known_agencies(request: Request, exists: Callable[[str], bool]) -> KnownAgencies:
    """The app's cache of known agency codes, made on first use."""
    state = request.app.state
    cache: KnownAgencies | None = getattr(state, "known_agencies", None)
    if cache is None:
        with _CREATE:
            cache = getattr(state, "known_agencies", None)
            if cache is None:
                cache = KnownAgencies(exists)
                state.known_agencies = cache
    return cache
