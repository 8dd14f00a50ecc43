"""``yagona integrators``: create, list and revoke integrator clients."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated
from uuid import UUID, uuid4

import typer
from rich.console import Console
from rich.table import Table

from api.cli_common import err, load_settings, open_container
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
def list_clients() -> None:
    """Every client, active or revoked."""
    settings = load_settings()
    container = open_container(settings)
    try:
        clients = container.integrators.clients(_operator()[0])
    finally:
        container.close()
    table = Table(title="integrator clients")
    for column in ("id", "name", "scopes", "created", "revoked"):
        table.add_column(column)
    for c in clients:
        revoked = f"{c.revoked_at:%Y-%m-%d %H:%M} ({c.revoke_reason})" if c.revoked_at else ""
        table.add_row(
            str(c.id), c.name, ", ".join(sorted(c.scopes)), f"{c.created_at:%Y-%m-%d}", revoked
        )
    Console().print(table)


@integrators_app.command("revoke")
def revoke(
    client_id: Annotated[UUID, typer.Argument(help="the client's id")],
    reason: Annotated[str, typer.Option(help="why (recorded)")],
) -> None:
    """Revoke a client: its API key and its tokens stop working at once."""
    settings = load_settings()
    container = open_container(settings)
    principal, ctx = _operator()
    try:
        client = container.integrators.revoke(principal, ctx, client_id, reason=reason)
    except DomainError as error:
        err.print(f"[red]{error.detail}[/red]")
        raise typer.Exit(2) from None
    finally:
        container.close()
    err.print(f"client {client.id} revoked at {client.revoked_at:%Y-%m-%d %H:%M:%S}")
