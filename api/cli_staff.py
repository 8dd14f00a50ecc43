"""``yagona staff``: appoint, list and revoke staff members (officers, auditors, admins)."""

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
from application.principal import Principal
from domain.context import CommandContext
from domain.errors import DomainError
from domain.identity import ADMIN
from domain.staff import StaffMember

staff_app = typer.Typer(
    help="The staff directory: who is an officer (of which agency), an auditor, an admin. "
    "With an identity provider configured, callers' roles come from here.",
    no_args_is_help=True,
)


def operator() -> tuple[Principal, CommandContext]:
    """Whoever runs the command on the server administers the directory (the first
    administrator is appointed this way)."""
    subject = f"cli:{getpass.getuser()}"
    return Principal(subject=subject, role=ADMIN), CommandContext(
        actor=subject, role=ADMIN, correlation_id=uuid4().hex
    )


@staff_app.command("appoint")
def appoint(
    subject: Annotated[str, typer.Argument(help="the identity provider's subject (sub)")],
    role: Annotated[str, typer.Option(help="officer, auditor or admin")],
    agency: Annotated[str | None, typer.Option(help="officers: the agency's code")] = None,
    position: Annotated[
        str | None, typer.Option(help="officers: printed under their name on documents")
    ] = None,
    name: Annotated[str | None, typer.Option(help="the name documents are signed with")] = None,
) -> None:
    """Appoint someone, or change their appointment; the same one again changes nothing."""
    container = open_container(load_settings())
    principal, ctx = operator()
    try:
        appointment = container.staff.appoint(
            principal,
            ctx,
            subject=subject,
            role=role,
            agency=agency,
            position=position,
            name=name,
        )
    except DomainError as error:
        err.print(f"[red]{escape(error.detail)}[/red]")
        raise typer.Exit(2) from None
    finally:
        container.close()
    terms = appointment.member.terms
    what = f"{terms.role} of {terms.agency}" if terms.agency else terms.role
    verb = "appointed" if appointment.changed else "already appointed, nothing changed:"
    err.print(f"{escape(subject)} {verb} {what}")


@staff_app.command("revoke")
def revoke(
    subject: Annotated[str, typer.Argument(help="the staff member's subject")],
    reason: Annotated[str, typer.Option(help="why (recorded)")] = "revoked by an operator",
) -> None:
    """Revoke an appointment: from the next request the person is no longer staff."""
    container = open_container(load_settings())
    principal, ctx = operator()
    try:
        member = container.staff.revoke(principal, ctx, subject, reason=reason)
    except DomainError as error:
        err.print(f"[red]{escape(error.detail)}[/red]")
        raise typer.Exit(2) from None
    finally:
        container.close()
    err.print(f"{escape(member.subject)} revoked at {member.revoked_at:%Y-%m-%d %H:%M:%S}")


@staff_app.command("list")
def list_members(
    as_json: Annotated[
        bool, typer.Option("--json", help="print the members as a JSON array on stdout")
    ] = False,
) -> None:
    """Every staff member, appointed or revoked, in the order first appointed."""
    container = open_container(load_settings())
    principal, _ = operator()
    members: list[StaffMember] = []
    try:
        after = 0
        while page := container.staff.members(principal, after=after, limit=500):
            members.extend(listed.member for listed in page)
            after = page[-1].position
    finally:
        container.close()
    if as_json:
        sys.stdout.write(json.dumps([_as_json(m) for m in members], indent=2) + "\n")
        return
    table = Table(title="staff directory")
    table.add_column("subject", no_wrap=True)
    for column in ("role", "agency", "position", "name", "appointed", "revoked"):
        table.add_column(column)
    for m in members:
        t = m.terms
        revoked = f"{m.revoked_at:%Y-%m-%d %H:%M} ({m.revoke_reason})" if m.revoked_at else ""
        table.add_row(
            escape(m.subject),
            t.role,
            escape(t.agency or ""),
            escape(t.position or ""),
            escape(t.name or ""),
            f"{m.appointed_at:%Y-%m-%d}",
            escape(revoked),
        )
    print_whole(table)


def _as_json(member: StaffMember) -> dict[str, Any]:
    return {
        "subject": member.subject,
        **member.terms.as_dict(),
        "active": member.active,
        "appointed_at": member.appointed_at.isoformat(),
        "appointed_by": member.appointed_by,
        "revoked_at": member.revoked_at.isoformat() if member.revoked_at else None,
        "revoked_by": member.revoked_by,
        "revoke_reason": member.revoke_reason,
    }
