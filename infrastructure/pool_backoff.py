"""How soon connection pools try the database again after it went away.

psycopg_pool replaces a lost connection in the background, waiting 1 s, then 2, 4, 8 ...
between failed attempts (until ``reconnect_timeout``). After an outage of a minute the
next attempt may be a minute away: the database is back, but every request still waits
for a connection and fails with a 503. Capping the wait keeps recovery within seconds of
the database's return, whatever the outage lasted; an attempt to a server that is down is
a refused connection, cheap to repeat every second.
"""

from __future__ import annotations

import psycopg_pool.pool
from psycopg_pool.base import AttemptWithBackoff

MAX_RECONNECT_DELAY = 1.0  # seconds between a pool's attempts to replace a connection


class CappedBackoff(AttemptWithBackoff):
    """psycopg_pool's exponential backoff, never waiting more than ``MAX_RECONNECT_DELAY``
    (still giving up at the pool's ``reconnect_timeout``)."""

    def update_delay(self, now: float) -> None:
        super().update_delay(now)
        self.delay = min(self.delay, MAX_RECONNECT_DELAY)


def cap_reconnect_backoff() -> None:
    """Make every pool in this process (eventsourcing's included) use ``CappedBackoff``.
    psycopg_pool creates its attempts through this module-level name."""
    setattr(psycopg_pool.pool, "AttemptWithBackoff", CappedBackoff)  # noqa: B010
