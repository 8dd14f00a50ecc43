"""Rate limits on the routes that can be guessed at or flooded: one dependency per named
limit (``application/rate_limits.py`` decides), the 429 problem, and the headers of
draft-ietf-httpapi-ratelimit-headers on every answer of a limited route:

    RateLimit-Policy: "verification-address";q=30;w=60, "verification-subject";q=10;w=60
    RateLimit: "verification-address";r=29;t=41, "verification-subject";r=9;t=41

The client address is ``request.client.host``: the peer uvicorn saw, or the one a trusted
proxy forwarded (uvicorn's ``--forwarded-allow-ips`` / ``FORWARDED_ALLOW_IPS``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import PrincipalDep
from api.dependencies import get_container
from api.problems import ProblemException
from application.rate_limits import SUBMISSION, VERIFICATION, RateLimited, RateLimits, Verdict

STATE_KEY = "rate_limit_headers"


def _rate_limits(request: Request) -> RateLimits:
    return get_container(request).rate_limits


RateLimitsDep = Annotated[RateLimits, Depends(_rate_limits)]


def rate_limit_headers(verdict: Verdict) -> dict[str, str]:
    """The draft's structured fields for the budgets counted (none when all are off)."""
    if not verdict.counts:
        return {}
    policy = ", ".join(
        f'"{c.policy}";q={c.budget.count};w={c.budget.window}' for c in verdict.counts
    )
    current = ", ".join(
        f'"{c.policy}";r={c.decision.remaining};t={c.decision.reset_seconds}'
        for c in verdict.counts
    )
    return {"RateLimit-Policy": policy, "RateLimit": current}


def enforce(request: Request, rate_limits: RateLimits, limit: str, *, subject: str | None) -> None:
    """Count the request under ``limit``: a 429 problem with ``Retry-After`` when a budget
    is spent; otherwise the headers go on the route's answer (``RateLimitHeaders``)."""
    address = request.client.host if request.client else None
    try:
        verdict = rate_limits.check(limit, address=address, subject=subject)
    except RateLimited as refused:
        headers = rate_limit_headers(refused.verdict)
        headers["Retry-After"] = str(refused.verdict.retry_after)
        raise ProblemException(429, refused.detail, code="rate-limited", headers=headers) from None
    headers = rate_limit_headers(verdict)
    if headers:
        request.scope.setdefault("state", {})[STATE_KEY] = headers


def verification_limit(request: Request, rate_limits: RateLimitsDep) -> None:
    """Public verification: per address, and per registration number looked up."""
    enforce(
        request, rate_limits, VERIFICATION, subject=request.path_params.get("registration_number")
    )


def submission_limit(request: Request, rate_limits: RateLimitsDep, principal: PrincipalDep) -> None:
    """Submissions: per address, and per caller (a citizen's PINFL, hashed)."""
    enforce(request, rate_limits, SUBMISSION, subject=principal.subject)


VERIFICATION_LIMIT = Depends(verification_limit)
SUBMISSION_LIMIT = Depends(submission_limit)


class RateLimitHeaders:
    """Adds the headers a rate-limit dependency left in the request's state to the answer
    (routes returning a response of their own included), unless the answer has them. It
    sits outside the Idempotency-Key middleware: a replayed answer carries none, and
    stored answers never hold a stale count."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            wanted = scope.get("state", {}).get(STATE_KEY)
            if message["type"] == "http.response.start" and wanted:
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [
                    (name.lower().encode(), value.encode())
                    for name, value in wanted.items()
                    if name.lower().encode() not in present
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
