"""Conflicting commands on one aggregate, sent at once over real HTTP: exactly one wins, the
others get 409 problems, one event is recorded and the versions stay contiguous. Requests
repeated under one Idempotency-Key make one thing and all get the same reply.
(Concurrent decisions on a case are covered in tests/integration/test_cases_postgres.py.)"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient

from application.principal import Principal
from domain.appeal import Appeal
from domain.inter_agency import InterAgencyRequest
from domain.payment import Payment
from domain.service_application import ServiceApplication
from infrastructure.container import Container
from tests.e2e.cases import citizen, officer, submission
from tests.integration.live import serve
from tests.reliability.world import (
    CADASTRE,
    HOKIM,
    World,
    bearer,
    world_client,
    world_container,
)

__all__ = ["world_client", "world_container"]  # fixtures used here

RACERS = 16
PROBLEM_JSON = "application/problem+json"


@pytest.fixture(scope="module")
def server(world_container: Container) -> Iterator[str]:
    with serve(world_container) as base:
        yield base


@pytest.fixture(scope="module")
def world(world_container: Container, world_client: TestClient) -> World:
    return World(world_container, world_client)


def race(server: str, calls: list[tuple[str, str, dict[str, str], Any]]) -> list[httpx.Response]:
    """Sends every (method, path, headers, body) at the same moment, one thread each."""
    start = threading.Barrier(len(calls))

    def send(call: tuple[str, str, dict[str, str], Any]) -> httpx.Response:
        method, path, headers, body = call
        with httpx.Client(base_url=server, timeout=60) as client:
            start.wait()
            return client.request(method, path, headers=headers, json=body)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(send, calls))


def one_winner(responses: list[httpx.Response], status: int = 200) -> httpx.Response:
    """Exactly one response of ``status``; every other a 409 problem."""
    statuses = sorted(r.status_code for r in responses)
    assert statuses == sorted([status] + [409] * (len(responses) - 1)), [
        r.text[:200] for r in responses if r.status_code != 409
    ]
    for loser in (r for r in responses if r.status_code == 409):
        assert loser.headers["content-type"] == PROBLEM_JSON
        assert loser.json()["status"] == 409
    return next(r for r in responses if r.status_code == status)


def recorded(container: Container, aggregate_id: str) -> list[Any]:
    """The aggregate's stored events, checked to run 1, 2, 3… without a gap or a repeat."""
    events = list(container.cases.repository.event_store.get(uuid.UUID(aggregate_id)))
    assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
    return events


def count(events: list[Any], kind: type) -> int:
    return sum(isinstance(e, kind) for e in events)


def test_officers_taking_one_case_at_once_leave_it_with_exactly_one(
    server: str, world: World, world_container: Container
) -> None:
    key = world.application()["id"]
    clerks = [officer(f"clerk-{i}", "justice-1703202") for i in range(RACERS)]
    responses = race(
        server,
        [
            ("POST", f"/v1/applications/{key}/acceptance", bearer(world_container, c), None)
            for c in clerks
        ],
    )
    winner = one_winner(responses)
    events = recorded(world_container, key)
    assert count(events, ServiceApplication.Accepted) == 1
    application = world_container.cases.load(key)
    assert application.status == "in_review"
    assert winner.json()["status"] == "in_review"
    assert application.assignee in {c.subject for c in clerks}


def test_one_answer_to_an_appeal_however_many_are_sent_at_once(
    server: str, world: World, world_container: Container
) -> None:
    appeal = world.appeal()
    auth = bearer(world_container, HOKIM)
    responses = race(
        server,
        [
            ("POST", f"/v1/appeals/{appeal['number']}/answer", auth, {"text": f"Answer {i}."})
            for i in range(RACERS)
        ],
    )
    winner = one_winner(responses)
    events = recorded(world_container, appeal["id"])
    assert count(events, Appeal.Answered) == 1
    stored = world_container.appeals.load(appeal["number"])
    assert stored.status == "answered"
    assert winner.json()["answer"]["text"] == stored.answer["text"]


