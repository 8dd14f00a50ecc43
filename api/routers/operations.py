"""Operations: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import hmac
from ipaddress import ip_address
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
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


def metrics_access(request: Request, container: ContainerDep) -> None:
    """Who may read /metrics: anyone unless YAGONA_METRICS_ALLOW or YAGONA_METRICS_TOKEN is
    set (production requires one); each one set must be satisfied. The allow-list matches
    the peer address the server saw (behind a proxy, the one it forwards if the server
    trusts it); the token is compared in constant time and never logged."""
    settings = container.settings
    if settings.metrics_networks and not _allowed(request, settings.metrics_networks):
        raise ProblemException(403, "this address may not read the metrics", code="forbidden")
    token = settings.metrics_token
    if token is not None:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        expected = token.get_secret_value().encode()
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
            raise ProblemException(
                401,
                "the metrics need their bearer token",
                code="unauthenticated",
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )


def _allowed(request: Request, networks: tuple[Any, ...]) -> bool:
    try:
        address = ip_address(request.client.host if request.client else "")
    except ValueError:
        return False
    return any(address in network for network in networks)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={
        401: {"model": Problem, "content": {"application/problem+json": {}}},
        403: {"model": Problem, "content": {"application/problem+json": {}}},
    },
)
def metrics(request: Request, _: Annotated[None, Depends(metrics_access)]) -> Response:
    """Prometheus text format. Open in development; in production only to the configured
    addresses (YAGONA_METRICS_ALLOW) and/or with the bearer token (YAGONA_METRICS_TOKEN)."""
    registry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


document(router)
