"""Every shipped service is published by seeding, and every one that takes applications
accepts its own example form (the one tests/e2e/cases.py builds from its schema) with its
required documents, routed to its kind's agency at its level for the applicant's district,
and waits for payment when it takes a fee."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from application.seeding import ReferenceData
from domain.service import ServiceTerms
from infrastructure.container import Container
from infrastructure.reference_data import load_reference_data
from tests.e2e.cases import DISTRICT, citizen, headers, submission

SHIPPED = load_reference_data().services
APPLICABLE = [s.code for s in SHIPPED if s.terms["form"] in (3, 4)]


def test_every_shipped_service_parses_and_is_published(
    container: Container, reference: ReferenceData
) -> None:
    for spec in reference.services:
        terms = ServiceTerms.from_dict(spec.terms)
        published = container.catalogue.get_service(spec.code)
        assert published.accepts_applications == (terms.form in (3, 4)), spec.code
        assert published.current.terms == terms, spec.code


@pytest.mark.parametrize("code", APPLICABLE)
def test_each_service_accepts_its_example_form(
    client: TestClient, container: Container, code: str
) -> None:
    spec = next(s for s in SHIPPED if s.code == code)
    response = client.post(
        "/v1/applications",
        json=submission(code),
        headers=headers(container, citizen()),
    )
    assert response.status_code == 201, (code, response.text)
    application = response.json()
    kind, level = spec.terms["agency_kind"], spec.terms["jurisdiction"]
    agency = {"republic": kind, "region": f"{kind}-{DISTRICT[:4]}"}.get(level, f"{kind}-{DISTRICT}")
    assert application["agency_code"] == agency, code
    expected = "awaiting_payment" if spec.terms["fee"]["kind"] != "free" else "queued"
    assert application["status"] == expected, (code, application["status"])
