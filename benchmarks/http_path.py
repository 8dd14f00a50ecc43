"""HTTP path: application submissions/s and p50/p95/p99 latency over loopback, driven by
wrk (a Lua script gives each request its own Idempotency-Key), against `yagona serve
--no-worker` with a separate `yagona worker` (both subprocesses on a fresh, seeded schema),
and the peak resident memory (VmHWM) of both processes after the load.

Baseline, measured in the same run: a bare FastAPI endpoint (benchmarks/bare_fastapi.py,
one POST that parses the same JSON body) served by uvicorn with the same settings, under
the same wrk load; its VmHWM is the memory baseline.

    .venv/bin/python benchmarks/http_path.py [--connections 1,16] [--seconds 15] \\
        [--database-url URL]

Needs wrk (`apt-get install -y wrk`). The API keeps the product's default pools
(YAGONA_DB_POOL_SIZE 2, YAGONA_DB_MAX_OVERFLOW 10); the schema is dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from psycopg import sql
from support import ROOT, add_database_argument, machine  # also puts the repo on the path

from infrastructure.database import DatabaseConfig
from tests.conftest import TEST_CIPHER_KEY
from tests.e2e.cases import submission

BIN = Path(sys.executable).parent
PINFL = "31503901234567"  # a test citizen (never logged)

LUA = r"""
local counter = 0
local threads = {}
local next_id = 0
local body = io.open(os.getenv("BENCH_BODY")):read("*a")
local token = os.getenv("BENCH_TOKEN")
local run = os.getenv("BENCH_RUN")

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  local headers = {}
  headers["Content-Type"] = "application/json"
  headers["Authorization"] = "Bearer " .. token
  headers["Idempotency-Key"] = run .. "-" .. tid .. "-" .. counter
  return wrk.format("POST", "/v1/applications", headers, body)
end

function response(status, headers, body)
  if status ~= 201 then
    bad = (bad or 0) + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("bad") or 0)
  end
  io.write("BENCH_JSON ")
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "not_201": %d, "socket_errors": %d, '
      .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, bad,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback http
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer in {timeout}s")


def vm_hwm_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM")


