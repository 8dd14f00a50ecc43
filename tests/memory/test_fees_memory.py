"""Fees assessed from what the applicant submits, over HTTP on the in-memory app: an LLC
with foreign investment owes ten times the domestic duty; a dated exemption is refused
before its first day and waives the duty from it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from infrastructure.container import Container
from tests.e2e.cases import citizen, headers, service_example, submission
from tests.memory.conftest import Memory
from tests.memory.support import problem

LLC = "llc-registration"
MARRIAGE = "marriage-registration"
CONTRACT = "registered-marriage-contract"


def _submit_llc(client: TestClient, container: Container, founder_kind: str) -> dict[str, Any]:
    form = service_example(LLC) | {"founder_kind": founder_kind}
    created = client.post(
        "/v1/applications",
        json=submission(service_code=LLC, form=form),
        headers=headers(container, citizen()),
    )
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


def test_the_llc_duty_depends_on_the_founder_kind(
    client: TestClient, container: Container, memory: Memory
) -> None:
    schedule = container.catalogue.find_bhm_schedule()
    assert schedule is not None
    bhm = schedule.rates.rate_on(memory.clock.today()).amount
    domestic = _submit_llc(client, container, "domestic")
    foreign = _submit_llc(client, container, "foreign_investment")
    assert domestic["status"] == foreign["status"] == "awaiting_payment"
    assert domestic["payment"]["amount"] == bhm
    assert foreign["payment"]["amount"] == 10 * bhm


def test_the_founder_kind_is_required(client: TestClient, container: Container) -> None:
    form = {k: v for k, v in service_example(LLC).items() if k != "founder_kind"}
    refused = client.post(
        "/v1/applications",
        json=submission(service_code=LLC, form=form),
        headers=headers(container, citizen()),
    )
    assert "founder_kind" in problem(refused, 422)["detail"]


def test_a_dated_exemption_applies_from_its_first_day(
    client: TestClient, container: Container, memory: Memory
) -> None:
    body = submission(service_code=MARRIAGE, form=service_example(MARRIAGE), exemption=CONTRACT)
    before = client.post("/v1/applications", json=body, headers=headers(container, citizen()))
    assert "not in force on 2026-11-27" in problem(before, 422)["detail"]
    saved = memory.clock.at
    memory.clock.at = datetime(2027, 1, 1, 7, 0, tzinfo=saved.tzinfo)
    try:
        on_the_day = client.post(
            "/v1/applications", json=body, headers=headers(container, citizen())
        )
    finally:
        memory.clock.at = saved
    assert on_the_day.status_code == 201, on_the_day.text
    assert on_the_day.json()["payment"]["status"] == "exempt"
    assert on_the_day.json()["payment"]["amount"] == 0
    assert memory.clock.at - saved == timedelta(0)
