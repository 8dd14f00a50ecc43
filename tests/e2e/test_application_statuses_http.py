"""Every status the domain defines is served over HTTP, in the detail and in the list, and
the list shows the fee's real state (from the payments' own events) with its payment id."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.schemas.applications import ApplicationOut
from domain.application_statuses import DECIDED, STATUSES
from domain.fee_status import FEE_STATUSES
from infrastructure.container import Container
from tests.e2e.cases import (
    DISTRICT,
    attachments,
    citizen,
    headers,
    officer,
    service_example,
    submit,
)
from tests.fakes.adapters import FixedClock

PAID = "marriage-registration"
# Never at rest: a decision issues its result in the same transaction.
TRANSIENT = {DECIDED: "the decision and its result are one save"}
APPROVE = {"outcome": "approved", "reasons": "In order.", "legal_basis": "Art. 1"}
REJECT = {"outcome": "rejected", "reasons": "Incomplete.", "legal_basis": "Art. 2"}


def eventually(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := check()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return result


class Journeys:
    """Drives applications of one citizen into each status over HTTP."""

    def __init__(self, client: TestClient, container: Container, pinfl: str) -> None:
        self.client, self.container = client, container
        self.applicant = citizen(pinfl, name=None)
        self.me = headers(container, self.applicant)
        self.clerk = headers(container, officer())

    def post(self, path: str, who: dict[str, str], body: Any = None, status: int = 200) -> Any:
        response = self.client.post(path, json=body, headers=who)
        assert response.status_code == status, response.text
        return response.json()

    def detail(self, key: str) -> dict[str, Any]:
        response = self.client.get(f"/v1/applications/{key}", headers=self.me)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def free(self) -> str:
        return str(submit(self.client, self.container, self.applicant)["id"])

    def paid_service(self) -> str:
        body = {
            "service_code": PAID,
            "territory": DISTRICT,
            "form": service_example(PAID),
            "attachments": attachments(PAID),
        }
        return str(self.post("/v1/applications", self.me, body, 201)["id"])

    def accepted(self) -> str:
        key = self.free()
        self.post(f"/v1/applications/{key}/acceptance", self.clerk)
        return key

    def start_payment(self, key: str) -> dict[str, Any]:
        return dict(self.post(f"/v1/applications/{key}/payments", self.me))

    def pay(self, key: str, outcome: str = "succeeded") -> str:
        started = self.start_payment(key)
        page = "/" + started["confirmation_url"].split("/", 3)[3]
        assert self.client.post(page, json={"outcome": outcome}).status_code == 200
        return str(started["id"])

    def status_of(self, key: str) -> str:
        return str(self.detail(key)["status"])

    def reach(self, status: str) -> str:
        """A new application of this citizen, brought into ``status``."""
        journeys: dict[str, Callable[[], str]] = {
            "awaiting_payment": self.paid_service,
            "queued": self.free,
            "in_review": self.accepted,
            "awaiting_information": self.awaiting_information,
            "result_issued": self.result_issued,
            "withdrawn": self.withdrawn,
            "cancelled": self.expired_payment,
            "closed": self.closed,
        }
        assert status in journeys, f"no journey reaches {status}: add one"
        return journeys[status]()

    def awaiting_information(self) -> str:
        key = self.accepted()
        body = {"message": "Please attach a clearer scan."}
        self.post(f"/v1/applications/{key}/information-requests", self.clerk, body)
        return key

    def result_issued(self) -> str:
        key = self.accepted()
        self.post(f"/v1/applications/{key}/decision", self.clerk, APPROVE, 201)
        return key

    def withdrawn(self) -> str:
        key = self.free()
        self.post(f"/v1/applications/{key}/withdrawal", self.me)
        return key

    def closed(self) -> str:
        key = self.result_issued()
        self.post(f"/v1/applications/{key}/closure", self.clerk, {"reason": "Delivered."})
        return key

    def expired_payment(self) -> str:
        """A paid service's application whose payment expired unpaid: it is cancelled."""
        key = self.paid_service()
        self.start_payment(key)
        self.container.wait_for_projections()
        clock = self.container.clock
        assert isinstance(clock, FixedClock)
        saved = clock.at
        clock.advance(timedelta(minutes=self.container.settings.payment_expiry_minutes + 1))
        try:
            assert self.container.jobs.expire_unpaid() >= 1
        finally:
            clock.at = saved
        eventually(lambda: self.status_of(key) == "cancelled")
        return key


