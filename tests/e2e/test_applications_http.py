"""Applications and decisions over HTTP, from submission to a verified result."""

from __future__ import annotations

import base64
import hashlib
from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from infrastructure.container import Container
from tests.e2e.cases import (
    AGENCY,
    CITIZEN_B,
    OTHER_AGENCY,
    PDF,
    citizen,
    headers,
    officer,
    service_example,
    submission,
    submit,
)


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return dict(response.json())


def test_a_free_service_from_submission_to_a_verified_result(
    client: TestClient, seeded: Container
) -> None:
    applicant, clerk = citizen(), officer()
    # The citizen applies; it is routed to the district's justice office with a due date.
    created = submit(client, seeded)
    key = created["tracking_number"]
    assert created["status"] == "queued"
    assert created["agency_code"] == AGENCY
    assert created["service_version"] == 1
    assert created["payment"]["status"] == "not_required"
    assert date.fromisoformat(created["due_date"]) > date(2026, 11, 27)
    assert created["attachments"][0]["sha256"] == hashlib.sha256(PDF).hexdigest()

    # It appears in that agency's queue, and not in another agency's.
    seeded.wait_for_projections()
    queue = client.get("/v1/queue", headers=headers(seeded, clerk)).json()["items"]
    assert key in [item["tracking_number"] for item in queue]
    elsewhere = client.get("/v1/queue", headers=headers(seeded, officer("o-9", OTHER_AGENCY)))
    assert key not in [item["tracking_number"] for item in elsewhere.json()["items"]]

    # An officer accepts, asks for information; the citizen answers.
    accepted = client.post(f"/v1/applications/{key}/acceptance", headers=headers(seeded, clerk))
    assert accepted.json()["status"] == "in_review"
    asked = client.post(
        f"/v1/applications/{key}/information-requests",
        json={"message": "Please attach the parents' marriage certificate."},
        headers=headers(seeded, clerk),
    )
    assert asked.json()["status"] == "awaiting_information"
    answered = client.post(
        f"/v1/applications/{key}/information",
        json={"message": "Attached at the registry office.", "form": {"phone": "+998901112233"}},
        headers=headers(seeded, applicant),
    )
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert body["status"] == "in_review"
    assert body["form"]["phone"] == "+998901112233"
    assert body["information_requests"][0]["answer"] == "Attached at the registry office."

    # The officer approves; the result is issued with a registration number and a code.
    decided = client.post(
        f"/v1/applications/{key}/decision",
        json={
            "outcome": "approved",
            "reasons": "The birth is registered.",
            "legal_basis": "Law 'On civil status acts'",
        },
        headers=headers(seeded, clerk),
    )
    assert decided.status_code == 201, decided.text
    decision = decided.json()
    assert decision["application"]["status"] == "result_issued"
    registration_number, code = decision["registration_number"], decision["verification_code"]
    assert registration_number.startswith("ADL-1703202-2026-")  # the justice division, 2026

    # The citizen sees the decision and downloads the result, byte for byte as recorded.
    mine = client.get(f"/v1/applications/{key}", headers=headers(seeded, applicant)).json()
    assert mine["decision"]["registration_number"] == registration_number
    assert mine["decision"]["verification_code"] == code
    pdf = client.get(f"/v1/applications/{key}/result", headers=headers(seeded, applicant))
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == decision["documents"]["pdf"]
    html = client.get(
        f"/v1/applications/{key}/result",
        params={"format": "html"},
        headers=headers(seeded, applicant),
    )
    assert registration_number in html.text
    assert "Одобрено" in html.text or "одобрено" in html.text.lower()  # the applicant chose ru

    # Anyone verifies it with the code, learning nothing about the applicant.
    verified = client.get(f"/v1/verify/{registration_number}", params={"code": code})
    assert verified.status_code == 200, verified.text
    facts = verified.json()
    assert facts["valid"] is True
    assert facts["outcome"] == "approved"
    assert facts["documents"] == decision["documents"]
    assert facts["agency_code"] == AGENCY
    assert "31503901234567" not in verified.text
    assert "Aziza" not in verified.text
    problem(client.get(f"/v1/verify/{registration_number}", params={"code": "WRONG-CODE"}), 404)
    reads = seeded.access_log.entries_for(created["id"])
    assert [(e.actor, e.purpose) for _, e in reads if e.action == "decision.verify"] == [
        ("public", "public verification")
    ]

    # Another citizen cannot see it (404); an officer of another agency may not (403).
    problem(client.get(f"/v1/applications/{key}", headers=headers(seeded, citizen(CITIZEN_B))), 404)
    problem(
        client.get(f"/v1/applications/{key}/result", headers=headers(seeded, citizen(CITIZEN_B))),
        404,
    )
    problem(
        client.get(
            f"/v1/applications/{key}", headers=headers(seeded, officer("o-9", OTHER_AGENCY))
        ),
        403,
    )
    problem(
        client.post(
            f"/v1/applications/{key}/acceptance",
            headers=headers(seeded, officer("o-9", OTHER_AGENCY)),
        ),
        403,
    )

    # The citizen's list shows it; the register lists the decision without personal data.
    seeded.wait_for_projections()
    listed = client.get("/v1/applications", headers=headers(seeded, applicant)).json()["items"]
    assert any(item["tracking_number"] == key and item["outcome"] == "approved" for item in listed)
    register = client.get("/v1/decisions", headers=headers(seeded, officer())).json()["items"]
    assert registration_number in [entry["registration_number"] for entry in register]


