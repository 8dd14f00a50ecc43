"""Bad bodies are 422 problem documents that name the field; missing required documents
are named one by one, and nothing is recorded."""

from __future__ import annotations

import base64

from fastapi.testclient import TestClient

from infrastructure.container import Container
from tests.e2e.cases import PDF, citizen, headers, officer, submission
from tests.memory.support import problem, submitted


def post(client: TestClient, container: Container, body: object) -> object:
    return client.post("/v1/applications", json=body, headers=headers(container, citizen()))


def error_names(body: dict[str, object]) -> set[str]:
    return {e["name"] for e in body["errors"]}  # type: ignore[attr-defined, index]


def test_form_errors_name_each_field_by_json_pointer(
    client: TestClient, container: Container
) -> None:
    form = submission()["form"]
    del form["mother_pinfl"]
    form["birth_date"] = "not a date"
    body = problem(post(client, container, submission(form=form)), 422)
    assert "/form/birth_date" in error_names(body)
    assert "/form" in error_names(body)
    assert "mother_pinfl" in body["detail"]


def test_a_body_that_is_not_json_is_422(client: TestClient, container: Container) -> None:
    response = client.post(
        "/v1/applications",
        content=b"{not json",
        headers={**headers(container, citizen()), "Content-Type": "application/json"},
    )
    problem(response, 422)


def test_a_missing_service_code_is_named(client: TestClient, container: Container) -> None:
    body = submission()
    del body["service_code"]
    named = problem(post(client, container, body), 422)
    assert any("service_code" in name for name in error_names(named))


def test_an_unknown_language_is_named(client: TestClient, container: Container) -> None:
    named = problem(post(client, container, submission(language="xx")), 422)
    assert any("language" in name for name in error_names(named))


def test_a_wrongly_typed_form_is_named(client: TestClient, container: Container) -> None:
    named = problem(post(client, container, submission(form="a string")), 422)
    assert any("form" in name for name in error_names(named))


def test_each_missing_required_document_is_named(client: TestClient, container: Container) -> None:
    bare = submission("criminal-record-certificate", attachments=[])
    refused = problem(post(client, container, bare), 422)
    assert refused["type"] == "urn:yagona:problem:missing-documents"
    assert refused["errors"] == [
        {"name": "/attachments", "in": "body", "detail": "missing document identity-document"}
    ]
    only_other = submission(attachments=[{**submission()["attachments"][0], "document": "other"}])
    named = problem(post(client, container, only_other), 422)
    assert [e["detail"] for e in named["errors"]] == [
        "missing document medical-birth-certificate",
        "missing document identity-document",
    ]


def test_a_refused_submission_records_nothing(client: TestClient, container: Container) -> None:
    before = container.cases.recorder.max_notification_id() or 0
    problem(post(client, container, submission(attachments=[])), 422)
    assert (container.cases.recorder.max_notification_id() or 0) == before


def test_an_attachment_that_is_not_what_it_claims_is_refused(
    client: TestClient, container: Container
) -> None:
    fake = submission()
    fake["attachments"][0]["content_base64"] = base64.b64encode(b"MZ not a pdf").decode()
    assert "is not a application/pdf file" in problem(post(client, container, fake), 422)["detail"]


def test_an_unknown_document_kind_is_refused(client: TestClient, container: Container) -> None:
    unknown = submission()
    unknown["attachments"][0]["document"] = "passport-of-the-cat"
    problem(post(client, container, unknown), 422)


def test_an_oversized_attachment_is_refused(client: TestClient, container: Container) -> None:
    too_big = submission()
    too_big["attachments"][0]["content_base64"] = base64.b64encode(
        PDF + b"0" * (5 * 1024 * 1024)
    ).decode()
    assert "limit" in problem(post(client, container, too_big), 422)["detail"]


def test_a_malformed_idempotency_key_is_named(client: TestClient, container: Container) -> None:
    response = client.post(
        "/v1/applications",
        json=submission(),
        headers=headers(container, citizen(), **{"Idempotency-Key": "bad key"}),
    )
    assert error_names(problem(response, 422)) == {"Idempotency-Key"}


def test_the_same_idempotency_key_replays_and_another_body_is_409(
    client: TestClient, container: Container
) -> None:
    me = headers(container, citizen(), **{"Idempotency-Key": "memory-replay-1"})
    first = client.post("/v1/applications", json=submission(), headers=me)
    again = client.post("/v1/applications", json=submission(), headers=me)
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotency-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    other = client.post("/v1/applications", json=submission(language="uz-Latn"), headers=me)
    assert problem(other, 409)["type"] == "urn:yagona:problem:idempotency-key-reused"


def test_a_decision_needs_its_reasons(client: TestClient, container: Container) -> None:
    application = submitted(client, container)
    handler = headers(container, officer())
    accepted = client.post(f"/v1/applications/{application['id']}/acceptance", headers=handler)
    assert accepted.status_code == 200, accepted.text
    refused = problem(
        client.post(
            f"/v1/applications/{application['id']}/decision",
            json={"outcome": "approved", "legal_basis": "Art. 1"},
            headers=handler,
        ),
        422,
    )
    assert any("reasons" in name for name in error_names(refused))


def test_a_query_parameter_out_of_range_is_named(client: TestClient, container: Container) -> None:
    named = problem(
        client.get("/v1/applications", params={"limit": 0}, headers=headers(container, citizen())),
        422,
    )
    assert any("limit" in name for name in error_names(named))
