"""An ``Idempotency-Key`` replays only the request it was first used with: the same key and
body on another path parameter, another route or another query string is a 409 problem
``idempotency-key-reused``, and the write it names is not made."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from infrastructure.container import Container
from tests.e2e.cases import citizen, headers, officer, submission, submit

REUSED = "urn:yagona:problem:idempotency-key-reused"
APPLICANT = citizen("63105921234569", name=None)


def key() -> str:
    return f"k-{uuid.uuid4()}"


def status_of(client: TestClient, seeded: Container, case: str) -> dict[str, Any]:
    response = client.get(f"/v1/applications/{case}", headers=headers(seeded, APPLICANT))
    assert response.status_code == 200, response.text
    return dict(response.json())


def assert_reused(response: Any) -> None:
    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == REUSED
    assert "idempotency-replayed" not in response.headers


def test_the_same_key_on_another_case_is_refused_and_that_case_is_not_accepted(
    client: TestClient, seeded: Container
) -> None:
    a = submit(client, seeded, APPLICANT)["id"]
    b = submit(client, seeded, APPLICANT)["id"]
    clerk = headers(seeded, officer(), **{"Idempotency-Key": key()})
    first = client.post(f"/v1/applications/{a}/acceptance", headers=clerk)
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "in_review"
    replayed = client.post(f"/v1/applications/{a}/acceptance", headers=clerk)
    assert replayed.status_code == 200
    assert replayed.headers["idempotency-replayed"] == "true"
    assert replayed.json()["id"] == a

    assert_reused(client.post(f"/v1/applications/{b}/acceptance", headers=clerk))
    assert status_of(client, seeded, b)["status"] == "queued"  # B was not accepted

    # Another route of the same case with the same key and (empty) body: not released.
    assert_reused(client.post(f"/v1/applications/{a}/release", headers=clerk))
    assert status_of(client, seeded, a)["status"] == "in_review"


def test_the_same_key_with_another_query_string_is_refused_and_nothing_is_submitted(
    client: TestClient, seeded: Container
) -> None:
    me = headers(seeded, APPLICANT, **{"Idempotency-Key": key()})
    body = submission()
    first = client.post("/v1/applications", json=body, headers=me)
    assert first.status_code == 201, first.text
    mine = headers(seeded, APPLICANT)
    seeded.wait_for_projections()
    before = client.get("/v1/applications?limit=100", headers=mine).json()["items"]

    assert_reused(client.post("/v1/applications?lang=uz", json=body, headers=me))
    seeded.wait_for_projections()
    after = client.get("/v1/applications?limit=100", headers=mine).json()["items"]
    assert [i["id"] for i in after] == [i["id"] for i in before]


def test_the_same_key_with_another_body_is_refused_and_nothing_is_submitted(
    client: TestClient, seeded: Container
) -> None:
    me = headers(seeded, APPLICANT, **{"Idempotency-Key": key()})
    first = client.post("/v1/applications", json=submission(language="ru"), headers=me)
    assert first.status_code == 201, first.text
    mine = headers(seeded, APPLICANT)
    seeded.wait_for_projections()
    before = client.get("/v1/applications?limit=100", headers=mine).json()["items"]

    assert_reused(client.post("/v1/applications", json=submission(language="uz-Latn"), headers=me))
    seeded.wait_for_projections()
    after = client.get("/v1/applications?limit=100", headers=mine).json()["items"]
    assert [i["id"] for i in after] == [i["id"] for i in before]


def test_the_same_key_and_request_replays_the_first_answer(
    client: TestClient, seeded: Container
) -> None:
    me = headers(seeded, APPLICANT, **{"Idempotency-Key": key()})
    body = submission()
    first = client.post("/v1/applications?lang=ru", json=body, headers=me)
    again = client.post("/v1/applications?lang=ru", json=body, headers=me)
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotency-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
