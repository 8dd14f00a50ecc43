"""Waiting in the main thread for SIGINT or SIGTERM, whichever thread the kernel gives it to.

A process-directed signal may be delivered to any thread that does not block it. Python
runs the handler in the main thread, but only when that thread next executes bytecode: a
main thread blocked in ``threading.Event().wait()`` with no timeout never does, and the
signal is lost while the worker's projection threads run (seen: a ``yagona worker`` that
ignored SIGTERM). So the handler only records the signal (no lock: it may interrupt the
main thread anywhere), and the main thread sleeps in short steps, after each of which any
pending handler runs.
"""

from __future__ import annotations

import signal
import time

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopSignals:
    """Install before starting any thread, so that no signal is missed; then :meth:`wait`."""

    def __init__(self, signals: tuple[signal.Signals, ...] = STOP_SIGNALS) -> None:
        self.received: int | None = None
        for sig in signals:
            signal.signal(sig, self._record)

    def _record(self, signum: int, _frame: object) -> None:
        self.received = signum

    def wait(self, step: float = 0.2) -> int:
        """Block until a stop signal has arrived; return its number."""
        while self.received is None:
            time.sleep(step)
        return self.received