@contextmanager
def process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wrk(url: str, connections: int, seconds: float, env: dict[str, str], script: Path) -> Any:
    threads = min(2, connections)
    result = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{int(seconds)}s",
            "--timeout",
            "30s",
            "-s",
            str(script),
            url,
        ],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("BENCH_JSON "))
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    seconds_run = raw["duration_us"] / 1e6
    return {
        "connections": connections,
        "requests": raw["requests"],
        "not_201": raw["not_201"],
        "socket_errors": raw["socket_errors"],
        "requests_per_second": round(raw["requests"] / seconds_run, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p95_ms": round(raw["p95_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
    }


def max_lag(base: str) -> int:
    with urllib.request.urlopen(f"{base}/readyz", timeout=10) as response:  # noqa: S310
        status = json.loads(response.read())
    return max((p["lag"] for p in status["projections"]), default=0)


def measure(
    env: dict[str, str], load: dict[str, str], script: Path, work: Path, args: Any
) -> dict[str, Any]:
    """Start the worker, the API and the bare baseline; load each; read their memory."""
    figures: dict[str, Any] = {"seconds_per_run": args.seconds}
    connections = [int(c) for c in args.connections.split(",")]
    api_port, bare_port = free_port(), free_port()
    api = f"http://127.0.0.1:{api_port}"
    bare = f"http://127.0.0.1:{bare_port}"
    with (
        process([str(BIN / "yagona"), "worker"], env, work / "worker.log") as worker,
        process(
            [str(BIN / "yagona"), "serve", "--no-worker", "--port", str(api_port)],
            env,
            work / "serve.log",
        ) as server,
        process(
            [
                sys.executable,
                str(ROOT / "benchmarks" / "bare_fastapi.py"),
                "--port",
                str(bare_port),
            ],
            env,
            work / "bare.log",
        ) as baseline,
    ):
        wait_http(f"{api}/healthz")
        wait_http(f"{bare}/healthz")
        deadline = time.monotonic() + 180
        while max_lag(api) > 0 and time.monotonic() < deadline:  # catalogue built
            time.sleep(0.5)
        figures["rss_idle_kib"] = {
            "serve_no_worker": vm_hwm_kib(server.pid),
            "worker": vm_hwm_kib(worker.pid),
            "bare_fastapi": vm_hwm_kib(baseline.pid),
        }
        wrk(api, 2, 3, {**load, "BENCH_RUN": "warm"}, script)  # warm up both
        wrk(bare, 2, 3, {**load, "BENCH_RUN": "warm"}, script)
        runs: dict[str, Any] = {}
        for n in connections:
            run = uuid.uuid4().hex[:8]
            yagona = wrk(api, n, args.seconds, {**load, "BENCH_RUN": run}, script)
            bare_figures = wrk(bare, n, args.seconds, {**load, "BENCH_RUN": run}, script)
            runs[str(n)] = {
                "yagona": yagona,
                "bare_fastapi": bare_figures,
                "throughput_ratio_to_bare": round(
                    yagona["requests_per_second"] / bare_figures["requests_per_second"], 4
                ),
                "p50_ratio_to_bare": round(yagona["p50_ms"] / bare_figures["p50_ms"], 1),
            }
            print(f"  -c{n}: {yagona['requests_per_second']} submissions/s", flush=True)
        figures["connections"] = runs
        started = time.monotonic()
        while max_lag(api) > 0 and time.monotonic() - started < 300:
            time.sleep(0.5)
        figures["worker_catch_up_after_load_seconds"] = round(time.monotonic() - started, 1)
        figures["rss_peak_after_load_kib"] = {
            "serve_no_worker": vm_hwm_kib(server.pid),
            "worker": vm_hwm_kib(worker.pid),
            "bare_fastapi": vm_hwm_kib(baseline.pid),
        }
        peak = figures["rss_peak_after_load_kib"]
        figures["rss_ratio_serve_to_bare"] = round(
            peak["serve_no_worker"] / peak["bare_fastapi"], 2
        )
        figures["rss_ratio_worker_to_bare"] = round(peak["worker"] / peak["bare_fastapi"], 2)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", default="1,16", help="comma-separated wrk -c values")
    parser.add_argument("--seconds", type=float, default=15.0, help="duration of each wrk run")
    add_database_argument(parser)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    work = Path(tempfile.mkdtemp(prefix="yagona-bench-http-"))
    env = {
        "PATH": os.environ.get("PATH", ""),
        "YAGONA_DATABASE_URL": args.database_url,
        "YAGONA_DB_SCHEMA": schema,
        "YAGONA_DATA_DIR": str(work / "var"),
        "YAGONA_CIPHER_KEY": TEST_CIPHER_KEY,
        "YAGONA_LOG_LEVEL": "WARNING",
        "YAGONA_PAYMENT_PROVIDER": "sandbox",
        # One citizen submits thousands of times from one address: the write path is
        # measured, not the rate limits (which would answer 429 after ten).
        "YAGONA_RATE_LIMIT_SUBMISSION_PER_ADDRESS": "off",
        "YAGONA_RATE_LIMIT_SUBMISSION_PER_SUBJECT": "off",
    }
    body = work / "body.json"
    body.write_text(json.dumps(submission()))
    script = work / "submit.lua"
    script.write_text(LUA)
    try:
        subprocess.run([str(BIN / "yagona"), "seed"], env=env, check=True, capture_output=True)
        token = subprocess.run(
            [str(BIN / "yagona"), "token", "--role", "citizen", "--sub", PINFL, "--name", "B"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        before = machine(args.database_url)
        figures = measure(env, {"BENCH_BODY": str(body), "BENCH_TOKEN": token}, script, work, args)
        figures["machine"] = before
    finally:
        with DatabaseConfig.from_url(args.database_url).connect() as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        shutil.rmtree(work, ignore_errors=True)
    figures["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures, indent=2))
    failed = {
        f"{side} -c{n}": r[side]["not_201"] + r[side]["socket_errors"]
        for n, r in figures["connections"].items()
        for side in ("yagona", "bare_fastapi")
        if r[side]["not_201"] + r[side]["socket_errors"]
    }
    if failed:
        print(f"WARNING: requests that did not answer 201: {failed}", file=sys.stderr)
    peak = figures["rss_peak_after_load_kib"]
    summary = "; ".join(
        f"-c{n}: {r['yagona']['requests_per_second']:,} submissions/s, p50/p95/p99 "
        f"{r['yagona']['p50_ms']}/{r['yagona']['p95_ms']}/{r['yagona']['p99_ms']} ms "
        f"(bare FastAPI {r['bare_fastapi']['requests_per_second']:,}/s, "
        f"p50 {r['bare_fastapi']['p50_ms']} ms)"
        for n, r in figures["connections"].items()
    )
    print(
        f"HTTP submissions: {summary}; peak RSS serve {peak['serve_no_worker'] // 1024} MiB, "
        f"worker {peak['worker'] // 1024} MiB (bare FastAPI {peak['bare_fastapi'] // 1024} MiB)"
    )


if __name__ == "__main__":
    main()
