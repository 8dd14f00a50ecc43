"""The ``yagona`` command line: serve, worker, seed, token, projections, audit, integrators,
blobs, staff, calendar."""

from __future__ import annotations

import signal
import sys
from typing import Annotated
from uuid import uuid4

import typer
import uvicorn
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn
from rich.table import Table

from api.app import create_app
from api.cli_audit import audit_app
from api.cli_blobs import blobs_app
from api.cli_calendar import calendar_app
from api.cli_common import err, load_settings, log, open_container
from api.cli_integrators import integrators_app
from api.cli_render import EventCount
from api.cli_staff import staff_app
from api.stop_signals import StopSignals
from application.principal import Principal
from application.seeding import seed as seed_catalogue
from domain.context import CommandContext
from domain.errors import DomainError
from domain.identity import CITIZEN
from infrastructure.bootstrap import (
    PROJECTIONS,
    SystemClock,
    TokenService,
    load_reference_data,
    new_key,
)

app = typer.Typer(
    name="yagona",
    help="Yagona: the event-sourced core of a unified portal of interactive state services.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
projections_app = typer.Typer(help="Read models: status and rebuilds.", no_args_is_help=True)
app.add_typer(projections_app, name="projections")
app.add_typer(audit_app, name="audit")
app.add_typer(integrators_app, name="integrators")
app.add_typer(blobs_app, name="blobs")
app.add_typer(staff_app, name="staff")
app.add_typer(calendar_app, name="calendar")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="address to bind (YAGONA_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="port to bind (YAGONA_PORT)")] = None,
    worker: Annotated[
        bool, typer.Option("--worker/--no-worker", help="run projections in this process")
    ] = True,
) -> None:
    """Serve the HTTP API (and, unless --no-worker, the projections in-process)."""
    loaded = load_settings()
    settings = loaded.bound_to(host or loaded.host, port or loaded.port)
    container = open_container(settings, start_workers=worker, initialise=True)
    log.info(
        "serve.starting",
        host=settings.host,
        port=settings.port,
        public_base_url=settings.public_base_url,
        worker=worker,
        database="external" if settings.database_url else "embedded",
    )
    uvicorn.run(
        create_app(container, owns_container=True),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        server_header=False,
    )


@app.command()
def worker() -> None:
    """Run every projection (and policy) until SIGINT or SIGTERM."""
    stop = StopSignals()  # before anything starts, so none is lost
    settings = load_settings()
    container = open_container(settings, start_workers=True)
    log.info("worker.started", projections=[spec.name for spec in PROJECTIONS])
    received = stop.wait()
    log.info("worker.stopping", signal=signal.Signals(received).name)
    container.close()


@app.command()
def seed(
    synthetic: Annotated[
        int, typer.Option(min=0, max=100000, help="also add N synthetic services (scale tests)")
    ] = 0,
) -> None:
    """Seed reference data idempotently: territories, agencies, services, BHM rates, the
    holiday calendar."""
    settings = load_settings()
    container = open_container(settings, initialise=True)
    try:
        ctx = CommandContext(actor="system:seed", role="system", correlation_id=uuid4().hex)
        report = seed_catalogue(
            container.catalogue,
            load_reference_data(synthetic=synthetic),
            ctx,
            today=container.clock.today(),
        )
    except DomainError as error:
        err.print(f"[red]reference data rejected:[/red] {error.detail}")
        raise typer.Exit(1) from None
    finally:
        container.close()
    table = Table(title="yagona seed")
    for column in ("", "created", "changed", "unchanged"):
        table.add_column(column)
    kinds = sorted({*report.created, *report.changed, *report.unchanged})
    for kind in kinds:
        table.add_row(
            kind, str(report.created[kind]), str(report.changed[kind]), str(report.unchanged[kind])
        )
    Console(stderr=True).print(table)
    err.print(f"{report.events} events recorded" if report.events else "nothing to change")