@pytest.fixture(scope="module")
def journeys(client: TestClient, seeded: Container) -> Journeys:
    return Journeys(client, seeded, "51212901234561")


def listed(journeys: Journeys, **params: str) -> dict[str, dict[str, Any]]:
    journeys.container.wait_for_projections()
    query = {"limit": "100", **params}
    response = journeys.client.get("/v1/applications", headers=journeys.me, params=query)
    assert response.status_code == 200, response.text
    return {item["id"]: item for item in response.json()["items"]}


def test_every_status_of_the_domain_is_served_in_the_detail_and_the_list(
    journeys: Journeys,
) -> None:
    reachable = [s for s in STATUSES if s not in TRANSIENT]
    keys = {status: journeys.reach(status) for status in reachable}
    for status, key in keys.items():
        assert journeys.status_of(key) == status
        mine = listed(journeys, status=status)
        assert key in mine, status
        assert mine[key]["status"] == status
        assert all(item["status"] == status for item in mine.values())


def test_the_response_models_accept_every_status_and_fee_status() -> None:
    """Transient statuses included: the vocabularies are the domain's tuples."""
    schema = ApplicationOut.model_json_schema()
    assert schema["properties"]["status"]["enum"] == list(STATUSES)
    payment = schema["$defs"]["ApplicationPaymentOut"]["properties"]["status"]
    assert payment["enum"] == list(FEE_STATUSES)


def test_the_list_shows_the_fees_real_state_and_payment_id(journeys: Journeys) -> None:
    cancelled = journeys.expired_payment()  # started paying, never paid
    paid = journeys.paid_service()
    paid_id = journeys.pay(paid)
    eventually(lambda: journeys.status_of(paid) == "queued")
    declined = journeys.paid_service()
    declined_id = journeys.pay(declined, "failed")
    refunded = journeys.paid_service()
    journeys.pay(refunded)
    eventually(lambda: journeys.status_of(refunded) == "queued")
    journeys.post(f"/v1/applications/{refunded}/acceptance", journeys.clerk)
    journeys.post(f"/v1/applications/{refunded}/decision", journeys.clerk, REJECT, 201)
    eventually(
        lambda: journeys.detail(refunded)["payment"]["status"] in ("refund_pending", "refunded")
    )
    owed = journeys.paid_service()
    never_paid = journeys.paid_service()
    journeys.post(f"/v1/applications/{never_paid}/withdrawal", journeys.me)

    expected = {
        cancelled: "expired",
        paid: "paid",
        declined: "failed",
        owed: "pending",
        never_paid: "unpaid",
    }
    for key, fee in expected.items():
        detail = journeys.detail(key)["payment"]
        assert detail["status"] == fee, (key, detail)
        item = eventually(lambda key=key: listed(journeys).get(key))
        assert item["payment"] == detail, (fee, item["payment"], detail)
    assert listed(journeys)[paid]["payment"]["payment_id"] == paid_id
    assert listed(journeys)[declined]["payment"]["payment_id"] == declined_id
    assert listed(journeys)[cancelled]["payment"]["payment_id"] is not None
    assert listed(journeys)[owed]["payment"]["payment_id"] is None
    refund = eventually(
        lambda: (
            listed(journeys)[refunded]["payment"]
            if listed(journeys)[refunded]["payment"] == journeys.detail(refunded)["payment"]
            else None
        )
    )
    assert refund["status"] in ("refund_pending", "refunded")
    # A free service has no fee to show.
    free = journeys.free()
    assert listed(journeys)[free]["payment"] is None
