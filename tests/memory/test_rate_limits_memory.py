"""Rate limits over HTTP on the in-memory bootstrap: public verification and submissions
answer 429 problems with ``Retry-After`` and the draft's ``RateLimit`` fields once a budget
is spent, per client address and per subject, and allow again in the next window."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from application.seeding import ReferenceData, seed
from domain.context import CommandContext
from tests.conftest import TEST_NOW
from tests.e2e.cases import CITIZEN_A, CITIZEN_B, citizen, headers, submission
from tests.fakes.adapters import FixedClock
from tests.fakes.rate_limits import MemoryRateLimitStore
from tests.memory.conftest import Memory, memory_container
from tests.memory.support import problem

LIMITS = {
    "rate_limit_verification_per_address": "3/60",
    "rate_limit_verification_per_subject": "5/60",
    "rate_limit_submission_per_address": "4/60",
    "rate_limit_submission_per_subject": "2/60",
}
POLICY = '"verification-address";q=3;w=60, "verification-subject";q=5;w=60'


@pytest.fixture(scope="module")
def limited(
    no_postgres: None, reference: ReferenceData, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Memory]:
    built = memory_container(tmp_path_factory.mktemp("limits"), FixedClock(TEST_NOW), **LIMITS)
    ctx = CommandContext(actor="system:seed", role="system", correlation_id="memory")
    seed(built.container.catalogue, reference, ctx, today=TEST_NOW.date())
    yield built
    built.container.close()


@pytest.fixture(autouse=True)
def fresh_counts(limited: Memory) -> None:
    """Each test counts from nothing, at the start of a minute."""
    limited.container.rate_limits.store = MemoryRateLimitStore()
    limited.clock.at = TEST_NOW


def client_at(limited: Memory, address: str) -> TestClient:
    return TestClient(create_app(limited.container), client=(address, 50000))


def verify(client: TestClient, number: str = "R-2026-000001", code: str = "WRONG-CODE") -> Any:
    return client.get(f"/v1/verify/{number}", params={"code": code})


def test_verification_counts_per_address_then_answers_429(limited: Memory) -> None:
    with client_at(limited, "192.0.2.10") as client:
        for remaining in (2, 1, 0):
            answer = verify(client, number=f"R-{remaining}")
            problem(answer, 404)  # a wrong code is still not found, and counted
            assert answer.headers["RateLimit-Policy"] == POLICY
            assert answer.headers["RateLimit"] == (
                f'"verification-address";r={remaining};t=60, "verification-subject";r=4;t=60'
            )
        refused = verify(client, number="R-9")
    body = problem(refused, 429)
    assert body["type"] == "urn:yagona:problem:rate-limited"
    assert body["detail"] == (
        "too many verification requests from this address (at most 3 per 60 s); retry in 60 s"
    )
    assert "R-9" not in body["detail"]
    assert "WRONG-CODE" not in refused.text
    assert refused.headers["Retry-After"] == "60"
    assert refused.headers["RateLimit-Policy"] == POLICY
    assert refused.headers["RateLimit"].startswith('"verification-address";r=0;t=60, ')
    # Another address is not affected.
    with client_at(limited, "192.0.2.11") as other:
        problem(verify(other, number="R-9"), 404)


def test_verification_counts_per_registration_number_from_every_address(
    limited: Memory,
) -> None:
    for n in range(5):  # five addresses, one attempt each at the same number
        with client_at(limited, f"198.51.100.{n}") as client:
            problem(verify(client, code=f"GUESS-{n}"), 404)
    with client_at(limited, "198.51.100.99") as client:
        body = problem(verify(client, code="GUESS-5"), 429)
        assert "from this registration number (at most 5 per 60 s)" in body["detail"]
        problem(verify(client, number="R-2026-000002"), 404)  # another number is not


def test_verification_is_allowed_again_in_the_next_window(limited: Memory) -> None:
    with client_at(limited, "192.0.2.20") as client:
        for n in range(3):
            problem(verify(client, number=f"R-{n}"), 404)
        limited.clock.advance(timedelta(seconds=40))
        refused = verify(client, number="R-3")
        problem(refused, 429)
        assert refused.headers["Retry-After"] == "20"
        limited.clock.advance(timedelta(seconds=20))
        again = verify(client, number="R-3")
        problem(again, 404)
        assert again.headers["RateLimit"].startswith('"verification-address";r=2;t=60')


def submit(client: TestClient, limited: Memory, pinfl: str, **extra: str) -> Any:
    return client.post(
        "/v1/applications",
        json=submission(),
        headers=headers(limited.container, citizen(pinfl), **extra),
    )


def test_submissions_count_per_citizen_and_per_address(limited: Memory) -> None:
    with client_at(limited, "203.0.113.5") as client:
        for remaining in (1, 0):
            created = submit(client, limited, CITIZEN_A)
            assert created.status_code == 201, created.text
            assert created.headers["RateLimit-Policy"] == (
                '"submission-address";q=4;w=60, "submission-subject";q=2;w=60'
            )
            assert f'"submission-subject";r={remaining};t=60' in created.headers["RateLimit"]
        refused = submit(client, limited, CITIZEN_A)
        body = problem(refused, 429)
        assert body["detail"] == (
            "too many submission requests from this account (at most 2 per 60 s); retry in 60 s"
        )
        assert CITIZEN_A not in refused.text
        assert "203.0.113.5" not in refused.text
        assert refused.headers["Retry-After"] == "60"
        # Another citizen at the same address still may, until the address's budget is spent.
        assert submit(client, limited, CITIZEN_B).status_code == 201
        refused = submit(client, limited, CITIZEN_B)  # the address's fifth submission
        assert "from this address (at most 4 per 60 s)" in problem(refused, 429)["detail"]
    with client_at(limited, "203.0.113.6") as elsewhere:
        problem(submit(elsewhere, limited, CITIZEN_A), 429)  # the citizen's own budget
        limited.clock.advance(timedelta(seconds=60))
        assert submit(elsewhere, limited, CITIZEN_A).status_code == 201


def test_an_unauthenticated_submission_is_refused_before_it_is_counted(limited: Memory) -> None:
    with client_at(limited, "203.0.113.7") as client:
        for _ in range(6):
            problem(client.post("/v1/applications", json=submission()), 401)
        assert submit(client, limited, CITIZEN_A).status_code == 201


def test_a_refused_submission_is_not_replayed_for_its_idempotency_key(limited: Memory) -> None:
    with client_at(limited, "203.0.113.8") as client:
        for n in range(2):
            assert (
                submit(client, limited, CITIZEN_B, **{"Idempotency-Key": f"k-{n}"}).status_code
                == 201
            )
        problem(submit(client, limited, CITIZEN_B, **{"Idempotency-Key": "k-2"}), 429)
        limited.clock.advance(timedelta(seconds=60))
        retried = submit(client, limited, CITIZEN_B, **{"Idempotency-Key": "k-2"})
        assert retried.status_code == 201, retried.text
        assert "idempotency-replayed" not in retried.headers
        assert "RateLimit" in retried.headers
        replayed = submit(client, limited, CITIZEN_B, **{"Idempotency-Key": "k-2"})
        assert replayed.headers["idempotency-replayed"] == "true"
        assert "RateLimit" not in replayed.headers  # a stored answer holds no stale count


def test_other_routes_carry_no_rate_limit_headers(limited: Memory) -> None:
    with client_at(limited, "192.0.2.30") as client:
        listed = client.get("/v1/applications", headers=headers(limited.container, citizen()))
        assert listed.status_code == 200
        assert "RateLimit" not in listed.headers
        assert "RateLimit-Policy" not in listed.headers


def test_limits_turned_off_count_nothing(client: TestClient) -> None:
    """The suite's own settings (tests/conftest.py): every limit off, no headers."""
    for _ in range(40):
        answer = verify(client)
        problem(answer, 404)
    assert "RateLimit" not in answer.headers
