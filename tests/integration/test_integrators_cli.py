"""``yagona integrators`` on PostgreSQL: create prints the key once, the key works, revoke
stops it; list prints ids whole at any width, and revoke takes a unique prefix of one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from uuid import UUID

import pytest
from typer.testing import CliRunner

from api.cli import app as cli
from application.integrators import IntegratorClient
from application.principal import Principal
from domain.context import CommandContext
from domain.identity import SCOPES
from infrastructure.container import Container
from tests.conftest import TEST_NOW

YAGONA = str(Path(sys.executable).parent / "yagona")
ADMIN = Principal("admin-1", "admin")
CTX = CommandContext(actor="admin-1", role="admin", correlation_id="integrators-cli")


def env_of(container: Container) -> dict[str, str]:
    settings = container.settings
    assert settings.cipher_key is not None
    return {
        "YAGONA_DATABASE_URL": settings.database_url or "",
        "YAGONA_DB_SCHEMA": settings.db_schema,
        "YAGONA_DATA_DIR": str(settings.data_dir),
        "YAGONA_CIPHER_KEY": settings.cipher_key.get_secret_value(),
        "YAGONA_LOG_LEVEL": "WARNING",
    }


def test_create_list_and_revoke_a_client(container: Container) -> None:
    env = env_of(container)
    runner = CliRunner()
    created = runner.invoke(
        cli, ["integrators", "create", "--name", "Central Bank", "--scopes", "feed:read"], env=env
    )
    assert created.exit_code == 0, created.output
    api_key = created.stdout.strip()
    assert api_key.startswith("yk_")
    principal = container.integrators.authenticate(api_key)
    assert principal is not None
    assert principal.scopes == {"feed:read"}

    listed = runner.invoke(cli, ["integrators", "list"], env=env)
    assert listed.exit_code == 0
    assert principal.subject in listed.stdout  # the id, whole
    assert "Central" in listed.stdout  # (the name may wrap at its space)
    assert api_key not in listed.stdout

    revoked = runner.invoke(
        cli, ["integrators", "revoke", principal.subject, "--reason", "ended"], env=env
    )
    assert revoked.exit_code == 0, revoked.output
    assert container.integrators.authenticate(api_key) is None
    client = container.integrators.store.get(UUID(principal.subject))
    assert client is not None
    assert client.revoke_reason == "ended"


def test_bad_input_is_a_clear_error(container: Container) -> None:
    env = env_of(container)
    runner = CliRunner()
    unknown = runner.invoke(
        cli, ["integrators", "create", "--name", "X", "--scopes", "feed:write"], env=env
    )
    assert unknown.exit_code == 2
    assert "unknown scopes" in unknown.output
    missing = runner.invoke(
        cli,
        ["integrators", "revoke", "6f1f3c1e-8d2a-4b7e-9c4d-3a2b1c0d9e8f", "--reason", "x"],
        env=env,
    )
    assert missing.exit_code == 2
    assert "no integrator client" in missing.output


def yagona(container: Container, *args: str, columns: int = 80) -> subprocess.CompletedProcess[str]:
    """The ``yagona`` executable, as an operator runs it, on a terminal ``columns`` wide."""
    env = {**os.environ, **env_of(container), "COLUMNS": str(columns)}
    return subprocess.run(
        [YAGONA, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def add(container: Container, client_id: str, name: str = "Bank") -> IntegratorClient:
    """A client with an id of the test's choosing (as ``create`` would store it)."""
    client = IntegratorClient(
        id=UUID(client_id),
        name=name,
        scopes=frozenset(SCOPES),
        key_sha256="0" * 64,
        created_at=TEST_NOW,
        created_by="cli:test",
    )
    container.integrators.store.add(client)
    return client


def test_list_prints_every_id_whole_at_any_width(container: Container) -> None:
    long_name = "Central Bank of the Republic of Uzbekistan, statistics and reporting department"
    issued = [
        container.integrators.create(ADMIN, CTX, name=long_name, scopes=list(SCOPES)),
        container.integrators.create(ADMIN, CTX, name="Tax Committee", scopes=["feed:read"]),
    ]
    ids = [str(i.client.id) for i in issued]
    for columns in (40, 80, 200):
        listed = yagona(container, "integrators", "list", columns=columns)
        assert listed.returncode == 0, listed.stderr
        for client_id in ids:
            assert client_id in listed.stdout, (columns, listed.stdout)
        assert "…" not in listed.stdout

    as_json = yagona(container, "integrators", "list", "--json", columns=40)
    assert as_json.returncode == 0, as_json.stderr
    body = {c["id"]: c for c in json.loads(as_json.stdout)}
    assert sorted(body) == sorted(ids)
    assert body[ids[0]]["name"] == long_name
    assert body[ids[0]]["scopes"] == sorted(SCOPES)
    assert body[ids[1]]["active"] is True
    for each in issued:  # neither the key nor its hash
        assert each.api_key not in as_json.stdout
        assert each.client.key_sha256 not in as_json.stdout


def test_revoke_takes_a_unique_prefix_of_an_id(container: Container) -> None:
    add(container, "5e6f7a8b-0000-4000-8000-000000000001")
    target = add(container, "5e6f9999-0000-4000-8000-000000000002")

    revoked = yagona(container, "integrators", "revoke", "5e6f9", "--reason", "contract ended")
    assert revoked.returncode == 0, revoked.stderr
    assert f"client {target.id} revoked" in revoked.stderr
    client = container.integrators.store.get(target.id)
    assert client is not None
    assert client.revoke_reason == "contract ended"
    other = container.integrators.store.get(UUID("5e6f7a8b-0000-4000-8000-000000000001"))
    assert other is not None
    assert other.active


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("5e6f", "5e6f is the start of more than one client's id ("),
        ("7c7c7c7c", "no integrator client whose id starts with 7c7c7c7c"),
        ("5e", "give at least 4 characters of the client's id"),
        ("5e6f-zz", "is not an integrator client's id or the start of one"),
    ],
    ids=["ambiguous", "unknown", "too short", "not hex"],
)
def test_a_prefix_that_names_no_single_client_is_a_clear_error(
    container: Container, given: str, says: str
) -> None:
    first = add(container, "5e6f7a8b-0000-4000-8000-000000000001")
    second = add(container, "5e6f9999-0000-4000-8000-000000000002")

    refused = yagona(container, "integrators", "revoke", given, "--reason", "x")
    assert refused.returncode == 2, refused.stderr
    assert says in " ".join(refused.stderr.split()), refused.stderr  # (the console wraps)
    if given == "5e6f":  # the candidates, named whole
        assert str(first.id) in refused.stderr
        assert str(second.id) in refused.stderr
    assert "Traceback" not in refused.stderr
    assert all(c.active for c in container.integrators.store.all())  # nothing revoked
