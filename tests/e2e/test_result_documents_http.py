"""The result document a citizen downloads states what was granted, who decided it in which
agency, and carries a QR code that verifies it; verification takes the code as people type it."""

from __future__ import annotations

import base64
import io
from typing import Any
from urllib.parse import urlsplit

import pypdfium2
import zxingcpp
from fastapi.testclient import TestClient
from pypdf import PdfReader

from application.principal import Principal
from application.seeding import ReferenceData, expand_agencies
from infrastructure.container import Container
from tests.e2e.cases import AGENCY, DISTRICT, PDF, citizen, headers, officer, service_example

NAMED_CLERK = Principal(
    "officer-ia-mu",
    "officer",
    agency=AGENCY,
    name="Dilnoza Rahimova",
    position="Bosh mutaxassis, FHDYo boʻlimi",
)


def apply(
    client: TestClient, container: Container, code: str, language: str
) -> tuple[str, dict[str, Any]]:
    """Submit ``code``'s example form with every required document attached."""
    spec = client.get(f"/v1/services/{code}").json()
    attachments = [
        {
            "document": document["code"],
            "filename": f"{document['code']}.pdf",
            "content_type": "application/pdf",
            "content_base64": base64.b64encode(PDF).decode(),
        }
        for document in spec["required_documents"]
    ]
    form = service_example(code)
    body = {
        "service_code": code,
        "territory": DISTRICT,
        "form": form,
        "language": language,
        "attachments": attachments,
    }
    created = client.post("/v1/applications", json=body, headers=headers(container, citizen()))
    assert created.status_code == 201, created.text
    return created.json()["tracking_number"], form


def decide(
    client: TestClient, container: Container, key: str, clerk: Principal, outcome: str
) -> dict[str, Any]:
    accepted = client.post(f"/v1/applications/{key}/acceptance", headers=headers(container, clerk))
    assert accepted.status_code == 200, accepted.text
    decided = client.post(
        f"/v1/applications/{key}/decision",
        headers=headers(container, clerk),
        json={"outcome": outcome, "reasons": "Checked in full.", "legal_basis": "Art. 12"},
    )
    assert decided.status_code == 201, decided.text
    return dict(decided.json())


def result(client: TestClient, container: Container, key: str, file_format: str) -> bytes:
    response = client.get(
        f"/v1/applications/{key}/result",
        params={"format": file_format},
        headers=headers(container, citizen()),
    )
    assert response.status_code == 200, response.text
    return response.content


