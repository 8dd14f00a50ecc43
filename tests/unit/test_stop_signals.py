"""The worker's wait for SIGTERM ends even when the kernel delivers the signal to another
thread than the main one (a process-directed signal may go to any thread). The old wait,
``threading.Event().wait()`` with the handler calling ``set()``, never woke in that case:
a ``yagona worker`` then ignored SIGTERM (the embedded-server start-up test saw it)."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import pytest

PROGRAM = textwrap.dedent(
    """
    import signal, sys, threading, time
    from api.stop_signals import StopSignals

    stop = StopSignals()
    def busy_thread():  # like a projection thread: it receives the signal, not main
        time.sleep(0.2)
        signal.pthread_kill(threading.get_ident(), getattr(signal, sys.argv[1]))
        time.sleep(60)
    threading.Thread(target=busy_thread, daemon=True).start()
    print(signal.Signals(stop.wait()).name, flush=True)
    """
)


@pytest.mark.parametrize("name", ["SIGTERM", "SIGINT"])
def test_a_stop_signal_delivered_to_another_thread_ends_the_wait(name: str) -> None:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, name],
        check=False,
        capture_output=True,
        text=True,
        timeout=15,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == name
    assert time.monotonic() - started < 10  # woke at once, not when the 60 s sleeper ended


MAIN_THREAD = textwrap.dedent(
    """
    import signal
    from api.stop_signals import StopSignals

    stop = StopSignals()  # installed before the parent is told to signal
    print("ready", flush=True)
    print(signal.Signals(stop.wait()).name, flush=True)
    """
)


def test_a_stop_signal_to_the_main_thread_ends_the_wait() -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", MAIN_THREAD], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=10)
    assert output.strip() == "SIGTERM"
    assert process.returncode == 0
