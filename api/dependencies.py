"""Request-scoped access to the composition root."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.problems import ProblemException
from infrastructure.container import Container


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


# How long a catalogue read waits for the read model to hold what was seeded before the
# process started (``make run`` seeds, then serves), before answering 503 instead.
CATALOGUE_WAIT_SECONDS = 2.0
RETRY_AFTER_SECONDS = 2


def catalogue_caught_up(container: ContainerDep) -> None:
    """Refuse to answer from a catalogue read model still short of its start head: an empty
    page would say the seeded catalogue has no services."""
    if not container.catalogue_caught_up(timeout=CATALOGUE_WAIT_SECONDS):
        raise ProblemException(
            503,
            "the catalogue is still loading after the start; retry shortly",
            code="catching-up",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )


CATALOGUE_CAUGHT_UP = Depends(catalogue_caught_up)
