"""``yagona integrators``: create, list and revoke integrator clients."""

from __future__ import annotations

import getpass
import json
import sys
from typing import Annotated, Any
from uuid import uuid4

import typer
from rich.markup import escape
from rich.table import Table

from api.cli_common import err, load_settings, open_container
from api.cli_render import print_whole
from application.integrators import IntegratorClient
from application.principal import Principal
from domain.context import CommandContext
from domain.errors import DomainError
from domain.identity import ADMIN, SCOPES

integrators_app = typer.Typer(
    help="Integrator clients: API keys with scopes for the feed, read models and webhooks.",
    no_args_is_help=True,
)


def _operator() -> tuple[Principal, CommandContext]:
    subject = f"cli:{getpass.getuser()}"
    return Principal(subject=subject, role=ADMIN), CommandContext(
        actor=subject, role=ADMIN, correlation_id=uuid4().hex
    )


@integrators_app.command("create")
def create(
    name: Annotated[str, typer.Option(help="who the client is, e.g. 'Central Bank reporting'")],
    scopes: Annotated[str, typer.Option(help=f"comma-separated, of: {', '.join(SCOPES)}")],
) -> None:
    """Create a client; its API key is printed once (alone on stdout) and kept only hashed."""
    settings = load_settings()
    container = open_container(settings)
    principal, ctx = _operator()
    try:
        issued = container.integrators.create(
            principal, ctx, name=name, scopes=[s.strip() for s in scopes.split(",") if s.strip()]
        )
    except DomainError as error:
        err.print(f"[red]{error.detail}[/red]")
        raise typer.Exit(2) from None
    finally:
        container.close()
    err.print(
        f"client {issued.client.id} ({', '.join(sorted(issued.client.scopes))}); "
        "its API key follows, shown this once:"
    )
    sys.stdout.write(issued.api_key + "\n")


@integrators_app.command("list")
def list_clients(
    as_json: Annotated[
        bool, typer.Option("--json", help="print the clients as a JSON array on stdout")
    ] = False,
) -> None:
    """Every client, active or revoked, with its id whole (at any terminal width)."""
    settings = load_settings()
    container = open_container(settings)
    try:
        clients = container.integrators.clients(_operator()[0])
    finally:
        container.close()
    if as_json:
        sys.stdout.write(json.dumps([_as_json(c) for c in clients], indent=2) + "\n")
        return
    table = Table(title="integrator clients")
    table.add_column("id", no_wrap=True)
    for column in ("name", "scopes"):
        table.add_column(column)
    table.add_column("created", no_wrap=True)
    table.add_column("revoked")
    for c in clients:
        revoked = f"{c.revoked_at:%Y-%m-%d %H:%M} ({c.revoke_reason})" if c.revoked_at else ""
        table.add_row(
            str(c.id),
            escape(c.name),
            ", ".join(sorted(c.scopes)),
            f"{c.created_at:%Y-%m-%d}",
            escape(revoked),
        )
    print_whole(table)


def _as_json(client: IntegratorClient) -> dict[str, Any]:
    """What an administrator may see of a client: never its key, nor the key's hash."""
    return {
        "id": str(client.id),
        "name": client.name,
        "scopes": sorted(client.scopes),
        "active": client.active,
        "created_at": client.created_at.isoformat(),
        "created_by": client.created_by,
        "revoked_at": client.revoked_at.isoformat() if client.revoked_at else None,
        "revoked_by": client.revoked_by,
        "revoke_reason": client.revoke_reason,
    }


@integrators_app.command("revoke")
def revoke(
    client_id: Annotated[
        str, typer.Argument(help="the client's id, or enough of its start to name only it")
    ],
    reason: Annotated[str, typer.Option(help="why (recorded)")],
) -> None:
    """Revoke a client: its API key and its tokens stop working at once."""
    settings = load_settings()
    container = open_container(settings)
    principal, ctx = _operator()
    try:
        client = container.integrators.client(principal, client_id)
        client = container.integrators.revoke(principal, ctx, client.id, reason=reason)
    except DomainError as error:
        err.print(f"[red]{escape(error.detail)}[/red]")
        raise typer.Exit(2) from None
    finally:
        container.close()
    err.print(f"client {client.id} revoked at {client.revoked_at:%Y-%m-%d %H:%M:%S}")
