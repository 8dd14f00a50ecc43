"""The key case exports are signed with is public: ``GET /v1/audit/export-key`` serves
it to anyone, and ``yagona audit export-key`` prints the same key for the installation."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import app as cli
from application.principal import Principal
from infrastructure.container import Container
from tests.conftest import TEST_CIPHER_KEY
from tests.e2e.cases import headers


def test_the_endpoint_serves_the_key_the_cli_prints(
    client: TestClient, container: Container, tmp_path: Path
) -> None:
    served = client.get("/v1/audit/export-key")
    assert served.status_code == 200, served.text
    key = container.export_signer.key
    assert served.json() == {
        "algorithm": "Ed25519",
        "key_id": key.key_id,
        "public_key": key.public_key_b64,
    }
    auditor = headers(container, Principal("auditor-1", "auditor"))
    assert client.get("/v1/audit/export-key", headers=auditor).json() == served.json()

    env = {
        "YAGONA_CIPHER_KEY": TEST_CIPHER_KEY,  # the container's: the key derives from it
        "YAGONA_DATABASE_URL": "postgresql://yagona@127.0.0.1:1/unused",  # never connected
        "YAGONA_DATA_DIR": str(tmp_path),
    }
    printed = CliRunner().invoke(cli, ["audit", "export-key"], env=env)
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.stdout) == served.json()
    assert list(tmp_path.iterdir()) == []  # nothing created


def test_the_cli_does_not_make_a_key_for_a_new_installation(tmp_path: Path) -> None:
    printed = CliRunner().invoke(
        cli, ["audit", "export-key"], env={"YAGONA_DATA_DIR": str(tmp_path / "var")}
    )
    assert printed.exit_code == 2
    assert "no Yagona installation" in printed.output
    assert not (tmp_path / "var").exists()
