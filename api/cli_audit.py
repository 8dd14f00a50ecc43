"""``yagona audit``: verify the hash chains, seal their heads, export a case."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Annotated
from uuid import uuid4

import typer
from rich.markup import escape
from rich.table import Table

from api.cli_common import err, load_settings, open_container, refuse_a_new_installation
from api.cli_render import events_progress, print_whole
from application.case_export import ExportVerification, read_export, verify_export
from application.export_proof import parse_public_key
from application.principal import Principal
from domain.audit_chain import Finding
from domain.context import CommandContext
from domain.errors import DomainError
from domain.identity import AUDITOR
from infrastructure.bootstrap import (
    UnsafeConfiguration,
    VerificationReport,
    ed25519_check,
    export_signer,
)

audit_app = typer.Typer(
    help="Tamper evidence: verify chains, seal heads, export cases.", no_args_is_help=True
)


def _auditor() -> tuple[Principal, CommandContext]:
    """The operator running the command, recorded as an auditor in the access log."""
    subject = f"cli:{getpass.getuser()}"
    principal = Principal(subject=subject, role=AUDITOR)
    return principal, CommandContext(actor=subject, role=AUDITOR, correlation_id=uuid4().hex)


def _print_findings(findings: list[Finding]) -> None:
    table = Table(title="broken links (first per chain)")
    for column in ("stream", "aggregate", "version", "problem"):
        table.add_column(column, no_wrap=True)
    table.add_column("detail")
    for f in findings:
        table.add_row(f.stream, f.aggregate_id, str(f.version), f.problem, f.detail)
    print_whole(table, stderr=True)


def _report(report: VerificationReport, as_json: bool) -> None:
    if as_json:
        body = {
            "intact": report.intact,
            "events": report.events,
            "aggregates": report.aggregates,
            "seconds": round(report.seconds, 3),
            "events_per_second": round(report.rate),
            "findings": [f.to_dict() for f in report.findings],
        }
        sys.stdout.write(json.dumps(body) + "\n")
    elif report.findings:
        _print_findings(report.findings)
    err.print(
        f"{'intact' if report.intact else '[red]TAMPERED[/red]'}: {report.events:,} events "
        f"in {report.aggregates:,} chains, {report.seconds:.2f}s ({report.rate:,.0f} events/s)"
    )
    if not report.intact:
        raise typer.Exit(1)


@audit_app.command("verify")
def verify(
    application: Annotated[
        str | None, typer.Option(help="one case: its id or tracking number")
    ] = None,
    export: Annotated[
        Path | None,
        typer.Option(
            help="verify an exported case offline (its directory or zip file), not the database"
        ),
    ] = None,
    public_key: Annotated[
        str | None,
        typer.Option(
            help="with --export: the public key you trust (base64, or a file holding it or "
            "the JSON of `yagona audit export-key`); else the export's own key is used"
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Recompute the hash chains and compare them with the recorded links and sealed
    heads. Exits 1 when anything was altered, and names the first broken link. With
    --export, also checks the export's signature and each event's line."""
    if export is not None:
        _verify_export(export, _trusted_key(public_key), as_json)
        return
    if public_key is not None:
        err.print("[red]--public-key checks an export: give --export PATH too[/red]")
        raise typer.Exit(2)
    settings = load_settings()
    container = open_container(settings)
    try:
        if application is not None:
            principal, ctx = _auditor()
            try:
                report = container.audit.verify(principal, ctx, application)
            except DomainError as error:
                err.print(f"[red]{error.detail}[/red]")
                raise typer.Exit(2) from None
        else:
            with events_progress(err, rate=True) as progress:
                task = progress.add_task("verifying", total=None)

                def advance(done: int, total: int) -> None:
                    progress.update(task, completed=done, total=total)

                report = container.verifier.verify_all(progress=advance)
    finally:
        container.close()
    _report(report, as_json)


