"""Error answers are bounded and reveal no form value (security issue: a 20 MB field made a
40 MB 422; form values, personal data, were echoed in error bodies)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from infrastructure.container import Container
from tests.e2e.cases import citizen, headers, service_example, submission

HUGE = "Z" * (20 * 1024 * 1024)
MARKER = "Secret-Marker-7f3a"


def post(client: TestClient, seeded: Container, body: dict[str, Any]) -> Any:
    return client.post("/v1/applications", json=body, headers=headers(seeded, citizen()))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"form_field": ("child_last_name", HUGE)}, "/form/child_last_name"),
        ({"service_code": HUGE}, "service_code"),
        ({"territory": HUGE}, "territory"),
        ({"language": HUGE}, "language"),
    ],
    ids=["form-field", "service-code", "territory", "language"],
)
def test_a_20_mb_field_gets_a_small_422(
    client: TestClient, seeded: Container, changes: dict[str, Any], field: str
) -> None:
    body = submission()
    if "form_field" in changes:
        name, value = changes.pop("form_field")
        body["form"][name] = value
    body.update(changes)
    response = post(client, seeded, body)
    assert response.status_code in (404, 422), response.text[:500]
    assert len(response.content) < 4096, response.content[:500]
    assert "Z" * 100 not in response.text
    problem = response.json()
    where = [e["name"] for e in problem.get("errors") or []] + [problem["detail"]]
    assert any(field.rsplit("/", maxsplit=1)[-1] in text for text in where), problem


@pytest.mark.parametrize(
    ("name", "value", "rule"),
    [
        ("child_last_name", MARKER * 10, "is longer than 60 characters"),
        ("birth_place_soato", MARKER, "does not match the required pattern"),
        ("child_sex", MARKER, 'must be one of "male", "female"'),
        ("birth_date", MARKER, "is not a valid date"),
        ("child_first_name", [MARKER], "must be of type string"),
    ],
)
def test_no_form_value_appears_in_an_error(
    client: TestClient, seeded: Container, name: str, value: object, rule: str
) -> None:
    form = service_example("birth-registration") | {name: value}
    response = post(client, seeded, submission(form=form))
    assert response.status_code == 422, response.text
    assert MARKER not in response.text
    problem = response.json()
    assert {"name": f"/form/{name}", "in": "body", "detail": rule} in problem["errors"]
    assert f"/{name}: {rule}" in problem["detail"]