def test_invalid_transitions_are_409_problems_naming_the_state(
    client: TestClient, seeded: Container
) -> None:
    key = submit(client, seeded)["tracking_number"]
    body = problem(
        client.post(
            f"/v1/applications/{key}/decision",
            json={"outcome": "approved", "reasons": "x", "legal_basis": "y"},
            headers=headers(seeded, officer()),
        ),
        409,
    )
    assert body["state"] == "queued"
    assert "queued" in body["detail"]
    client.post(f"/v1/applications/{key}/acceptance", headers=headers(seeded, officer()))
    taken = problem(
        client.post(
            f"/v1/applications/{key}/acceptance", headers=headers(seeded, officer("officer-99"))
        ),
        409,
    )
    assert taken["type"] == "urn:yagona:problem:assigned-to-another-officer"
    withdrawn = client.post(
        f"/v1/applications/{key}/withdrawal",
        json={"reason": "no longer needed"},
        headers=headers(seeded, citizen()),
    )
    assert withdrawn.json()["status"] == "withdrawn"
    again = problem(
        client.post(f"/v1/applications/{key}/withdrawal", headers=headers(seeded, citizen())), 409
    )
    assert again["state"] == "withdrawn"


def test_form_errors_name_each_field_by_json_pointer(client: TestClient, seeded: Container) -> None:
    form = submission()["form"]
    del form["mother_pinfl"]
    form["birth_date"] = "not a date"
    response = client.post(
        "/v1/applications", json=submission(form=form), headers=headers(seeded, citizen())
    )
    body = problem(response, 422)
    names = {error["name"] for error in body["errors"]}
    assert "/form/birth_date" in names
    assert "/form" in names  # the missing required field is reported at the form's root
    assert "mother_pinfl" in body["detail"]


def test_routing_needs_a_territory_at_the_services_level(
    client: TestClient, seeded: Container
) -> None:
    region = problem(
        client.post(
            "/v1/applications",
            json=submission(territory="1703"),
            headers=headers(seeded, citizen()),
        ),
        422,
    )
    assert "district or city" in region["detail"]
    unknown = problem(
        client.post(
            "/v1/applications",
            json=submission(territory="1703999"),
            headers=headers(seeded, citizen()),
        ),
        422,
    )
    assert "1703999" in unknown["detail"]


def test_attachments_are_checked_by_content_and_size(client: TestClient, seeded: Container) -> None:
    fake = submission()
    fake["attachments"][0]["content_base64"] = base64.b64encode(b"MZ not a pdf").decode()
    assert (
        "is not a application/pdf file"
        in problem(
            client.post("/v1/applications", json=fake, headers=headers(seeded, citizen())), 422
        )["detail"]
    )
    unknown_document = submission()
    unknown_document["attachments"][0]["document"] = "passport-of-the-cat"
    problem(
        client.post("/v1/applications", json=unknown_document, headers=headers(seeded, citizen())),
        422,
    )
    too_big = submission()
    too_big["attachments"][0]["content_base64"] = base64.b64encode(
        PDF + b"0" * (5 * 1024 * 1024)
    ).decode()
    assert (
        "limit"
        in problem(
            client.post("/v1/applications", json=too_big, headers=headers(seeded, citizen())), 422
        )["detail"]
    )


