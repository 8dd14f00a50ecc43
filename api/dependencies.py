"""Request-scoped access to the composition root."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.problems import ProblemException
from application.ports import Clock
from application.queries.cases import CitizenCases, RegisterOfDecisions, WorkQueue
from application.queries.kpi import TargetIndicators
from application.queries.payments import PaymentRecords
from application.queries.services import QueryServices
from application.read_models.catalogue import CatalogueReadModel
from infrastructure.container import Container


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


# --- the query services, one dependency each: a route names the one it calls --------------


def _queries(request: Request) -> QueryServices:
    return get_container(request).queries


def _citizen_cases(request: Request) -> CitizenCases:
    return _queries(request).citizen_cases


def _work_queue(request: Request) -> WorkQueue:
    return _queries(request).work_queue


def _register(request: Request) -> RegisterOfDecisions:
    return _queries(request).register


def _payment_records(request: Request) -> PaymentRecords:
    return _queries(request).payment_records


def _indicators(request: Request) -> TargetIndicators:
    return _queries(request).indicators


def _clock(request: Request) -> Clock:
    return get_container(request).clock


def _catalogue(request: Request) -> CatalogueReadModel:
    return _queries(request).catalogue


CitizenCasesDep = Annotated[CitizenCases, Depends(_citizen_cases)]
WorkQueueDep = Annotated[WorkQueue, Depends(_work_queue)]
RegisterDep = Annotated[RegisterOfDecisions, Depends(_register)]
PaymentRecordsDep = Annotated[PaymentRecords, Depends(_payment_records)]
IndicatorsDep = Annotated[TargetIndicators, Depends(_indicators)]
ClockDep = Annotated[Clock, Depends(_clock)]
CatalogueReadDep = Annotated[CatalogueReadModel, Depends(_catalogue)]


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
