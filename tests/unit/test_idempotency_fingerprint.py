"""What an ``Idempotency-Key`` is bound to: the request's method, path (path parameters
included), query string and body. The fingerprint function alone, then the middleware
around a tiny app with an in-memory claim store (the PostgreSQL store is tested over HTTP).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from api.idempotency import IdempotencyMiddleware, request_fingerprint
from infrastructure.idempotency import Claim, StoredResponse

# Computed outside Python with coreutils (the parts joined by newlines):
#   printf 'POST\n/v1/applications/AR-2026-0000001/acceptance\nlang=ru\n{"reason":"x"}' \
#     | sha256sum
KNOWN = "21884a44ee20935d1c39668f8567cd93d00fe0838facc5e0f3e4a685eebabf6d"
#   printf 'POST\n/v1/applications\n\n' | sha256sum
KNOWN_EMPTY = "9e933ac299a68f6788c96a796d170476800573355e235a81b96ac9dc0a5530f6"

PATH = "/v1/applications/AR-2026-0000001/acceptance"
QUERY = b"lang=ru"
BODY = b'{"reason":"x"}'


def test_fingerprint_known_answers() -> None:
    assert request_fingerprint("POST", PATH, QUERY, BODY) == KNOWN
    assert request_fingerprint("POST", "/v1/applications", b"", b"") == KNOWN_EMPTY


@pytest.mark.parametrize(
    "other",
    [
        ("PUT", PATH, QUERY, BODY),
        ("POST", "/v1/applications/AR-2026-0000002/acceptance", QUERY, BODY),
        ("POST", "/v1/applications/AR-2026-0000001/decision", QUERY, BODY),
        ("POST", PATH, b"lang=uz", BODY),
        ("POST", PATH, b"", BODY),
        ("POST", PATH, QUERY, b'{"reason":"y"}'),
        ("POST", PATH, QUERY, b""),
    ],
    ids=["method", "path-parameter", "route", "query", "no-query", "body", "no-body"],
)
def test_every_part_of_the_request_is_in_the_fingerprint(
    other: tuple[str, str, bytes, bytes],
) -> None:
    base = request_fingerprint("POST", PATH, QUERY, BODY)
    assert request_fingerprint(*other) != base


# --- the middleware with an in-memory store ------------------------------------------------


@dataclass
class MemoryStore:
    """The claim protocol of ``IdempotencyStore`` without the database."""

    rows: dict[tuple[str, str], tuple[str, StoredResponse | None]] = field(default_factory=dict)

    def claim(self, caller: str, key: str, fingerprint: str) -> Claim:
        row = self.rows.get((caller, key))
        if row is None:
            self.rows[(caller, key)] = (fingerprint, None)
            return Claim(won=True)
        return Claim(won=False, fingerprint=row[0], response=row[1])

    def complete(self, caller: str, key: str, response: StoredResponse) -> None:
        self.rows[(caller, key)] = (self.rows[(caller, key)][0], response)

    def release(self, caller: str, key: str) -> None:
        self.rows.pop((caller, key), None)


class NoTokens:
    def verify(self, token: str) -> Any:
        raise AssertionError("these requests carry no token")


@pytest.fixture
def app() -> tuple[TestClient, list[str]]:
    handled: list[str] = []

    async def accept(request: Request) -> JSONResponse:
        handled.append(f"{request.url.path}?{request.url.query}|{(await request.body()).decode()}")
        return JSONResponse({"accepted": request.path_params["key"]})

    inner = Starlette(routes=[Route("/cases/{key}/acceptance", accept, methods=["POST"])])
    wrapped = IdempotencyMiddleware(inner, MemoryStore(), NoTokens())  # type: ignore[arg-type]
    return TestClient(wrapped), handled


KEY = {"Idempotency-Key": "retry-1"}


def test_the_same_request_again_is_replayed_not_run(app: tuple[TestClient, list[str]]) -> None:
    client, handled = app
    first = client.post("/cases/A/acceptance", content=b"{}", headers=KEY)
    again = client.post("/cases/A/acceptance", content=b"{}", headers=KEY)
    assert first.status_code == again.status_code == 200
    assert again.json() == {"accepted": "A"}
    assert again.headers["idempotency-replayed"] == "true"
    assert len(handled) == 1


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/cases/B/acceptance", b"{}"),  # another path parameter
        ("/cases/A/acceptance?force=1", b"{}"),  # another query string
        ("/cases/A/acceptance", b'{"note":"x"}'),  # another body
    ],
    ids=["path-parameter", "query", "body"],
)
def test_the_same_key_on_another_request_is_refused_and_runs_nothing(
    app: tuple[TestClient, list[str]], path: str, body: bytes
) -> None:
    client, handled = app
    assert client.post("/cases/A/acceptance", content=b"{}", headers=KEY).status_code == 200
    reused = client.post(path, content=body, headers=KEY)
    assert reused.status_code == 409
    assert reused.json()["type"] == "urn:yagona:problem:idempotency-key-reused"
    assert reused.headers["content-type"].startswith("application/problem+json")
    assert handled == ["/cases/A/acceptance?|{}"]  # case B was never accepted