def test_each_missing_required_document_is_named_and_nothing_is_recorded(
    client: TestClient, seeded: Container
) -> None:
    me = headers(seeded, citizen())
    before = client.get("/v1/applications", headers=me, params={"limit": 100}).json()["items"]
    bare = submission("criminal-record-certificate", attachments=[])
    refused = problem(client.post("/v1/applications", json=bare, headers=me), 422)
    assert refused["type"] == "urn:yagona:problem:missing-documents"
    assert "identity-document" in refused["detail"]
    assert refused["errors"] == [
        {"name": "/attachments", "in": "body", "detail": "missing document identity-document"}
    ]
    # Birth registration needs two documents; the parents' marriage certificate is optional.
    only_other = submission(attachments=[{**submission()["attachments"][0], "document": "other"}])
    named = problem(client.post("/v1/applications", json=only_other, headers=me), 422)
    assert [e["detail"] for e in named["errors"]] == [
        "missing document medical-birth-certificate",
        "missing document identity-document",
    ]
    seeded.wait_for_projections()
    after = client.get("/v1/applications", headers=me, params={"limit": 100}).json()["items"]
    assert len(after) == len(before)  # nothing half-written
    detail = client.get("/v1/services/birth-registration").json()["required_documents"]
    assert {d["code"]: d["optional"] for d in detail} == {
        "medical-birth-certificate": False,
        "identity-document": False,
        "marriage-certificate": True,
    }
    assert submit(client, seeded)["status"] == "queued"  # both required ones attached


def test_services_that_take_no_applications(client: TestClient, seeded: Container) -> None:
    info_service = next(
        code
        for code in ("state-duty-rates", "public-service-centres", "utility-tariffs")
        if client.get(f"/v1/services/{code}").status_code == 200
    )
    body = problem(
        client.post(
            "/v1/applications",
            json=submission(code=info_service, form={}),
            headers=headers(seeded, citizen()),
        ),
        422,
    )
    assert "form-1" in body["detail"]
    problem(
        client.post(
            "/v1/applications",
            json={**submission(), "service_code": "no-such-service"},
            headers=headers(seeded, citizen()),
        ),
        422,
    )


def test_authentication_and_roles(client: TestClient, seeded: Container) -> None:
    problem(client.post("/v1/applications", json=submission()), 401)
    bad = problem(
        client.get("/v1/applications", headers={"Authorization": "Bearer not.a.jwt"}), 401
    )
    assert bad["type"] == "urn:yagona:problem:invalid-token"
    problem(
        client.post("/v1/applications", json=submission(), headers=headers(seeded, officer())), 403
    )
    problem(client.get("/v1/queue", headers=headers(seeded, citizen())), 403)
    problem(client.get("/v1/decisions", headers=headers(seeded, citizen())), 403)


def test_an_officer_token_for_an_agency_not_in_the_directory_is_refused(
    client: TestClient, seeded: Container
) -> None:
    nowhere = officer("officer-17", "justice-9999999")
    for _ in range(2):  # the known agencies are remembered; unknown ones are asked again
        refused = problem(client.get("/v1/queue", headers=headers(seeded, nowhere)), 401)
        assert refused["type"] == "urn:yagona:problem:unknown-agency"
        assert "'justice-9999999'" in refused["detail"]
        assert refused["detail"].endswith("is not in the agency directory")
        known = client.get("/v1/queue", headers=headers(seeded, officer()))
        assert known.status_code == 200, known.text


def test_a_paid_service_waits_for_payment(client: TestClient, seeded: Container) -> None:
    created = submit(
        client,
        seeded,
        service_code="marriage-registration",
        form=service_example("marriage-registration"),
    )
    assert created["status"] == "awaiting_payment"
    assert created["payment"] == {
        "status": "pending",
        "amount": 8_240_000,
        "currency": "UZS",
        "payment_id": None,
        "exemption": None,
    }
    assert created["due_date"] is None
    seeded.wait_for_projections()
    queue = client.get("/v1/queue", headers=headers(seeded, officer())).json()["items"]
    assert created["tracking_number"] not in [item["tracking_number"] for item in queue]


def test_tracking_numbers_and_ids_both_address_an_application(
    client: TestClient, seeded: Container
) -> None:
    created = submit(client, seeded)
    by_id = client.get(f"/v1/applications/{created['id']}", headers=headers(seeded, citizen()))
    by_number = client.get(
        f"/v1/applications/{created['tracking_number']}", headers=headers(seeded, citizen())
    )
    assert by_id.json() == by_number.json()
    problem(client.get("/v1/applications/AR-2026-9999999", headers=headers(seeded, citizen())), 404)
    problem(client.get("/v1/applications/garbage", headers=headers(seeded, citizen())), 404)


def test_reads_by_officers_are_recorded(client: TestClient, seeded: Container) -> None:
    created = submit(client, seeded)
    client.get(
        f"/v1/applications/{created['id']}",
        params={"purpose": "review"},
        headers=headers(seeded, officer()),
    )
    client.get(f"/v1/applications/{created['id']}", headers=headers(seeded, citizen()))
    entries = [entry for _, entry in seeded.access_log.entries_for(created["id"])]
    assert [(e.actor, e.action, e.purpose) for e in entries] == [
        ("officer-17", "application.read", "review")
    ]
