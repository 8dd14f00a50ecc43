"""Response declarations the routers share: the problems a route may answer, and the path
parameter that names an application."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path

from api.problems import Problem

PROBLEM_CONTENT: dict[str, Any] = {"application/problem+json": {}}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": text, "content": PROBLEM_CONTENT}
    for status, text in (
        (401, "No valid bearer token"),
        (403, "The caller's role or agency may not do this"),
        (404, "No such application (or not the caller's)"),
        (409, "The application's state forbids this, or it changed meanwhile"),
        (422, "Invalid request"),
    )
}
# A route with a rate limit (api/rate_limits.py) may answer this too.
RATE_LIMITED: dict[int | str, dict[str, Any]] = {
    429: {
        "model": Problem,
        "description": "Too many requests from this address or about this subject; "
        "retry after `Retry-After` seconds (see the `RateLimit` header)",
        "content": PROBLEM_CONTENT,
    }
}
Key = Annotated[
    str,
    Path(
        max_length=64,
        description="the application's id or tracking number",
        examples=["AR-2026-0000123"],
    ),
]
