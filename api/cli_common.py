"""What every ``yagona`` command shares: settings, the container, the error console."""

from __future__ import annotations

import structlog
import typer
from rich.console import Console

from infrastructure.container import Container, build_container
from infrastructure.database import DatabaseUnavailable
from infrastructure.logging import configure_logging
from infrastructure.settings import Settings, UnsafeConfiguration, check_production_safety

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


def open_container(settings: Settings, *, start_workers: bool = False) -> Container:
    try:
        return build_container(settings, start_workers=start_workers)
    except DatabaseUnavailable as error:
        err.print(f"[red]database unavailable:[/red] {error}")
        raise typer.Exit(1) from None
