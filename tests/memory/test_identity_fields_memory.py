"""Form fields that identify the applicant come from the token, not from what is typed: a
citizen cannot apply, nor correct an application, in another person's name."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from application.principal import Principal
from infrastructure.container import Container
from tests.e2e.cases import CITIZEN_A, CITIZEN_B, citizen, headers, submission
from tests.memory.support import problem, submitted

SERVICE = "death-registration"  # free; its form has applicant_pinfl (x-identity: pinfl)


def apply(client: TestClient, container: Container, form: dict[str, Any]) -> Any:
    body = submission(SERVICE, form=form)
    return client.post("/v1/applications", json=body, headers=headers(container, citizen()))


def test_the_applicants_pinfl_is_filled_from_the_token(
    client: TestClient, container: Container
) -> None:
    form = submission(SERVICE)["form"]
    assert "applicant_pinfl" not in form  # the example, minus what the identity fills
    created = submitted(client, container, service_code=SERVICE, form=form)
    assert created["form"]["applicant_pinfl"] == CITIZEN_A


def test_another_citizens_pinfl_is_a_422_that_does_not_quote_it(
    client: TestClient, container: Container
) -> None:
    before = len(
        client.get("/v1/applications", headers=headers(container, citizen())).json()["items"]
    )
    form = {**submission(SERVICE)["form"], "applicant_pinfl": CITIZEN_B}
    body = problem(apply(client, container, form), 422)
    assert body["type"] == "urn:yagona:problem:invalid-form"
    assert [e["name"] for e in body["errors"]] == ["/form/applicant_pinfl"]
    assert "identity" in body["errors"][0]["detail"]
    assert CITIZEN_B not in str(body)
    assert CITIZEN_A not in str(body)
    after = client.get("/v1/applications", headers=headers(container, citizen())).json()
    assert len(after["items"]) == before  # nothing recorded


def test_ones_own_pinfl_typed_in_is_accepted(client: TestClient, container: Container) -> None:
    form = {**submission(SERVICE)["form"], "applicant_pinfl": CITIZEN_A}
    assert apply(client, container, form).status_code == 201


def test_a_correction_may_not_put_another_persons_pinfl_in(
    client: TestClient, container: Container
) -> None:
    created = submitted(client, container, service_code=SERVICE, form=submission(SERVICE)["form"])
    key, agency = created["tracking_number"], created["agency_code"]
    clerk = headers(container, Principal("officer-5", "officer", agency=agency))
    client.post(f"/v1/applications/{key}/acceptance", headers=clerk)
    asked = client.post(
        f"/v1/applications/{key}/information-requests", json={"message": "Why?"}, headers=clerk
    )
    assert asked.status_code == 200, asked.text
    answer = {"message": "Corrected.", "form": {"applicant_pinfl": CITIZEN_B}}
    body = problem(
        client.post(
            f"/v1/applications/{key}/information",
            json=answer,
            headers=headers(container, citizen()),
        ),
        422,
    )
    assert [e["name"] for e in body["errors"]] == ["/form/applicant_pinfl"]
    stored = client.get(f"/v1/applications/{key}", headers=headers(container, citizen())).json()
    assert stored["form"]["applicant_pinfl"] == CITIZEN_A
    assert stored["status"] == "awaiting_information"
