"""Helpers for end-to-end tests of cases: tokens, a valid submission, waiting for views."""

from __future__ import annotations

import copy
import time
from typing import Any

from fastapi.testclient import TestClient

from application.principal import Principal
from domain.identity_fields import identity_fields
from infrastructure.container import Container
from infrastructure.reference_data import load_reference_data
from tests.documents import PDF, attachments

__all__ = ["PDF", "attachments"]  # tests import the PDF from here

CITIZEN_A = "31503901234567"
CITIZEN_B = "42207951234561"
DISTRICT = "1703202"  # Oltinkoʻl tumani, Andijon viloyati
AGENCY = f"justice-{DISTRICT}"
OTHER_AGENCY = "justice-1706204"


def headers(container: Container, principal: Principal, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {container.tokens.mint(principal)}", **extra}


def citizen(pinfl: str = CITIZEN_A, name: str | None = "Aziza Karimova") -> Principal:
    return Principal(pinfl, "citizen", name=name)


def officer(subject: str = "officer-17", agency: str = AGENCY) -> Principal:
    return Principal(subject, "officer", agency=agency)


def service_example(code: str) -> dict[str, Any]:
    """The service's example form without the fields the applicant's identity fills."""
    spec = next(s for s in load_reference_data().services if s.code == code)
    schema = spec.terms["form_schema"]
    bound = identity_fields(schema)
    return {k: v for k, v in copy.deepcopy(schema["examples"][0]).items() if k not in bound}


def submission(code: str = "birth-registration", **changes: Any) -> dict[str, Any]:
    """A valid body for ``code``: its example form and every document it requires (for
    birth registration, the medical certificate first)."""
    body = {
        "service_code": code,
        "territory": DISTRICT,
        "form": service_example(code),
        "language": "ru",
        "attachments": attachments(code),
    }
    body.update(changes)
    if "service_code" in changes and "attachments" not in changes:
        body["attachments"] = attachments(changes["service_code"])
    return body


def submit(
    client: TestClient, container: Container, who: Principal | None = None, **changes: Any
) -> dict[str, Any]:
    response = client.post(
        "/v1/applications", json=submission(**changes), headers=headers(container, who or citizen())
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def accept_and_approve(
    client: TestClient, container: Container, key: str, clerk: Principal
) -> None:
    """The clerk takes the queued case and approves it."""
    accepted = client.post(f"/v1/applications/{key}/acceptance", headers=headers(container, clerk))
    assert accepted.status_code == 200, accepted.text
    decided = client.post(
        f"/v1/applications/{key}/decision",
        headers=headers(container, clerk),
        json={"outcome": "approved", "reasons": "Checked.", "legal_basis": "Art. 1"},
    )
    assert decided.status_code == 201, decided.text


def paid_and_decided(
    client: TestClient,
    container: Container,
    who: Principal | None = None,
    clerk: Principal | None = None,
    code: str = "marriage-registration",
) -> dict[str, Any]:
    """A case through its whole life over HTTP: submitted, paid on the sandbox page, queued,
    accepted and approved. Returns the application as its citizen reads it."""
    who, clerk = who or citizen(), clerk or officer()
    body = {
        "service_code": code,
        "territory": DISTRICT,
        "form": service_example(code),
        "attachments": attachments(code),
    }
    created = client.post("/v1/applications", json=body, headers=headers(container, who))
    assert created.status_code == 201, created.text
    key = created.json()["id"]
    started = client.post(f"/v1/applications/{key}/payments", headers=headers(container, who))
    assert started.status_code == 200, started.text
    page = "/" + started.json()["confirmation_url"].split("/", 3)[3]
    paid = client.post(page, json={"outcome": "succeeded"})
    assert paid.status_code == 200, paid.text
    deadline = time.monotonic() + 30
    while (
        client.get(f"/v1/applications/{key}", headers=headers(container, who)).json()["status"]
        != "queued"
    ):
        assert time.monotonic() < deadline, "the paid application was not queued"
        time.sleep(0.05)
    accept_and_approve(client, container, key, clerk)
    final = client.get(f"/v1/applications/{key}", headers=headers(container, who))
    return dict(final.json())
