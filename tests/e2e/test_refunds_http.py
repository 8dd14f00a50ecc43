"""Refunds and failed payments over HTTP, with the sandbox provider and the workers running.

The module has a catalogue of its own (its own schema) in which divorce registration is
revised to refund nothing (``refund_on: []``): no reference service with a fee has that
rule, and the revision must not leak into other modules' catalogues.

Absence is shown by order: the payments policy follows the cases' events in order, so once
a later case's refund is seen, the earlier cases' decisions and withdrawals were processed.
"""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from application.principal import Principal
from application.seeding import ReferenceData, seed
from domain.context import CommandContext
from domain.payment import Payment
from domain.service_application import ServiceApplication
from infrastructure.container import Container, build_container
from infrastructure.database import DatabaseConfig
from tests.conftest import TEST_NOW, settings_for
from tests.e2e.cases import DISTRICT, attachments, citizen, headers, officer, service_example
from tests.fakes.adapters import FixedClock

NO_REFUNDS = "divorce-registration"  # revised below to refund nothing
APPLICANT = citizen("52911881234565", name=None)
CLERK = officer()
REJECT = {"outcome": "rejected", "reasons": "Not eligible.", "legal_basis": "Art. 3"}
APPROVE = {"outcome": "approved", "reasons": "In order.", "legal_basis": "Art. 1"}


@pytest.fixture(scope="module")
def seeded(
    test_database: DatabaseConfig,
    reference: ReferenceData,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Container]:
    settings = settings_for(test_database, "e2e_refunds", tmp_path_factory.mktemp("refunds"))
    container = build_container(settings, clock=FixedClock(TEST_NOW))
    ctx = CommandContext(actor="system:seed", role="system", correlation_id="e2e-refunds")
    seed(container.catalogue, reference, ctx, today=TEST_NOW.date())
    spec = next(s for s in reference.services if s.code == NO_REFUNDS)
    terms = copy.deepcopy(spec.terms)
    assert terms["refund_on"]
    assert terms["fee"]["kind"] != "free"
    terms["refund_on"] = []
    container.catalogue.revise_service(
        ctx, code=NO_REFUNDS, terms=terms, effective_from=TEST_NOW.date()
    )
    container.start_workers()
    container.wait_for_projections(timeout=120)
    yield container
    container.close()


