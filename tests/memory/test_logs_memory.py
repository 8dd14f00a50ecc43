"""No log line carries personal data: a citizen's journey (a refused form, a submission,
a read, a correction) logs ids and codes, never a PINFL, a name or a form value."""

from __future__ import annotations

import logging

import pytest
import structlog
from fastapi.testclient import TestClient

from infrastructure.container import Container
from tests.e2e.cases import CITIZEN_A, CITIZEN_B, citizen, headers, submission
from tests.memory.support import problem, submitted

SERVICE = "death-registration"
PERSONAL = (CITIZEN_A, CITIZEN_B, "Aziza", "Karimova", "30405451234563", "+998998887766")


def test_a_citizens_journey_logs_no_personal_data(
    client: TestClient, container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    # Lines reach structlog's capture, or (once the process configured logging, and its
    # loggers were cached) the standard library's handlers: both are read.
    caplog.set_level(logging.DEBUG)
    form = submission(SERVICE)["form"]
    with structlog.testing.capture_logs() as logs:
        refused = client.post(
            "/v1/applications",
            json=submission(SERVICE, form={**form, "applicant_pinfl": CITIZEN_B}),
            headers=headers(container, citizen()),
        )
        problem(refused, 422)
        created = submitted(client, container, service_code=SERVICE, form=form)
        key = created["tracking_number"]
        client.get(f"/v1/applications/{key}", headers=headers(container, citizen()))
        client.get(f"/v1/applications/{key}", headers=headers(container, citizen(CITIZEN_B)))
    lines = [repr(entry) for entry in logs] + [repr(r.msg) for r in caplog.records]
    assert any("http.request" in line for line in lines), "the capture sees no request line"
    text = "\n".join(lines)
    for value in PERSONAL:
        assert value not in text, f"a log line carries personal data ({value[:2]}…)"
