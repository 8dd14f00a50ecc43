"""What every ``yagona`` command shares: settings, the container, the error console."""

from __future__ import annotations

import structlog
import typer
from rich.console import Console

from infrastructure.bootstrap import (
    Container,
    DatabaseUnavailable,
    Settings,
    UnsafeConfiguration,
    build_container,
    check_production_safety,
    configure_logging,
    embedded_initialised,
    key_file,
)

err = Console(stderr=True)
log = structlog.get_logger("yagona.cli")


def load_settings() -> Settings:
    try:
        settings = Settings()
        check_production_safety(settings)
    except (ValueError, UnsafeConfiguration) as error:
        err.print(f"[red]configuration error:[/red] {error}")
        raise typer.Exit(2) from None
    configure_logging(settings)
    return settings


def uninitialised_state(settings: Settings) -> list[str]:
    """What a command would have to create in the data folder: a sign it was started away
    from the installation it is meant for."""
    missing = []
    if settings.cipher_key is None and not key_file(settings).exists():
        missing.append("no cipher.key (and YAGONA_CIPHER_KEY is not set)")
    if not settings.database_url and not embedded_initialised(settings.data_dir):
        missing.append("no embedded database (and YAGONA_DATABASE_URL is not set)")
    return missing


def refuse_a_new_installation(settings: Settings) -> None:
    """Only ``serve`` and ``seed`` set up a new data folder; any other command started from
    the wrong folder would otherwise make a second, empty installation and report on it."""
    missing = uninitialised_state(settings)
    if missing:
        err.print(
            f"[red]no Yagona installation in {settings.data_dir.resolve()}:[/red] "
            + "; ".join(missing)
            + ".\nThis command does not create one. Run it from the folder where you ran "
            "`yagona serve` (or `make run`), or point it at that installation's data folder "
            "with YAGONA_DATA_DIR=/path/to/var (and set YAGONA_DATABASE_URL and "
            "YAGONA_CIPHER_KEY as the server has them).",
            soft_wrap=True,
        )
        raise typer.Exit(2)


def open_container(
    settings: Settings, *, start_workers: bool = False, initialise: bool = False
) -> Container:
    """The container over the configured installation. Unless ``initialise`` (``serve``,
    ``seed``), a data folder that holds no installation yet is refused, not created."""
    if not initialise:
        refuse_a_new_installation(settings)
    try:
        return build_container(settings, start_workers=start_workers)
    except DatabaseUnavailable as error:
        err.print(f"[red]database unavailable:[/red] {error}")
        raise typer.Exit(1) from None
