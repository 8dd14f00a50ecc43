"""Operations: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.dependencies import ContainerDep
from api.problems import Problem, ProblemException
from api.routers.guards import GUARDS, SMALL_BODY, body_limit, document
from infrastructure.bootstrap import DatabaseUnavailable, ping

RETRY_AFTER_SECONDS = 2
router = APIRouter(tags=["operations"], dependencies=GUARDS, route_class=body_limit(SMALL_BODY))


@router.get("/healthz", summary="Liveness")
def healthz() -> dict[str, str]:
    """The process is up and answering."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness",
    responses={503: {"model": Problem, "content": {"application/problem+json": {}}}},
)
def readyz(container: ContainerDep) -> dict[str, Any]:
    """Ready when the database answers and every read model has applied what was recorded
    before this process started; also shows how far each read model lags."""
    try:
        ping(container.database)
        projections = container.projection_status()
    except DatabaseUnavailable:
        raise ProblemException(
            503, "the database is not reachable", code="not-ready", database="unreachable"
        ) from None
    behind = container.start_heads.behind(projections)
    if behind:
        names = ", ".join(row["name"] for row in behind)
        raise ProblemException(
            503,
            f"read models are still catching up with the events recorded before the start: {names}",
            code="not-ready",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            database="ok",
            catching_up=behind,
        )
    return {"status": "ready", "database": "ok", "projections": projections}


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(request: Request) -> Response:
    registry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


document(router)
