"""``yagona staff`` on PostgreSQL: appoint, list and revoke, as another process sees them
(the directory is event-sourced in its own, encrypted, events table)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from api.cli import app as cli
from application.principal import Identity, Principal
from application.seeding import seed
from domain.context import CommandContext
from domain.errors import NotAppointed
from infrastructure.container import Container
from infrastructure.reference_data import load_reference_data
from tests.conftest import TEST_NOW
from tests.integration.test_integrators_cli import env_of

AGENCY = "justice-1703202"
CTX = CommandContext(actor="system:seed", role="system", correlation_id="staff-cli")


def test_appoint_list_and_revoke_staff(container: Container) -> None:
    seed(container.catalogue, load_reference_data(), CTX, today=TEST_NOW.date())
    env = env_of(container)
    runner = CliRunner()

    admin = runner.invoke(cli, ["staff", "appoint", "admin-1", "--role", "admin"], env=env)
    assert admin.exit_code == 0, admin.output
    officer = [
        "staff", "appoint", "officer-17", "--role", "officer", "--agency", AGENCY,
        "--position", "Chief specialist", "--name", "Dilnoza Rahimova",
    ]  # fmt: skip
    appointed = runner.invoke(cli, officer, env=env)
    assert appointed.exit_code == 0, appointed.output
    assert f"appointed officer of {AGENCY}" in appointed.output
    again = runner.invoke(cli, officer, env=env)
    assert again.exit_code == 0
    assert "nothing changed" in again.output

    listed = runner.invoke(cli, ["staff", "list", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    members = {m["subject"]: m for m in json.loads(listed.stdout)}
    assert set(members) == {"admin-1", "officer-17"}
    assert members["officer-17"] | {"appointed_at": None} == {
        "subject": "officer-17",
        "role": "officer",
        "agency": AGENCY,
        "position": "Chief specialist",
        "name": "Dilnoza Rahimova",
        "active": True,
        "appointed_at": None,
        "appointed_by": members["officer-17"]["appointed_by"],
        "revoked_at": None,
        "revoked_by": None,
        "revoke_reason": None,
    }
    assert members["officer-17"]["appointed_by"].startswith("cli:")
    table = runner.invoke(cli, ["staff", "list"], env=env)
    assert table.exit_code == 0
    assert "officer-17" in table.stdout

    # what the CLI recorded, this container reads: the request's principal comes from it
    assert container.staff.resolve(Identity("officer-17", name="From the provider")) == Principal(
        "officer-17", "officer", agency=AGENCY, name="Dilnoza Rahimova", position="Chief specialist"
    )
    revoked = runner.invoke(
        cli, ["staff", "revoke", "officer-17", "--reason", "Transferred"], env=env
    )
    assert revoked.exit_code == 0, revoked.output
    with pytest.raises(NotAppointed):
        container.staff.resolve(Identity("officer-17"))
    listed = runner.invoke(cli, ["staff", "list", "--json"], env=env)
    gone = next(m for m in json.loads(listed.stdout) if m["subject"] == "officer-17")
    assert (gone["active"], gone["revoke_reason"]) == (False, "Transferred")

    # the directory's events are in the audit chains: sealed and verified with the others
    assert runner.invoke(cli, ["audit", "seal"], env=env).exit_code == 0
    verified = runner.invoke(cli, ["audit", "verify", "--json"], env=env)
    assert verified.exit_code == 0, verified.output
    database = container.database
    assert database is not None
    with database.connect() as connection:
        counts = {
            table: connection.execute(
                f'SELECT count(*) FROM "{database.schema}".{table}'
            ).fetchone()
            for table in ("catalogue_events", "cases_events", "payments_events", "staff_events")
        }
        # names are personal data: the events table holds them encrypted
        rows = connection.execute(f'SELECT state FROM "{database.schema}".staff_events').fetchall()
    assert json.loads(verified.stdout)["events"] == sum(int(c[0]) for c in counts.values() if c)
    assert len(rows) >= 4
    assert not any(b"Dilnoza" in bytes(row[0]) or b"officer" in bytes(row[0]) for row in rows)


def test_refusals_are_clear_errors(container: Container) -> None:
    seed(container.catalogue, load_reference_data(), CTX, today=TEST_NOW.date())
    env = env_of(container)
    runner = CliRunner()
    unknown = runner.invoke(
        cli, ["staff", "appoint", "x-1", "--role", "officer", "--agency", "nowhere-1"], env=env
    )
    assert unknown.exit_code == 2
    assert "no agency has code 'nowhere-1'" in unknown.output
    citizen = runner.invoke(cli, ["staff", "appoint", "x-1", "--role", "citizen"], env=env)
    assert citizen.exit_code == 2
    assert "citizens are whoever the identity provider says" in " ".join(citizen.output.split())
    assert (
        runner.invoke(cli, ["staff", "appoint", "a-1", "--role", "admin"], env=env).exit_code == 0
    )
    last = runner.invoke(cli, ["staff", "revoke", "a-1"], env=env)
    assert last.exit_code == 2
    assert "last administrator" in last.output
    missing = runner.invoke(cli, ["staff", "revoke", "nobody"], env=env)
    assert missing.exit_code == 2
    assert "no staff member has this subject" in missing.output
