"""``yagona integrators`` on PostgreSQL: create prints the key once, the key works, revoke
stops it."""

from __future__ import annotations

from uuid import UUID

from typer.testing import CliRunner

from api.cli import app as cli
from infrastructure.container import Container


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
    assert "Central Bank" in listed.stdout
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
