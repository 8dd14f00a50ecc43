"""Schemathesis against the live OpenAPI document, once per kind of caller: whatever it
generates (valid, invalid, boundary values, unsupported methods), no response is a server
error, and every status, content type, header and body is the one the document promises.

Runs the ``st`` command line (schemathesis's pytest plugin does not work with pytest 9)
against a live server on a loopback port (schemathesis is in the dev extra: a missing
``st`` fails the test rather than skipping it)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from infrastructure.container import Container
from tests.e2e.cases import citizen
from tests.integration.live import serve
from tests.reliability.world import (
    ADMIN,
    ALL_SCOPES,
    AUDITOR,
    JUSTICE,
    World,
    api_key,
    bearer,
    world_client,
    world_container,
)

__all__ = ["world_client", "world_container"]  # fixtures used here

ST = shutil.which("st", path=str(Path(sys.executable).parent)) or shutil.which("st")
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
    "missing_required_header",
    "ignored_auth",
    "unsupported_method",
    "allow_header_conformance",
)
# Left out: positive_data_acceptance (schema-valid data the business rules refuse, such as
# a service code that does not exist, is rightly a 4xx) and the stateful checks.
EXAMPLES = 8  # per operation and phase; the whole run stays well inside a minute per caller
# The citizen's run is in CI (about 20 s); every other caller's with --long.
ROLES = [
    "citizen",
    *(
        pytest.param(r, marks=pytest.mark.long)
        for r in ("anonymous", "officer", "auditor", "integrator", "admin")
    ),
]


@pytest.fixture(scope="module")
def server(world_container: Container, world_client: object) -> Iterator[str]:
    world = World(world_container, world_client)  # type: ignore[arg-type]
    world.decided()  # something for every reader to find
    world.paid()
    world.appeal()
    with serve(world_container) as base:
        yield base


def credential(container: Container, role: str) -> list[str]:
    """The -H option of ``role`` (tokens outlive the run; an integrator's key goes as the
    bearer token, so schemathesis can check that leaving it out is refused)."""
    hours = 6 * 3600
    headers = {
        "anonymous": {},
        "citizen": bearer(container, citizen(), ttl_seconds=hours),
        "officer": bearer(container, JUSTICE, ttl_seconds=hours),
        "auditor": bearer(container, AUDITOR, ttl_seconds=hours),
        "admin": bearer(container, ADMIN, ttl_seconds=hours),
        "integrator": {"Authorization": f"Bearer {api_key(container, *ALL_SCOPES)['X-API-Key']}"},
    }[role]
    return [option for name, value in headers.items() for option in ("-H", f"{name}: {value}")]


@pytest.mark.parametrize("role", ROLES)
def test_the_api_keeps_its_openapi_promises(
    server: str, world_container: Container, role: str, tmp_path: Path
) -> None:
    assert ST is not None, "schemathesis's `st` is in the dev extra: pip install -e '.[dev]'"
    command = [
        ST,
        "run",
        f"{server}/openapi.json",
        *credential(world_container, role),
        "--checks",
        ",".join(CHECKS),
        "--max-examples",
        str(EXAMPLES),
        "--phases",
        "examples,coverage,fuzzing",
        "--workers",
        "1",  # hypothesis is not thread-safe when describing strategies
        "--seed",
        "20261127",
        "--request-timeout",
        "20",
        # The feed holds an empty page up to `wait` seconds: long polling, not an error.
        "--exclude-path",
        "/v1/feed",
        # Readiness answers its documented 503 whenever the database is slow to answer
        # (a loaded machine): not a server error; tests/e2e/test_operations_http.py has it.
        "--exclude-path",
        "/readyz",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path),
    ]
    run = subprocess.run(  # in tmp_path: st keeps a .schemathesis cache in its directory
        command, cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False
    )
    summary = run.stdout[run.stdout.find("=== FAILURES") :] if "FAILURES" in run.stdout else ""
    assert run.returncode == 0, (summary or run.stdout)[-8000:] + run.stderr[-2000:]
