"""``yagona blobs``: attachments and result documents at rest (``DATA_DIR/blobs``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from api.cli_common import err, load_settings, refuse_a_new_installation
from infrastructure.bootstrap import (
    UnsafeConfiguration,
    blob_files,
    blob_store,
    key_in_file,
    migrate_blobs,
)

blobs_app = typer.Typer(
    help="Attachments and result documents at rest: encrypt, re-key.", no_args_is_help=True
)


@blobs_app.command("migrate")
def migrate(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="count what would change; change nothing")
    ] = False,
    previous_key_file: Annotated[
        list[Path] | None,
        typer.Option(
            help="a file holding a previous YAGONA_CIPHER_KEY (base64, alone): files "
            "encrypted with it are re-encrypted with the current key (repeatable)"
        ),
    ] = None,
) -> None:
    """Encrypt the clear-text files earlier versions left in DATA_DIR/blobs (and re-encrypt
    those under a previous key): each is rewritten, read back, then the old file removed.
    Resumable; a second run changes nothing. Exits 1 if a file is damaged."""
    settings = load_settings()
    refuse_a_new_installation(settings)
    try:
        previous = [key_in_file(path) for path in previous_key_file or []]
        store = blob_store(settings, previous)
    except UnsafeConfiguration as error:
        err.print(f"[red]configuration error:[/red] {escape(str(error))}", soft_wrap=True)
        raise typer.Exit(2) from None
    files = blob_files(store.root)
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err) as progress:
        task = progress.add_task("checking" if dry_run else "migrating", total=len(files))
        report = migrate_blobs(
            store, files, dry_run=dry_run, advance=lambda: progress.advance(task)
        )
    for damaged in report.damaged:
        err.print(
            f"[red]damaged[/red] {escape(damaged.path)}: {escape(damaged.reason)}", soft_wrap=True
        )
    typer.echo(report.summary(dry_run=dry_run))
    if report.damaged:
        raise typer.Exit(1)
