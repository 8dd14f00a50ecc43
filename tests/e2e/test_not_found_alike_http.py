"""Another citizen's application or payment answers exactly as a missing one does: the same
404 problem, naming only what the caller asked for (never the case's tracking number or the
id of the application a payment belongs to)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from infrastructure.container import Container
from tests.e2e.cases import CITIZEN_B, citizen, headers, service_example, submit

OTHER = citizen(CITIZEN_B, name=None)


def _problem(response: Any) -> dict[str, Any]:
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = dict(response.json())
    body.pop("request_id", None)
    body.pop("instance", None)
    return body


def test_another_citizens_application_answers_as_a_missing_one(
    client: TestClient, seeded: Container
) -> None:
    theirs = submit(client, seeded)
    asked = {
        theirs["id"]: str(uuid.uuid4()),
        theirs["tracking_number"]: "AR-2026-9999998",
    }
    for key, missing in asked.items():
        for path in ("/v1/applications/{}", "/v1/applications/{}/result"):
            hidden = _problem(client.get(path.format(key), headers=headers(seeded, OTHER)))
            unknown = _problem(client.get(path.format(missing), headers=headers(seeded, OTHER)))
            assert hidden == {**unknown, "detail": unknown["detail"].replace(missing, key)}
            assert theirs["tracking_number"] not in str(hidden) or key == theirs["tracking_number"]
            assert theirs["id"] not in str(hidden) or key == theirs["id"]


def test_another_citizens_payment_answers_as_a_missing_one(
    client: TestClient, seeded: Container
) -> None:
    case = submit(
        client,
        seeded,
        service_code="marriage-registration",
        form=service_example("marriage-registration"),
    )
    started = client.post(
        f"/v1/applications/{case['id']}/payments", headers=headers(seeded, citizen())
    )
    assert started.status_code == 200, started.text
    payment_id = started.json()["id"]
    missing = str(uuid.uuid4())
    for path in ("/v1/payments/{}", "/v1/payments/{}/receipt"):
        hidden = _problem(client.get(path.format(payment_id), headers=headers(seeded, OTHER)))
        unknown = _problem(client.get(path.format(missing), headers=headers(seeded, OTHER)))
        assert hidden == {**unknown, "detail": unknown["detail"].replace(missing, payment_id)}
        assert case["id"] not in str(hidden)
        assert case["tracking_number"] not in str(hidden)