@app.command()
def token(
    role: Annotated[str, typer.Option(help="citizen, officer, auditor, integrator or admin")],
    sub: Annotated[str, typer.Option(help="subject: a citizen's PINFL, else an account id")],
    agency: Annotated[str | None, typer.Option(help="officers: the agency code")] = None,
    scopes: Annotated[str | None, typer.Option(help="integrators: comma-separated scopes")] = None,
    ttl: Annotated[int | None, typer.Option(min=60, help="lifetime in seconds")] = None,
    name: Annotated[
        str | None,
        typer.Option(help="full name for documents: a citizen's, or the signing officer's"),
    ] = None,
    position: Annotated[
        str | None,
        typer.Option(help="officers: their position, printed on the documents they sign"),
    ] = None,
) -> None:
    """Print a development bearer token (alone on stdout), signed with the configured secret.
    Production mints none: people sign in through the identity provider, integrators call
    with API keys."""
    settings = load_settings()
    if settings.is_production:
        err.print(
            "[red]cannot mint this token:[/red] production accepts only the identity "
            "provider's tokens (YAGONA_JWT_JWKS_URL); integrators call with API keys"
        )
        raise typer.Exit(2)
    try:
        principal = Principal(
            subject=sub,
            role=role,
            agency=agency,
            scopes=frozenset(s.strip() for s in (scopes or "").split(",") if s.strip()),
            name=name,
            position=position,
        )
    except DomainError as error:
        err.print(f"[red]cannot mint this token:[/red] {error.detail}")
        raise typer.Exit(2) from None
    service = TokenService(
        settings.jwt_secret.get_secret_value(),
        issuer=settings.jwt_issuer,
        ttl_seconds=settings.token_ttl_seconds,
        clock=SystemClock(),
        max_staff_seconds=settings.token_max_lifetime_staff_seconds,
        max_citizen_seconds=settings.token_max_lifetime_citizen_seconds,
    )
    maximum = service.max_lifetime(principal.role)
    if ttl is not None and ttl > maximum:
        setting = "CITIZEN" if principal.role == CITIZEN else "STAFF"
        err.print(
            f"[red]cannot mint this token:[/red] a {principal.role}'s token lives at most "
            f"{maximum} seconds (YAGONA_TOKEN_MAX_LIFETIME_{setting}_SECONDS), not {ttl}"
        )
        raise typer.Exit(2)
    if settings.jwt_jwks_url and not settings.local_tokens_allowed:
        err.print(
            "[yellow]an identity provider is configured (YAGONA_JWT_JWKS_URL): the server "
            "refuses local tokens unless YAGONA_ALLOW_LOCAL_TOKENS=true[/yellow]"
        )
    sys.stdout.write(service.mint(principal, ttl_seconds=ttl) + "\n")


@app.command()
def keygen() -> None:
    """Print a new random key (base64, 32 bytes) for YAGONA_CIPHER_KEY or
    YAGONA_EXPORT_SIGNING_KEY."""
    sys.stdout.write(new_key() + "\n")


@projections_app.command("status")
def projections_status() -> None:
    """Each read model's position and lag."""
    settings = load_settings()
    container = open_container(settings)
    try:
        table = Table(title="read models")
        for column in ("name", "position", "head", "lag"):
            table.add_column(column)
        for row in container.projection_status():
            table.add_row(row["name"], str(row["position"]), str(row["head"]), str(row["lag"]))
        Console().print(table)
    finally:
        container.close()


@projections_app.command("rebuild")
def projections_rebuild(
    name: Annotated[str | None, typer.Argument(help="one read model; all if omitted")] = None,
) -> None:
    """Rebuild read models from the events (the live tables keep serving until the swap)."""
    settings = load_settings()
    container = open_container(settings)
    names = [name] if name else [spec.name for spec in PROJECTIONS]
    try:
        for each in names:
            with Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                EventCount(),
                TimeRemainingColumn(),
                console=err,
            ) as progress:
                task = progress.add_task(each, total=None)

                def advance(done: int, total: int, task: TaskID = task) -> None:
                    progress.update(task, completed=done, total=total)

                try:
                    report = container.rebuild_projection(each, progress=advance)
                except KeyError as error:
                    err.print(f"[red]{error.args[0]}[/red]")
                    raise typer.Exit(2) from None
            err.print(
                f"{report.name}: {report.events} events in {report.seconds:.2f}s "
                f"({report.rate:,.0f} events/s)"
            )
    finally:
        container.close()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
