"""The console command end to end: seed, serve over real HTTP, mint tokens."""

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
import uuid
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from psycopg import sql

from infrastructure.database import DatabaseConfig
from infrastructure.settings import DEVELOPMENT_JWT_SECRET
from tests.conftest import TEST_CIPHER_KEY

YAGONA = str(Path(sys.executable).parent / "yagona")


@pytest.fixture
def env(test_database: DatabaseConfig, tmp_path: Path) -> Iterator[dict[str, str]]:
    schema = f"cli_{uuid.uuid4().hex[:10]}"
    environment = {
        **os.environ,
        "YAGONA_DATABASE_URL": test_database.url(),
        "YAGONA_DB_SCHEMA": schema,
        "YAGONA_DATA_DIR": str(tmp_path),
        "YAGONA_LOG_FORMAT": "json",
    }
    yield environment
    with test_database.connect() as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get_json(url: str) -> tuple[int, dict[str, str], object]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
        return response.status, dict(response.headers), json.loads(response.read())


def test_seed_then_serve_answers_the_catalogue_over_http(env: dict[str, str]) -> None:
    seeded = subprocess.run(
        [YAGONA, "seed"], env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert seeded.returncode == 0, seeded.stderr
    again = subprocess.run(
        [YAGONA, "seed"], env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert "nothing to change" in again.stderr

    port = free_port()
    started = time.monotonic()
    server = subprocess.Popen(
        [YAGONA, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body: object = None
        # Poll for what is asserted (a full first page), not for any answer: the catalogue
        # may answer 503 while its read model catches up with the seed.
        while time.monotonic() - started < 120:
            try:
                status, headers, body = get_json(f"http://127.0.0.1:{port}/v1/services?limit=3")
                if status == 200 and isinstance(body, dict) and len(body["items"]) == 3:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            time.sleep(0.2)
        assert isinstance(body, dict), "the server did not serve /v1/services within 120 s"
        assert len(body["items"]) == 3, body
        assert headers["x-request-id"]
        assert headers["etag"]
        ready_by = time.monotonic() + 120  # 503 while a read model still catches up
        while True:
            try:
                status, _, ready = get_json(f"http://127.0.0.1:{port}/readyz")
                break
            except urllib.error.HTTPError as error:
                if error.code != 503 or time.monotonic() > ready_by:
                    raise
                time.sleep(0.2)
        assert status == 200
        assert isinstance(ready, dict)
        assert ready["database"] == "ok"
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert server.returncode in (0, -signal.SIGTERM), output  # uvicorn re-raises SIGTERM
    assert "Application shutdown complete." in output
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("event") == "http.request"]
    assert requests
    assert all("request_id" in line for line in requests)


def test_token_prints_a_verifiable_jwt_alone_on_stdout(env: dict[str, str]) -> None:
    result = subprocess.run(
        [YAGONA, "token", "--role", "officer", "--sub", "officer-17", "--agency", "justice-1703"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert result.stdout == token + "\n"
    claims = jwt.decode(token, DEVELOPMENT_JWT_SECRET, algorithms=["HS256"], issuer="yagona")
    assert claims["role"] == "officer"
    assert claims["agency"] == "justice-1703"
    assert claims["exp"] > claims["iat"]


def test_token_carries_an_officers_name_and_position(env: dict[str, str]) -> None:
    result = subprocess.run(
        [
            YAGONA,
            "token",
            "--role",
            "officer",
            "--sub",
            "officer-ia-mu",
            "--agency",
            "justice-1703202",
            "--name",
            "Dilnoza Rahimova",
            "--position",
            "Bosh mutaxassis",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    claims = jwt.decode(
        result.stdout.strip(), DEVELOPMENT_JWT_SECRET, algorithms=["HS256"], issuer="yagona"
    )
    assert claims["name"] == "Dilnoza Rahimova"
    assert claims["position"] == "Bosh mutaxassis"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "citizen", "--sub", "31503901234567", "--position", "CEO"], "position"),
        (["--role", "citizen", "--sub", "12345"], "PINFL"),
        (["--role", "officer", "--sub", "off-1"], "agency"),
        (["--role", "emperor", "--sub", "x"], "role"),
        (
            ["--role", "citizen", "--sub", "31503901234567", "--ttl", "7200"],
            "YAGONA_TOKEN_MAX_LIFETIME_CITIZEN_SECONDS",
        ),
        (["--role", "admin", "--sub", "root", "--ttl", "977616000"], "at most 43200 seconds"),
    ],
)
def test_token_refuses_an_invalid_principal(
    env: dict[str, str], args: list[str], message: str
) -> None:
    result = subprocess.run(
        [YAGONA, "token", *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert message in result.stderr


def test_production_refuses_the_default_secret_and_mints_no_local_token(
    env: dict[str, str],
) -> None:
    result = subprocess.run(
        [YAGONA, "token", "--role", "admin", "--sub", "root"],
        env={**env, "YAGONA_ENV": "production"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert "YAGONA_JWT_SECRET" in result.stderr
    minted = subprocess.run(
        [YAGONA, "token", "--role", "citizen", "--sub", "31503901234567"],
        env={
            **env,
            "YAGONA_ENV": "production",
            "YAGONA_JWT_SECRET": "s3cret-for-production-use-32-bytes+",
            "YAGONA_CIPHER_KEY": TEST_CIPHER_KEY,
            "YAGONA_PAYMENT_PROVIDER": "stripe",
            "YAGONA_STRIPE_API_KEY": "sk_test_x",
            "YAGONA_STRIPE_WEBHOOK_SECRET": "whsec_x",
            "YAGONA_PUBLIC_BASE_URL": "https://yagona.example.uz",
            "YAGONA_METRICS_ALLOW": "10.0.0.0/8",
            "YAGONA_JWT_JWKS_URL": "https://oneid.example.uz/jwks",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # Every setting production needs is given: still no local token is minted.
    assert minted.returncode == 2, minted.stderr
    assert minted.stdout == ""
    assert "production accepts only the identity provider's tokens" in " ".join(
        minted.stderr.split()
    )


def test_production_refuses_to_start_without_a_cipher_key(env: dict[str, str]) -> None:
    result = subprocess.run(
        [YAGONA, "serve", "--port", str(free_port())],
        env={
            **env,
            "YAGONA_ENV": "production",
            "YAGONA_JWT_SECRET": "s3cret-for-production-use-32-bytes+",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "YAGONA_CIPHER_KEY" in result.stderr


def test_worker_projects_new_events_and_stops_on_sigterm(
    env: dict[str, str], test_database: DatabaseConfig
) -> None:
    env = {**env, "YAGONA_CIPHER_KEY": TEST_CIPHER_KEY}  # a worker creates no installation
    worker = subprocess.Popen(
        [YAGONA, "worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        seeded = subprocess.run(
            [YAGONA, "seed"], env=env, capture_output=True, text=True, timeout=180, check=False
        )
        assert seeded.returncode == 0, seeded.stderr
        schema = env["YAGONA_DB_SCHEMA"]
        deadline = time.monotonic() + 60
        count = 0
        while time.monotonic() < deadline:
            with test_database.connect() as conn:
                row = conn.execute(
                    sql.SQL("SELECT count(*) FROM {}").format(
                        sql.Identifier(schema, "catalogue_services")
                    )
                ).fetchone()
            count = int(row[0]) if row else 0  # type: ignore[call-overload]
            if count:
                break
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    assert count > 0, f"the worker did not project the seeded services: {output}"
    assert worker.returncode == 0, output
    assert "worker.stopping" in output
