"""What every router refuses before a route runs: NUL characters (U+0000), which PostgreSQL
cannot store or compare in text, in the path, the query or a JSON body (422 naming the
parameter, not a 500 from the database); query parameters whose percent-encoded bytes are
not UTF-8 (422 naming the parameter: decoded with replacement characters, a search would
find everything); and a JSON body sent as anything but JSON (415).
Routers also cap their request bodies (``route_class=body_limit(N)``): a body over the limit
is a 413 problem, refused on its declared length or as soon as it streams past the limit."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine, Iterator
from typing import Any
from urllib.parse import unquote_to_bytes

from fastapi import APIRouter, Depends, Request, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send

from api.problems import ProblemException

NUL = "\x00"
KIB = 1024
MIB = 1024 * KIB
# Bodies of small commands (texts of at most a few thousand characters).
SMALL_BODY = 1 * MIB
# A document of at most 5 MiB, base64-encoded, with its fields.
DOCUMENT_BODY = 8 * MIB
# Up to ten attachments of at most 5 MiB each, base64-encoded, with the form.
SUBMISSION_BODY = 72 * MIB


def _too_large(limit: int) -> ProblemException:
    return ProblemException(
        413, f"the body exceeds {limit} bytes, the most this endpoint accepts", code="too-large"
    )


async def _read_within(request: Request, limit: int) -> None:
    """Reads the body into the request (where the route finds it), refusing it as soon as
    it is known to be larger than ``limit``: by its Content-Length, or while it streams."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    request._body = b"".join(chunks)


def body_limit(limit: int) -> type[APIRoute]:
    """A route class whose routes accept bodies of at most ``limit`` bytes."""

    class LimitedRoute(APIRoute):
        # Every method of this path in the router (set by ``document``), for a 405's Allow.
        path_methods: frozenset[str] = frozenset()

        async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
            if self.methods and scope["method"] not in self.methods and self.path_methods:
                allow = ", ".join(sorted(self.path_methods))
                raise HTTPException(status_code=405, headers={"Allow": allow})
            await super().handle(scope, receive, send)

        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def limited(request: Request) -> Response:
                if request.method in ("POST", "PUT", "PATCH", "DELETE"):
                    await _read_within(request, limit)
                return await handler(request)

            return limited

    LimitedRoute.__name__ = f"RouteWithBodyUpTo{limit}"
    return LimitedRoute


def _nul_problem(location: str, name: str) -> ProblemException:
    return ProblemException(
        422,
        f"{location} parameter '{name}' contains a NUL character (U+0000), which is not accepted",
        code="invalid-request",
        errors=[{"name": name, "in": location, "detail": "contains a NUL character (U+0000)"}],
    )


def _undecodable(name: str) -> ProblemException:
    detail = "is not valid UTF-8 (its percent-encoded bytes must encode UTF-8 text)"
    return ProblemException(
        422,
        f"query parameter '{name}' {detail}",
        code="invalid-request",
        errors=[{"name": name, "in": "query", "detail": detail}],
    )


def _raw_query(query_string: bytes) -> Iterator[tuple[bytes, bytes]]:
    """The query's names and values as the bytes they percent-decode to."""
    for pair in query_string.split(b"&"):
        if not pair:
            continue
        name, _, value = pair.partition(b"=")
        yield (
            unquote_to_bytes(name.replace(b"+", b" ")),
            unquote_to_bytes(value.replace(b"+", b" ")),
        )


def _refuse_undecodable_query(query_string: bytes) -> None:
    """A 422 naming the first query parameter whose name or value is not UTF-8."""
    for name, value in _raw_query(query_string):
        try:
            decoded = name.decode("utf-8")
        except UnicodeDecodeError:
            raise _undecodable(name.decode("utf-8", "backslashreplace")[:100]) from None
        try:
            value.decode("utf-8")
        except UnicodeDecodeError:
            raise _undecodable(decoded[:100]) from None


def _nul_pointer(value: Any, pointer: str = "") -> str | None:
    """The JSON pointer of the first string (or key) in ``value`` holding a NUL."""
    if isinstance(value, str):
        return (pointer or "/") if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"
            if NUL in str(key):
                return here
            found = _nul_pointer(item, here)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_pointer(item, f"{pointer}/{index}")
            if found is not None:
                return found
    return None


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


async def refuse_unusable_input(request: Request) -> None:
    for name, value in request.path_params.items():
        if NUL in str(value):
            raise _nul_problem("path", name)
    if NUL in request.url.path:
        raise _nul_problem("path", "path")
    _refuse_undecodable_query(request.scope.get("query_string", b""))
    for name, value in request.query_params.multi_items():
        if NUL in name or NUL in value:
            raise _nul_problem("query", name.replace(NUL, "\\u0000"))
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or route.body_field is None:
        return
    body = await request.body()
    if not body:
        return
    content_type = request.headers.get("content-type", "")
    if not _is_json(content_type):
        raise ProblemException(
            415,
            f"the body must be JSON (Content-Type: application/json), "
            f"not {content_type.split(';', 1)[0].strip()[:100] or 'unlabelled'}",
            code="unsupported-media-type",
        )
    if b"\\u0000" in body:  # only then is it worth parsing again
        try:
            pointer = _nul_pointer(json.loads(body))
        except ValueError:
            return  # FastAPI reports the malformed JSON
        if pointer is not None:
            raise _nul_problem("body", pointer)


GUARDS = [Depends(refuse_unusable_input)]


async def refuse_undecodable_query(request: Request) -> None:
    """The query-string check alone, for every route of the app (the documentation's
    pages included, which no router of ours serves)."""
    _refuse_undecodable_query(request.scope.get("query_string", b""))


APP_GUARDS = [Depends(refuse_undecodable_query)]


_PROBLEM: dict[str, Any] = {
    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
}
_DESCRIPTIONS = {
    400: "The body could not be read (e.g. not UTF-8)",
    404: "Nothing is found at this path",
    413: "The body is larger than this endpoint accepts",
    415: "The body is not labelled JSON (Content-Type: application/json)",
    422: "Invalid request",
}


def document(router: APIRouter) -> APIRouter:
    """Tells each route every method its path takes (a 405 lists them all in Allow), and
    documents what the guards and the body parser may answer on each route, unless the
    route documents it already: 422 for routes with parameters or a body; 404 for routes
    with path parameters; 400, 413 and 415 for routes that take a body. Every error is an
    ``application/problem+json`` problem document, with its schema."""
    by_path: dict[str, set[str]] = {}
    for route in router.routes:
        if isinstance(route, APIRoute):
            by_path.setdefault(route.path, set()).update(route.methods or ())
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        if hasattr(route, "path_methods"):
            route.path_methods = frozenset(by_path[route.path])
        statuses = [400, 413, 415, 422] if "POST" in (route.methods or ()) else []
        if route.dependant.path_params:
            statuses.append(404)
        if route.dependant.path_params or route.dependant.query_params:
            statuses.append(422)
        responses = dict(route.responses)
        for added in statuses:
            responses.setdefault(added, {"description": _DESCRIPTIONS[added]})
        for status, documented in list(responses.items()):
            if isinstance(status, int) and status >= 400:
                content = {**(documented.get("content") or {}), **_PROBLEM}
                responses[status] = {**documented, "content": content}
        route.responses = responses
    return router
