"""`docker compose up` as shipped, tested without a Docker engine: the wheel the Dockerfile
builds, installed in a fresh virtual environment, runs each compose service's command with
the environment the compose file (and the image) give that service. Only the database URL
(the test server instead of host ``postgres``), the bound address (loopback, a free port)
and each container's data folder are the test's."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from psycopg import sql

from infrastructure.database import DatabaseConfig
from tests.e2e import compose
from tests.e2e.processes import fetch, free_port, ready, running, until

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "docker-compose.yml"
PRODUCTION = ROOT / "docker-compose.production.yml"
DOCKERFILE = ROOT / "Dockerfile"
# What production must be given before it starts, each named when missing.
PRODUCTION_SETTINGS = (
    "YAGONA_DATABASE_URL",
    "YAGONA_JWT_SECRET",
    "YAGONA_JWT_JWKS_URL",
    "YAGONA_CIPHER_KEY",
    "YAGONA_STRIPE_API_KEY",
    "YAGONA_STRIPE_WEBHOOK_SECRET",
    "YAGONA_PUBLIC_BASE_URL",
    "YAGONA_METRICS_TOKEN",
)
pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="session")
def image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Dockerfile's build, done here: the files it copies, built into a wheel and
    installed with its dependencies in a fresh virtual environment. Its ``bin``."""
    root = tmp_path_factory.mktemp("image")
    source = root / "src"
    source.mkdir()
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
    for sources, destination in compose.build_copies(DOCKERFILE):
        for name in sources:
            target = (
                source / destination / name if destination.endswith("/") else source / destination
            )
            if (ROOT / name).is_dir():
                shutil.copytree(ROOT / name, target, ignore=skip)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, target)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]

    def run(*args: str, cwd: Path | None = None) -> str:
        done = subprocess.run(
            args, cwd=cwd, capture_output=True, text=True, timeout=600, check=False
        )
        assert done.returncode == 0, f"{args}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    run(*pip, "wheel", "--no-deps", "-w", str(root / "dist"), f"{source}/")
    (wheel,) = (root / "dist").glob("yagona-*.whl")
    venv = root / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    python = venv / "bin" / "python"
    run(*pip, "--python", str(python), "install", "--no-compile", str(wheel))
    where = run(str(python), "-c", "import api; print(api.__file__)", cwd=root)
    assert where.startswith(str(venv)), f"yagona is not imported from the wheel: {where}"
    return venv / "bin"


def container_env(
    compose_file: Path, service: str, image_bin: Path, data_dir: Path, **test: str
) -> tuple[list[str], dict[str, str]]:
    """A service's command and environment as Docker Compose would run it (with an empty
    shell environment), with the test's own ``test`` settings over them."""
    document = compose.load(compose_file, variables={})
    spec: dict[str, Any] = document["services"][service]
    env = compose.image_environment(DOCKERFILE) | compose.service_environment(
        compose_file, spec, variables={}
    )
    env |= {
        "PATH": f"{image_bin}{os.pathsep}/usr/bin:/bin",
        "HOME": str(data_dir),
        "YAGONA_DATA_DIR": str(data_dir),
        **test,
    }
    data_dir.mkdir(parents=True, exist_ok=True)
    command = list(spec["command"])
    executable = shutil.which(command[0], path=env["PATH"])
    assert executable, command
    assert executable.startswith(str(image_bin)), command
    return [executable, *command[1:]], env


@pytest.fixture
def fresh_database(postgres_server: DatabaseConfig) -> Iterator[DatabaseConfig]:
    name = f"yagona_compose_{uuid.uuid4().hex[:8]}"
    with postgres_server.connect() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield postgres_server.with_dbname(name)
    with postgres_server.connect() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def test_docker_compose_up_starts_a_working_demo_stack(
    image: Path, fresh_database: DatabaseConfig, tmp_path: Path
) -> None:
    port = free_port()
    test = {
        "YAGONA_DATABASE_URL": fresh_database.url(),
        "YAGONA_HOST": "127.0.0.1",
        "YAGONA_PORT": str(port),
    }

    def service(name: str) -> tuple[list[str], dict[str, str]]:
        return container_env(DEMO, name, image, tmp_path / name, **test)

    command, env = service("seed")
    seeded = subprocess.run(
        command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False
    )
    assert seeded.returncode == 0, seeded.stderr

    api_command, api_env = service("api")
    worker_command, worker_env = service("worker")
    base = f"http://127.0.0.1:{port}"
    with (
        running(api_command, api_env, tmp_path / "api.log", cwd=tmp_path) as api,
        running(worker_command, worker_env, tmp_path / "worker.log", cwd=tmp_path) as worker,
    ):
        until(
            lambda: ready(base),
            180,
            f"the API to be ready:\n{api.output()[-1500:]}\n{worker.output()[-1500:]}",
        )
        page = fetch(f"{base}/v1/services?limit=2")
        assert page.status == 200, page.body
        assert len(page.body["items"]) == 2
        assert worker.stop(signal.SIGTERM) == 0, worker.output()
        assert "worker.stopping" in worker.output()
        assert api.stop(signal.SIGTERM) in (0, -signal.SIGTERM), api.output()


def test_production_refuses_to_start_without_its_secrets_naming_each(
    image: Path, tmp_path: Path
) -> None:
    """Each service, with no production.env and with the example copied unfilled."""
    started = {}
    for env_file in ("absent", "unfilled"):
        folder = tmp_path / env_file
        folder.mkdir()
        compose_file = folder / PRODUCTION.name
        shutil.copy2(PRODUCTION, compose_file)
        if env_file == "unfilled":
            shutil.copy2(ROOT / "production.env.example", folder / "production.env")
        for service in ("seed", "api", "worker"):
            command, env = container_env(compose_file, service, image, folder / service)
            assert env["YAGONA_ENV"] == "production"
            started[env_file, service] = subprocess.Popen(
                command,
                env=env,
                cwd=folder,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
    for (env_file, service), process in started.items():
        out, err = process.communicate(timeout=180)
        assert process.returncode == 2, (env_file, service, out, err)
        for name in PRODUCTION_SETTINGS:
            assert name in err, f"{name} not named ({service}, env file {env_file}):\n{err}"
