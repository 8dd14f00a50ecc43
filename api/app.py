"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from api.idempotency import IdempotencyMiddleware
from api.observability import Metrics, RequestContextMiddleware
from api.problems import DatabaseUnavailableMiddleware, install_problem_handlers
from api.rate_limits import RateLimitHeaders
from api.routers import (
    appeals,
    applications,
    audit,
    calendar,
    catalogue,
    feed,
    inter_agency,
    kpi,
    operations,
    payments,
    provider_webhooks,
    queue,
    read_models,
    sandbox,
    staff,
    verification,
    webhooks,
)
from api.routers.guards import APP_GUARDS
from api.security_headers import SecurityHeadersMiddleware
from infrastructure.bootstrap import Container

DESCRIPTION = """
Yagona is the transactional core of a unified portal of interactive state services:
a public catalogue of services, agencies and territories in four languages (uz-Latn,
uz-Cyrl, ru, en), applications, decisions, payments and audit on an event store.

Errors are RFC 9457 problem documents (`application/problem+json`). List endpoints return
`{"items": [...], "next": CURSOR | null}`; pass `cursor=NEXT` for the following page.
Catalogue responses carry an `ETag` and answer `If-None-Match` with 304. Pick the language
with `lang` or `Accept-Language`. Every response carries an `X-Request-ID`.

Authenticate with a bearer JWT (`yagona token` mints one in development): citizens by
PINFL, officers scoped to an agency, auditors, integrators, admins. Every POST accepts an
`Idempotency-Key`: the same key and body replay the first response; the same key with
another body is a 409 problem.
"""


DOCS_STATIC = "/docs/static"
DOCS_URL = "/docs"
REDOC_URL = "/redoc"


def create_app(container: Container, *, owns_container: bool = False) -> FastAPI:
    """The HTTP app over ``container``; with ``owns_container`` it closes it on shutdown."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if owns_container:
                container.close()

    # /docs and /redoc load Swagger UI and ReDoc from files shipped in a package (served
    # under /docs/static), not from a CDN: the documentation works with no internet.
    app = FastAPIOffline(
        title="Yagona",
        version="1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        static_url=DOCS_STATIC,
        docs_url=DOCS_URL,
        redoc_url=REDOC_URL,
        dependencies=APP_GUARDS,
    )
    metrics = Metrics()
    metrics.watch_projections(container.projection_status)
    app.state.container = container
    app.state.metrics = metrics
    install_problem_handlers(app)
    app.include_router(operations.router)
    app.include_router(catalogue.router)
    app.include_router(calendar.router)
    app.include_router(applications.router)
    app.include_router(queue.router)
    app.include_router(verification.router)
    app.include_router(payments.router)
    app.include_router(provider_webhooks.router)
    app.include_router(sandbox.router)
    app.include_router(audit.router)
    app.include_router(feed.router)
    app.include_router(read_models.router)
    app.include_router(kpi.router)
    app.include_router(webhooks.router)
    app.include_router(appeals.router)
    app.include_router(inter_agency.router)
    app.include_router(staff.router)
    # The last added runs first: the request id wraps everything, replays included.
    app.add_middleware(IdempotencyMiddleware, store=container.idempotency, tokens=container.tokens)
    # Outside the replays: a replayed answer carries no (stale) rate-limit count.
    app.add_middleware(RateLimitHeaders)
    # A lost database in the middleware below it (claiming an idempotency key) is a 503.
    app.add_middleware(DatabaseUnavailableMiddleware)
    app.add_middleware(RequestContextMiddleware, metrics=metrics)
    # Outermost, so every answer carries them: 500s, replays and 503s included.
    # (FastAPIOffline serves the pages itself: app.docs_url and app.redoc_url are None.)
    docs_paths = {DOCS_URL, REDOC_URL, app.swagger_ui_oauth2_redirect_url}
    app.add_middleware(
        SecurityHeadersMiddleware,
        production=container.settings.is_production,
        docs_paths=frozenset(path for path in docs_paths if path),
    )
    return app