def eventually(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := check()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return result


class Desk:
    """One citizen's paid cases, driven over HTTP."""

    def __init__(self, client: TestClient, container: Container, who: Principal) -> None:
        self.client, self.container = client, container
        self.me = headers(container, who)
        self.clerk = headers(container, CLERK)

    def post(self, path: str, who: dict[str, str], body: Any = None, status: int = 200) -> Any:
        response = self.client.post(path, json=body, headers=who)
        assert response.status_code == status, response.text
        return response.json()

    def view(self, key: str) -> dict[str, Any]:
        response = self.client.get(f"/v1/applications/{key}", headers=self.me)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def submitted(self, code: str) -> str:
        body = {
            "service_code": code,
            "territory": DISTRICT,
            "form": service_example(code),
            "attachments": attachments(code),
        }
        created = self.post("/v1/applications", self.me, body, 201)
        assert created["status"] == "awaiting_payment", created
        return str(created["id"])

    def start_payment(self, key: str) -> dict[str, Any]:
        return dict(self.post(f"/v1/applications/{key}/payments", self.me))

    def sandbox(self, payment: dict[str, Any], outcome: str) -> None:
        page = "/" + payment["confirmation_url"].split("/", 3)[3]
        self.post(page, {}, {"outcome": outcome})

    def paid(self, code: str) -> tuple[str, str]:
        """A case of ``code`` paid on the sandbox page and queued: (case id, payment id)."""
        key = self.submitted(code)
        payment = self.start_payment(key)
        self.sandbox(payment, "succeeded")
        eventually(lambda: self.view(key)["status"] == "queued")
        return key, str(payment["id"])

    def accept(self, key: str) -> None:
        self.post(f"/v1/applications/{key}/acceptance", self.clerk)

    def decide(self, key: str, body: dict[str, str]) -> None:
        self.post(f"/v1/applications/{key}/decision", self.clerk, body, 201)

    def withdraw(self, key: str) -> None:
        self.post(f"/v1/applications/{key}/withdrawal", self.me, {"reason": "Changed my mind."})

    def payment_status(self, payment_id: str) -> str:
        response = self.client.get(f"/v1/payments/{payment_id}", headers=self.me)
        assert response.status_code == 200, response.text
        return str(response.json()["status"])

    def payment_events(self, payment_id: str) -> list[type[Any]]:
        stored = self.container.payments.repository.event_store.get(uuid.UUID(payment_id))
        return [type(e) for e in stored]

    def case_events(self, key: str) -> list[type[Any]]:
        return [type(e) for e in self.container.cases.repository.event_store.get(uuid.UUID(key))]


@pytest.fixture(scope="module")
def desk(client: TestClient, seeded: Container) -> Desk:
    return Desk(client, seeded, APPLICANT)


REFUNDING = ("refund_requested", "refund_submitted", "refunded")


def test_refunds_follow_each_services_rule_over_http(desk: Desk) -> None:
    # First the cases that must not be refunded ...
    no_rule, no_rule_payment = desk.paid(NO_REFUNDS)
    desk.accept(no_rule)
    desk.decide(no_rule, REJECT)
    approved, approved_payment = desk.paid("marriage-registration")
    desk.accept(approved)
    desk.decide(approved, APPROVE)
    late, late_payment = desk.paid("name-change")
    desk.accept(late)
    desk.withdraw(late)
    # ... then the ones that must, on other services.
    early, early_payment = desk.paid("repeat-civil-status-certificate")
    desk.withdraw(early)
    rejected, rejected_payment = desk.paid("marriage-registration")
    desk.accept(rejected)
    desk.decide(rejected, REJECT)

    for payment in (early_payment, rejected_payment):
        eventually(lambda p=payment: desk.payment_status(p) in REFUNDING)  # type: ignore[misc]
        assert desk.payment_events(payment).count(Payment.RefundRequested) == 1
    assert desk.view(early)["status"] == "withdrawn"
    assert desk.view(rejected)["status"] == "result_issued"

    for payment in (no_rule_payment, approved_payment, late_payment):
        assert desk.payment_status(payment) == "succeeded"
        assert Payment.RefundRequested not in desk.payment_events(payment)
    assert desk.view(no_rule)["payment"]["status"] == "paid"
    assert desk.view(late)["status"] == "withdrawn"
    assert desk.view(late)["payment"]["status"] == "paid"

    # The refunds are carried out once, however long the workers keep running.
    for payment in (early_payment, rejected_payment):
        eventually(lambda p=payment: desk.payment_status(p) == "refunded")  # type: ignore[misc]
        assert desk.payment_events(payment).count(Payment.RefundRequested) == 1


def test_a_declined_sandbox_payment_leaves_the_case_awaiting_payment(desk: Desk) -> None:
    key = desk.submitted("marriage-registration")
    payment = desk.start_payment(key)
    desk.sandbox(payment, "failed")
    eventually(lambda: desk.payment_status(payment["id"]) == "failed")
    assert desk.payment_events(payment["id"])[-1] is Payment.Failed
    assert Payment.Succeeded not in desk.payment_events(payment["id"])
    # Another case paid after the failure is queued: the policy has looked past the failure.
    other, _ = desk.paid("marriage-registration")
    assert desk.view(other)["status"] == "queued"
    seen = desk.view(key)
    assert seen["status"] == "awaiting_payment"
    assert seen["payment"]["status"] == "failed"
    assert seen["due_date"] is None
    assert ServiceApplication.Paid not in desk.case_events(key)
    # The citizen may try again: a new attempt, and this one pays.
    retry = desk.start_payment(key)
    assert retry["id"] != payment["id"]
    desk.sandbox(retry, "succeeded")
    eventually(lambda: desk.view(key)["status"] == "queued")
    assert desk.case_events(key).count(ServiceApplication.Paid) == 1
