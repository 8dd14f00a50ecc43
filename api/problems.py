"""RFC 9457 problem details for every error the API returns."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import psycopg
import structlog
from eventsourcing.persistence import InterfaceError, OperationalError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from application.pagination import InvalidQuery
from domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidForm,
    InvalidTransition,
    MissingDocuments,
    NotFound,
)
from domain.quoting import bounded
from infrastructure.bootstrap import DatabaseUnavailable

PROBLEM_JSON = "application/problem+json"
# What a lost or refused database connection raises: ours, eventsourcing's wrappers, and
# psycopg's own (queries made on a connection outside eventsourcing, pool timeouts).
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    DatabaseUnavailable,
    OperationalError,
    InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)
log = structlog.get_logger(__name__)
# An error answer does not grow with the input it refuses: a detail, and each of at most
# ERRORS_LIMIT field errors, are cut (the messages quote no form value, and at most a short
# prefix of a code or number).
DETAIL_LIMIT = 1000
ERROR_DETAIL_LIMIT = 300
ERRORS_LIMIT = 20


class InvalidParam(BaseModel):
    name: str = Field(description="the parameter or field at fault")
    location: str = Field(alias="in", description="query, path, header or body")
    detail: str

    model_config = {"populate_by_name": True}


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(examples=["urn:yagona:problem:service-not-found"])
    title: str = Field(examples=["Not Found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["no service has code 'x'"])
    instance: str | None = Field(None, examples=["/v1/services/x"])
    request_id: str | None = None
    errors: list[InvalidParam] | None = None


class ProblemException(Exception):
    """Raise from a route to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        code: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code or HTTPStatus(status).phrase.lower().replace(" ", "-")
        self.headers = headers
        self.extra = extra


def problem_response(
    request: Request,
    status: int,
    detail: str,
    *,
    code: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"urn:yagona:problem:{code or HTTPStatus(status).phrase.lower().replace(' ', '-')}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "request_id": request.scope.get("state", {}).get("request_id"),
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    body["detail"] = bounded(str(detail), DETAIL_LIMIT)
    if isinstance(body.get("errors"), list):
        body["errors"] = [_bounded_error(e) for e in body["errors"][:ERRORS_LIMIT]]
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _bounded_error(error: Any) -> Any:
    if not isinstance(error, dict):
        return error
    return {
        key: bounded(value, ERROR_DETAIL_LIMIT) if isinstance(value, str) else value
        for key, value in error.items()
    }


_LOCATIONS = {
    "query": "query",
    "path": "path",
    "header": "header",
    "body": "body",
    "cookie": "cookie",
}


def _validation_problem(request: Request, error: RequestValidationError) -> JSONResponse:
    errors = []
    for item in error.errors():
        if item.get("type") == "json_invalid":  # loc is ("body", character offset)
            offset = item.get("loc", ("body", "?"))[-1]
            reason = str((item.get("ctx") or {}).get("error", "malformed"))
            # Some of json's reasons end in "at" already ("Unterminated string starting at").
            where = "character" if reason.endswith(" at") else "at character"
            detail = f"is not valid JSON: {reason} {where} {offset}"
            errors.append({"name": "body", "in": "body", "detail": detail})
            continue
        loc = [str(part) for part in item.get("loc", ())]
        location = _LOCATIONS.get(loc[0], "body") if loc else "body"
        name = ".".join(loc[1:]) if len(loc) > 1 else (loc[0] if loc else "body")
        # pydantic's ``input`` is never sent back, and its message is cut (a validator's
        # message may quote the value)
        message = bounded(str(item.get("msg", "invalid")), ERROR_DETAIL_LIMIT)
        errors.append({"name": bounded(name, 200), "in": location, "detail": message})
    summary = "; ".join(
        f"the body {e['detail']}"
        if e["detail"].startswith("is not valid JSON")
        else f"{e['in']} parameter '{e['name']}': {e['detail']}"
        for e in errors[:5]
    )
    return problem_response(
        request, 422, summary or "the request is invalid", code="invalid-request", errors=errors
    )


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"there is no resource at {request.url.path}"
        return problem_response(request, exc.status_code, detail, headers=dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _validation_problem(request, exc)

    @app.exception_handler(ProblemException)
    async def _problem(request: Request, exc: ProblemException) -> JSONResponse:
        return problem_response(
            request, exc.status, exc.detail, code=exc.code, headers=exc.headers, **exc.extra
        )

    @app.exception_handler(InvalidQuery)
    async def _query(request: Request, exc: InvalidQuery) -> JSONResponse:
        return problem_response(
            request,
            422,
            f"query parameter '{exc.param}' {exc.detail}",
            code="invalid-request",
            errors=[{"name": exc.param, "in": "query", "detail": exc.detail}],
        )

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        status = 422
        if isinstance(exc, NotFound):
            status = 404
        elif isinstance(exc, Conflict):
            status = 409
        elif isinstance(exc, Forbidden):
            status = 403
        extra: dict[str, Any] = {}
        if isinstance(exc, InvalidTransition):
            extra["state"] = exc.state
        if isinstance(exc, MissingDocuments):
            extra["errors"] = [
                {"name": "/attachments", "in": "body", "detail": f"missing document {code}"}
                for code in exc.missing
            ]
        if isinstance(exc, InvalidForm):
            extra["errors"] = [
                {
                    "name": "/form" + (pointer if pointer != "/" else ""),
                    "in": "body",
                    "detail": message,
                }
                for pointer, message in exc.errors
            ]
        return problem_response(request, status, exc.detail, code=exc.code, **extra)

    async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
        return database_unavailable_response(request, exc)

    for error_class in DATABASE_UNAVAILABLE:
        app.add_exception_handler(error_class, _unavailable)


def database_unavailable_response(request: Request, exc: BaseException) -> JSONResponse:
    log.warning("database.unavailable", error=type(exc).__name__)
    return problem_response(
        request,
        503,
        "the database is not reachable; retry shortly",
        code="service-unavailable",
        headers={"Retry-After": "2"},
    )


def is_database_unavailable(error: BaseException) -> bool:
    """``error``, or an exception it was raised from, is a lost database connection."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, DATABASE_UNAVAILABLE):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


class DatabaseUnavailableMiddleware:
    """A 503 problem for a lost database met outside the routes' exception handlers (the
    idempotency middleware claims keys before a route runs), unless a response has
    started; anything else goes on to the catch-all 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as error:
            if started or not is_database_unavailable(error):
                raise
            await database_unavailable_response(Request(scope), error)(scope, receive, send)


def unexpected_error_response(request: Request) -> JSONResponse:
    """The 500 problem: no exception text, no stack trace; the request id to quote."""
    return problem_response(
        request, 500, "an unexpected error occurred; it has been logged", code="internal-error"
    )