def pdf_lines(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return [line.strip() for line in text.splitlines()]


def qr_codes(pdf: bytes) -> list[str]:
    """What a phone's reader finds on the rendered pages."""
    found = []
    for page in pypdfium2.PdfDocument(pdf):
        image = page.render(scale=2).to_pil()
        found += [r.text for r in zxingcpp.read_barcodes(image)]
    return found


def agency_names(reference: ReferenceData, code: str, language: str) -> tuple[str, str, str]:
    """The agency's, its parent's and its territory's names, from the reference data."""
    agencies = {a.code: a for a in expand_agencies(reference.agency_kinds, reference.territories)}
    agency = agencies[code]
    assert agency.parent is not None
    territory = next(t for t in reference.territories if t.code == agency.territory)
    return (
        agency.names[language],
        agencies[agency.parent].names[language],
        territory.names[language],
    )


def test_a_certificate_states_the_certified_facts_the_officer_the_agency_and_a_qr_code(
    client: TestClient, seeded: Container, reference: ReferenceData
) -> None:
    key, form = apply(client, seeded, "birth-registration", "ru")
    decision = decide(client, seeded, key, NAMED_CLERK, "approved")
    registration_number, code = decision["registration_number"], decision["verification_code"]
    pdf = result(client, seeded, key, "pdf")
    lines = pdf_lines(pdf)
    text = "\n".join(lines)

    # What was granted: a certificate titled with the service, the form's facts in Russian.
    assert lines[lines.index("Справка") + 1] == "Государственная регистрация рождения ребёнка"
    assert "Удостоверяемые сведения" in lines
    assert f"Фамилия ребёнка {form['child_last_name']}" in lines
    assert f"Имя ребёнка {form['child_first_name']}" in lines
    assert f"Дата рождения {form['birth_date']}" in lines
    assert "ПИНФЛ матери 4220******4561" in lines
    assert form["mother_pinfl"] not in text  # identified by PINFL only masked
    assert form["father_pinfl"] not in text
    assert form["phone"] not in text  # a contact detail, not a certified fact

    # Who decided, by name and position, not by account id; the agency in full.
    assert "Dilnoza Rahimova" in text
    assert "Bosh mutaxassis, FHDYo boʻlimi" in text
    assert "officer-ia-mu" not in text
    name, parent, territory = agency_names(reference, AGENCY, "ru")
    assert name in text
    assert parent in text
    assert f"Территория {territory}" in lines

    # The verification URL on a line of its own, the code on its own, and a QR code of it.
    url = qr_codes(pdf)
    assert len(url) == 1
    assert url[0] in lines
    assert code in lines
    assert url[0].endswith(f"/v1/verify/{registration_number}?code={code}")
    scanned = urlsplit(url[0])
    verified = client.get(f"{scanned.path}?{scanned.query}")
    assert verified.status_code == 200, verified.text
    assert verified.json()["valid"] is True

    page = result(client, seeded, key, "html").decode("utf-8")
    assert '<svg viewBox="0 0 ' in page
    assert "Dilnoza Rahimova" in page
    assert f"<th>Фамилия ребёнка</th><td>{form['child_last_name']}</td>" in page
    assert form["mother_pinfl"] not in page


def test_a_permit_states_its_terms_and_validity_and_a_refusal_grants_nothing(
    client: TestClient, seeded: Container
) -> None:
    clerk = Principal("officer-b1", "officer", agency="construction-1703", name="Aziz Tursunov")
    key, form = apply(client, seeded, "building-permit", "en")
    decision = decide(client, seeded, key, clerk, "approved")
    lines = pdf_lines(result(client, seeded, key, "pdf"))
    assert "Permit" in lines
    assert "Terms" in lines
    verified = client.get(
        f"/v1/verify/{decision['registration_number']}",
        params={"code": decision["verification_code"]},
    )
    decided_on = verified.json()["decided_on"]  # the decision's day in Tashkent
    assert f"Valid from {decided_on}" in lines
    assert f"Valid until {form['planned_end_date']}" in lines  # the end of the works
    assert "Officer Aziz Tursunov" in lines

    refused, _ = apply(client, seeded, "building-permit", "en")
    decide(client, seeded, refused, clerk, "rejected")
    lines = pdf_lines(result(client, seeded, refused, "pdf"))
    assert "Decision to refuse" in lines
    assert "Terms" not in lines
    assert not any(line.startswith("Valid until") for line in lines)
    assert "Checked in full." in lines


def test_an_officer_without_a_name_is_shown_by_account_clearly_labelled(
    client: TestClient, seeded: Container
) -> None:
    key, _ = apply(client, seeded, "birth-registration", "en")
    decide(client, seeded, key, officer("officer-ia-mu"), "approved")
    text = "\n".join(pdf_lines(result(client, seeded, key, "pdf")))
    assert "Name not on record (account officer-ia-mu)" in text


def test_verification_takes_the_code_without_dashes_in_any_case(
    client: TestClient, seeded: Container
) -> None:
    key, _ = apply(client, seeded, "birth-registration", "uz-Latn")
    decision = decide(client, seeded, key, officer(), "approved")
    number, code = decision["registration_number"], decision["verification_code"]
    assert code.count("-") == 2
    for typed in (code, code.lower(), code.replace("-", "").lower(), f" {code[:4]} {code[5:]} "):
        verified = client.get(f"/v1/verify/{number}", params={"code": typed})
        assert verified.status_code == 200, (typed, verified.text)
        assert verified.json()["registration_number"] == number
    wrong = code.replace("-", "")[:-1] + ("0" if code[-1] != "0" else "1")
    refused = client.get(f"/v1/verify/{number}", params={"code": wrong.lower()})
    assert refused.status_code == 404
    assert refused.headers["content-type"].startswith("application/problem+json")
