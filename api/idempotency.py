"""``Idempotency-Key`` on every POST: the same key and body replay the first response; the
same key with another body is a 409 problem. Keys are scoped to the caller (the token's
subject) and kept for ``YAGONA_IDEMPOTENCY_TTL_HOURS``."""

from __future__ import annotations

import asyncio
import hashlib
import re
from typing import Any

from anyio import to_thread
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem_response
from application.integrators import KEY_PREFIX
from infrastructure.bootstrap import InvalidToken, RequestKeys, StoredResponse, TokenService

HEADER = b"idempotency-key"
REPLAYED = "idempotency-replayed"
_KEY = re.compile(r"[\x21-\x7e]{1,255}")
MAX_BODY = 100 * 1024 * 1024
WAIT_FOR_FIRST = 10.0  # seconds a retry waits for the first request to finish


def request_fingerprint(method: str, path: str, query_string: bytes, body: bytes) -> str:
    """What a key is bound to: the method, the path (path parameters included), the query
    string and the body. The same key with any of them different is another request."""
    return hashlib.sha256(
        b"\n".join([method.encode(), path.encode(), query_string, body])
    ).hexdigest()


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, store: RequestKeys, tokens: TokenService) -> None:
        self.app = app
        self.store = store
        self.tokens = tokens

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        raw_key = headers.get(HEADER)
        if raw_key is None:
            await self.app(scope, receive, send)
            return
        key = raw_key.decode("latin-1")
        request = Request(scope)
        if not _KEY.fullmatch(key):
            response = problem_response(
                request,
                422,
                "header 'Idempotency-Key' must be 1-255 visible ASCII characters",
                code="invalid-request",
                errors=[{"name": "Idempotency-Key", "in": "header", "detail": "malformed"}],
            )
            await response(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:
            await problem_response(request, 413, f"the body exceeds {MAX_BODY} bytes")(
                scope, receive, send
            )
            return
        caller = self._caller(headers.get(b"authorization"), headers.get(b"x-api-key"))
        fingerprint = request_fingerprint(
            scope["method"], scope["path"], scope.get("query_string", b""), body
        )
        claim = await to_thread.run_sync(self.store.claim, caller, key, fingerprint)
        waited = 0.0
        while not claim.won and claim.response is None and claim.fingerprint == fingerprint:
            if waited >= WAIT_FOR_FIRST:
                break
            await asyncio.sleep(0.1)
            waited += 0.1
            claim = await to_thread.run_sync(self.store.claim, caller, key, fingerprint)
        if not claim.won:
            if claim.fingerprint != fingerprint:
                detail = "this Idempotency-Key was used with a different request"
                await problem_response(request, 409, detail, code="idempotency-key-reused")(
                    scope, receive, send
                )
            elif claim.response is not None:
                await _replay(claim.response, send)
            else:
                detail = "a request with this Idempotency-Key is still being processed"
                await problem_response(request, 409, detail, code="idempotency-key-in-progress")(
                    scope, receive, send
                )
            return
        await self._run_and_store(scope, body, send, caller, key)

    def _caller(self, authorization: bytes | None, api_key: bytes | None) -> str:
        """Whose keys these are: the token's subject, or (for an integrator's API key, which
        the route authenticates) a digest of the key."""
        bearer = (
            authorization[7:].strip()
            if authorization and authorization.lower().startswith(b"bearer ")
            else None
        )
        key = api_key or (bearer if bearer and bearer.startswith(KEY_PREFIX.encode()) else None)
        if key:
            return f"api-key:{hashlib.sha256(key).hexdigest()}"
        if bearer:
            try:
                principal = self.tokens.verify(bearer.decode("latin-1"))
            except InvalidToken:
                return "invalid-token"
            return f"{principal.role}:{principal.subject}"
        return "anonymous"

    async def _run_and_store(
        self, scope: Scope, body: bytes, send: Send, caller: str, key: str
    ) -> None:
        status = 500
        response_headers: list[tuple[str, str]] = []
        chunks: list[bytes] = []
        delivered = False

        async def replay_body() -> Message:
            nonlocal delivered
            if delivered:
                return {"type": "http.disconnect"}
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers.extend(
                    (k.decode("latin-1"), v.decode("latin-1"))
                    for k, v in message.get("headers", [])
                    if k.lower() not in (b"x-request-id", b"content-length")
                )
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_body, capture)
        except BaseException:
            await to_thread.run_sync(self.store.release, caller, key)
            raise
        if status >= 500 or status == 429:  # a retry after the wait runs the write
            await to_thread.run_sync(self.store.release, caller, key)
            return
        stored = StoredResponse(status, response_headers, b"".join(chunks))
        await to_thread.run_sync(self.store.complete, caller, key, stored)


async def _read_body(receive: Receive) -> bytes | None:
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        parts.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(parts)


async def _replay(response: StoredResponse, send: Send) -> None:
    headers: list[Any] = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
    headers.append((b"content-length", str(len(response.body)).encode()))
    headers.append((REPLAYED.encode(), b"true"))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})