def test_answers_and_refusals_of_one_request_at_once_settle_it_once(
    server: str, world: World, world_container: Container
) -> None:
    request = world.inter_agency_request()
    auth = bearer(world_container, CADASTRE)
    base = f"/v1/inter-agency-requests/{request['number']}"
    calls = [
        ("POST", f"{base}/answer", auth, {"data": {"address": f"Street {i}"}})
        if i % 2
        else ("POST", f"{base}/refusal", auth, {"reason": f"Refused {i}."})
        for i in range(RACERS)
    ]
    winner = one_winner(race(server, calls))
    events = recorded(world_container, request["id"])
    settled = count(events, InterAgencyRequest.Answered) + count(events, InterAgencyRequest.Refused)
    assert settled == 1
    assert world_container.inter_agency.load(request["number"]).status == winner.json()["status"]


def test_paying_one_fee_from_many_tabs_at_once_starts_one_payment(
    server: str, world: World, world_container: Container
) -> None:
    application = world.awaiting_payment()
    auth = bearer(world_container, citizen())
    responses = race(
        server,
        [("POST", f"/v1/applications/{application['id']}/payments", auth, None)] * RACERS,
    )
    assert all(r.status_code in (200, 409) for r in responses), [r.text for r in responses]
    assert any(r.status_code == 200 for r in responses)
    for conflict in (r for r in responses if r.status_code == 409):
        assert conflict.headers["content-type"] == PROBLEM_JSON
    attempts = world_container.payments.attempts(uuid.UUID(application["id"]))
    assert len(attempts) == 1, [a.id for a in attempts]
    assert {r.json()["id"] for r in responses if r.status_code == 200} == {str(attempts[0].id)}
    events = list(world_container.payments.repository.event_store.get(attempts[0].id))
    assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
    assert count(events, Payment.Requested) == 1
    assert count(events, Payment.ProviderPaymentCreated) == 1
    # And paying again afterwards resumes that same payment.
    again = httpx.post(
        f"{server}/v1/applications/{application['id']}/payments", headers=auth, timeout=30
    )
    assert again.status_code == 200
    assert again.json()["id"] == str(attempts[0].id)


def submissions_under_one_key(
    server: str, container: Container, who: Principal, path: str, body: dict[str, Any]
) -> list[httpx.Response]:
    auth = {**bearer(container, who), "Idempotency-Key": f"race-{uuid.uuid4()}"}
    responses = race(server, [("POST", path, auth, body)] * RACERS)
    assert [r.status_code for r in responses] == [201] * RACERS, [
        r.text[:200] for r in responses if r.status_code != 201
    ]
    assert len({r.content for r in responses}) == 1, "the replies differ"
    replayed = [r.headers.get("idempotency-replayed") == "true" for r in responses]
    assert replayed.count(False) == 1, "not exactly one request ran"
    return responses


def test_one_key_submitted_at_once_makes_one_application_and_one_reply(
    server: str, world_container: Container
) -> None:
    who = citizen("52001011234565", name=None)
    responses = submissions_under_one_key(
        server, world_container, who, "/v1/applications", submission()
    )
    created = responses[0].json()
    world_container.wait_for_projections()
    mine = httpx.get(f"{server}/v1/applications", headers=bearer(world_container, who)).json()
    assert [a["id"] for a in mine["items"]] == [created["id"]]


def test_one_key_filed_at_once_makes_one_appeal_and_one_reply(
    server: str, world_container: Container
) -> None:
    who = citizen("62001011234566", name=None)
    body = {"territory": "1703202", "subject": "utilities", "text": "No water."}
    responses = submissions_under_one_key(server, world_container, who, "/v1/appeals", body)
    world_container.wait_for_projections()
    mine = httpx.get(f"{server}/v1/appeals", headers=bearer(world_container, who)).json()
    assert [a["number"] for a in mine["items"]] == [responses[0].json()["number"]]
