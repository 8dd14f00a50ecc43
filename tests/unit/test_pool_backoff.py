"""Connection pools try a lost database again every second at most."""

from __future__ import annotations

import psycopg_pool.pool

from infrastructure.pool_backoff import MAX_RECONNECT_DELAY, CappedBackoff, cap_reconnect_backoff


def test_the_wait_between_attempts_never_passes_the_cap() -> None:
    attempt = CappedBackoff(timeout=300.0)
    delays = []
    now = 0.0
    for _ in range(12):
        attempt.update_delay(now)
        delays.append(attempt.delay)
        now += attempt.delay
    assert all(0 < delay <= MAX_RECONNECT_DELAY for delay in delays)
    assert delays[-1] == MAX_RECONNECT_DELAY  # uncapped, it would be over half an hour
    assert not attempt.time_to_give_up(now)


def test_the_pool_still_gives_up_at_its_reconnect_timeout() -> None:
    attempt = CappedBackoff(timeout=5.0)
    attempt.update_delay(0.0)
    assert attempt.time_to_give_up(5.0)


def test_pools_create_their_attempts_with_the_capped_backoff() -> None:
    cap_reconnect_backoff()
    assert getattr(psycopg_pool.pool, "AttemptWithBackoff") is CappedBackoff  # noqa: B009