def _trusted_key(given: str | None) -> bytes | None:
    """The public key given with --public-key: base64, or a file holding it."""
    if given is None:
        return None
    try:
        path = Path(given)
        text = path.read_text() if len(given) < 4096 and path.is_file() else given
        return parse_public_key(text)
    except (ValueError, OSError, UnicodeDecodeError) as error:
        err.print(f"[red]--public-key: {escape(str(error))}[/red]")
        raise typer.Exit(2) from None


def _signature_json(result: ExportVerification) -> dict[str, object] | None:
    if result.key is None:
        return None
    return {**result.key.to_dict(), "trusted": result.trusted}


def _verify_export(path: Path, trusted_key: bytes | None, as_json: bool) -> None:
    try:
        files = read_export(path)
    except ValueError as error:
        err.print(f"[red]{escape(str(error))}[/red]")
        raise typer.Exit(2) from None
    result = verify_export(files, ed25519_check, trusted_key)
    problems, manifest = result.problems, files.manifest
    if as_json:
        body = {"intact": result.intact, "problems": problems, "signature": _signature_json(result)}
        sys.stdout.write(json.dumps(body) + "\n")
    for problem in problems:
        err.print(f"[red]{escape(problem)}[/red]")
    if result.key is not None and not result.trusted:
        err.print(
            f"signed by key {result.key.key_id} (public key {result.key.public_key_b64}), "
            "the export's own: compare it with the published key (`yagona audit export-key`, "
            "GET /v1/audit/export-key), or verify with --public-key",
            soft_wrap=True,
        )
    elif result.key is not None:
        err.print(f"signed by key {result.key.key_id}, the trusted key", soft_wrap=True)
    chains = len(manifest.get("chains", {}))
    err.print(
        f"{'intact' if result.intact else '[red]TAMPERED[/red]'}: export of case "
        f"{escape(str(manifest.get('case_id')))}, {escape(str(manifest.get('events')))} events "
        f"in {chains} chains"
    )
    if problems:
        raise typer.Exit(1)


@audit_app.command("export")
def export_command(
    application: Annotated[str, typer.Option(help="the case: its id or tracking number")],
    out: Annotated[
        Path,
        typer.Option(
            help="directory for events.jsonl, manifest.json and signature.json, or a zip "
            "file of them when the path ends with .zip"
        ),
    ],
) -> None:
    """Export a case's full history as JSON Lines plus a manifest of its chain hashes,
    signed with the installation's export key."""
    settings = load_settings()
    container = open_container(settings)
    principal, ctx = _auditor()
    try:
        case = container.queries.exports.export(principal, ctx, application)
    except DomainError as error:
        err.print(f"[red]{error.detail}[/red]")
        raise typer.Exit(2) from None
    finally:
        container.close()
    for path in case.write(out):
        err.print(f"wrote {path}")
    err.print(
        f"{case.manifest['events']} events, signed by key {case.manifest['signing_key_id']}; "
        f"verify with: yagona audit verify --export {out}"
    )


@audit_app.command("export-key")
def export_key() -> None:
    """Print the public key case exports are signed with (JSON: algorithm, key_id,
    public_key), as GET /v1/audit/export-key serves it: publish it for auditors."""
    settings = load_settings()
    if settings.export_signing_key is None:
        refuse_a_new_installation(settings)  # the key derives from this installation's
    try:
        key = export_signer(settings).key
    except UnsafeConfiguration as error:
        err.print(f"[red]configuration error:[/red] {escape(str(error))}")
        raise typer.Exit(2) from None
    sys.stdout.write(json.dumps(key.to_dict()) + "\n")


@audit_app.command("seal")
def seal() -> None:
    """Seal the heads of the chains that grew since the last seal (the worker also does
    this every YAGONA_AUDIT_SEAL_SECONDS)."""
    settings = load_settings()
    container = open_container(settings)
    try:
        sealed = container.seals.seal()
    finally:
        container.close()
    if sealed is None:
        err.print("nothing to seal: no chain grew since the last seal")
    else:
        err.print(f"seal {sealed.seq}: {len(sealed.heads):,} chain heads, hash {sealed.hash}")
