"""The OpenAPI document as integrators use it: it validates, its component names are unique
and readable, every route has a written summary, and a client generated from it by a
common generator (openapi-python-client) covers every operation without a warning."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openapi_spec_validator import validate

from api.app import create_app
from infrastructure.container import build_container
from infrastructure.database import DatabaseConfig
from tests.conftest import settings_for

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


@pytest.fixture(scope="module")
def app_client(
    test_database: DatabaseConfig, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """The app over an empty catalogue: the document does not depend on the data."""
    settings = settings_for(test_database, "e2e_openapi", tmp_path_factory.mktemp("openapi"))
    container = build_container(settings)
    try:
        with TestClient(create_app(container)) as client:
            yield client
    finally:
        container.close()


@pytest.fixture(scope="module")
def spec(app_client: TestClient) -> dict[str, Any]:
    response = app_client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield method, path, item[method]


def test_the_document_passes_an_openapi_validator(spec: dict[str, Any]) -> None:
    validate(spec)


def test_component_names_are_unique_and_not_module_qualified(spec: dict[str, Any]) -> None:
    """Two models of one class name make FastAPI name both by module
    (``api__schemas__payments__PaymentOut``), which generators choke on."""
    names = list(spec["components"]["schemas"])
    qualified = [name for name in names if "__" in name]
    assert qualified == []
    readable = re.compile(r"^[A-Z][A-Za-z0-9]*(-Input|-Output)?$")
    assert [name for name in names if not readable.match(name)] == []


def test_every_route_has_a_written_summary(spec: dict[str, Any]) -> None:
    """FastAPI makes a summary from the function's name ("File Appeal") when none is given;
    the function's name is what the operation id holds before its path and method."""
    generated = []
    for method, path, operation in operations(spec):
        suffix = re.sub(r"\W", "_", path) + "_" + method
        operation_id = operation["operationId"]
        assert operation_id.endswith(suffix), operation_id
        from_name = operation_id.removesuffix(suffix).replace("_", " ").title()
        summary = operation.get("summary")
        if not summary or summary == from_name:
            generated.append(f"{method.upper()} {path}: {summary}")
    assert generated == []


def _python_identifier(value: str) -> str:
    """How openapi-python-client names an operation's module (snake case of its id)."""
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9]+", "_", value.lower())).strip("_")


def test_a_generated_python_client_covers_every_operation_without_a_warning(
    spec: dict[str, Any], tmp_path: Path
) -> None:
    document = tmp_path / "openapi.json"
    document.write_text(json.dumps(spec))
    bin_dir = Path(sys.executable).parent
    generator = bin_dir / "openapi-python-client"
    assert generator.exists(), "openapi-python-client is in the dev extra"
    # The generator formats its output with ruff, found on PATH (ours, of the dev extra).
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    # The case export is a zip: the generator knows binary bodies as
    # application/octet-stream only, and its documented setting maps a type to one it knows.
    config = tmp_path / "generator.yaml"
    config.write_text("content_type_overrides:\n  application/zip: application/octet-stream\n")
    command = [str(generator), "generate", "--path", str(document), "--meta", "none"]
    command += ["--config", str(config)]
    result = subprocess.run(
        [*command, "--output-path", str(tmp_path / "client")],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    warnings = [
        line
        for line in output.splitlines()
        if re.search(r"warning|unable to|cannot|could not|skipping|error", line, re.IGNORECASE)
    ]
    assert warnings == [], output

    modules = {
        path.stem: path
        for path in (tmp_path / "client" / "api").rglob("*.py")
        if path.stem != "__init__"
    }
    missing, unparsed = [], []
    for method, path, operation in operations(spec):
        module = modules.get(_python_identifier(operation["operationId"]))
        if module is None:
            missing.append(f"{method.upper()} {path}")
            continue
        source = module.read_text()
        assert "def sync_detailed(" in source, module
        for status in operation["responses"]:
            # Each documented success is parsed into its model, not dropped.
            if status.startswith("2") and f"response.status_code == {status}" not in source:
                unparsed.append(f"{method.upper()} {path} {status}")
    assert missing == []
    assert unparsed == []
    assert len(modules) == sum(1 for _ in operations(spec))
