"""The transactional service end to end under the embedded default and the sandbox
provider: apply, pay on the sandbox page, decide, and reconcile the day."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from application.principal import Principal
from application.seeding import seed
from infrastructure.container import Container, build_container
from infrastructure.embedded_postgres import stop_embedded
from infrastructure.reference_data import load_reference_data
from infrastructure.settings import Settings
from tests.conftest import TEST_CIPHER_KEY
from tests.documents import attachments
from tests.e2e.cases import headers, service_example
from tests.integration.live import ADMIN, eventually

UZ = timezone(timedelta(hours=5))
CITIZENS = [
    Principal("31503901234567", "citizen"),
    Principal("42207951234561", "citizen"),
    Principal("51212051234567", "citizen"),
]
OFFICER = Principal("officer-5", "officer", agency="justice-1703202")
AUDITOR = Principal("auditor-1", "auditor")
SERVICES = ["marriage-registration", "marriage-registration", "divorce-registration"]


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    data_dir: Path = tmp_path_factory.mktemp("embedded-sandbox")
    settings = Settings(  # type: ignore[call-arg]
        database_url=None,
        data_dir=data_dir,
        cipher_key=TEST_CIPHER_KEY,  # type: ignore[arg-type]
        payment_provider="sandbox",
    )
    container = build_container(settings)  # the system clock, as under `make run`
    try:
        assert container.database.host.startswith("/")  # the embedded server's socket
        seed(container.catalogue, load_reference_data(), ADMIN, today=container.clock.today())
        container.start_workers()
        container.wait_for_projections(timeout=120)
        yield container
    finally:
        container.close()
        stop_embedded(data_dir)


def expected_fee(code: str) -> int:
    spec = next(s for s in load_reference_data().services if s.code == code)
    rates = json.loads(
        resources.files("infrastructure.reference_data").joinpath("bhm_rates.json").read_text()
    )["rates"]
    today = datetime.now(UZ).date().isoformat()
    rate = max(
        (r for r in rates if r["effective_from"] <= today), key=lambda r: r["effective_from"]
    )["amount"]
    return int(
        (Decimal(spec.terms["fee"]["multiple"]) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    )


def test_pay_decide_and_reconcile(embedded: Container) -> None:
    client = TestClient(create_app(embedded))
    payments: list[dict[str, Any]] = []
    for citizen, code in zip(CITIZENS, SERVICES, strict=True):
        body = {
            "service_code": code,
            "territory": "1703202",
            "form": service_example(code),
            "attachments": attachments(code),
        }
        created = client.post("/v1/applications", json=body, headers=headers(embedded, citizen))
        assert created.status_code == 201, created.text
        application = created.json()
        assert application["payment"]["amount"] == expected_fee(code)
        started = client.post(
            f"/v1/applications/{application['id']}/payments", headers=headers(embedded, citizen)
        )
        assert started.status_code == 200, started.text
        payment = started.json()
        assert payment["provider"] == "sandbox"
        page_path = payment["confirmation_url"].split("127.0.0.1:8000", 1)[1]
        page = client.get(page_path)
        assert page.status_code == 200
        assert "Pay" in page.text
        assert "Decline" in page.text
        paid = client.post(page_path, json={"outcome": "succeeded"})
        assert paid.status_code == 200, paid.text
        payments.append({**payment, "application": application, "citizen": citizen})

    for entry in payments:
        key = entry["application"]["id"]
        eventually(
            lambda key=key, who=entry["citizen"]: (
                client.get(f"/v1/applications/{key}", headers=headers(embedded, who)).json()[
                    "status"
                ]
                == "queued"
            )
        )

    # Approve the first and third; reject the second, whose fee the rule refunds.
    for index, outcome in ((0, "approved"), (1, "rejected"), (2, "approved")):
        key = payments[index]["application"]["id"]
        assert (
            client.post(
                f"/v1/applications/{key}/acceptance", headers=headers(embedded, OFFICER)
            ).status_code
            == 200
        )
        decided = client.post(
            f"/v1/applications/{key}/decision",
            headers=headers(embedded, OFFICER),
            json={"outcome": outcome, "reasons": "Checked.", "legal_basis": "Art. 1"},
        )
        assert decided.status_code == 201, decided.text
    refunded_key = payments[1]["application"]["id"]
    eventually(
        lambda: (
            client.get(
                f"/v1/applications/{refunded_key}", headers=headers(embedded, CITIZENS[1])
            ).json()["payment"]["status"]
            == "refunded"
        )
    )
    embedded.wait_for_projections()

    today = datetime.now(UZ).date()
    report = client.get(
        "/v1/payments/reconciliation",
        params={"date": today.isoformat()},
        headers=headers(embedded, AUDITOR),
    )
    assert report.status_code == 200, report.text
    body = report.json()
    collected = sum(p["amount"] for p in payments)
    refunded = payments[1]["amount"]
    assert body["totals"] == [
        {
            "currency": "UZS",
            "collected": collected,
            "refunded": refunded,
            "net": collected - refunded,
        }
    ]
    lines = {(line["agency_code"], line["service_code"]): line for line in body["lines"]}
    marriage = lines[("justice-1703202", "marriage-registration")]
    assert marriage["payments"] == 2
    assert marriage["collected"] == payments[0]["amount"] + payments[1]["amount"]
    assert marriage["refunded"] == refunded
    assert lines[("justice-1703202", "divorce-registration")]["net"] == payments[2]["amount"]

    as_csv = client.get(
        "/v1/payments/reconciliation",
        params={"date": today.isoformat(), "format": "csv"},
        headers=headers(embedded, AUDITOR),
    )
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert sum(int(r["collected"]) for r in rows) == collected
    assert sum(int(r["refunded"]) for r in rows) == refunded
    officer_view = client.get(
        "/v1/payments/reconciliation",
        params={"date": today.isoformat()},
        headers=headers(embedded, Principal("o", "officer", agency="justice-1706204")),
    )
    assert officer_view.json()["lines"] == []  # another agency's officer sees only their own
    yesterday = client.get(
        "/v1/payments/reconciliation",
        params={"date": (today - timedelta(days=1)).isoformat()},
        headers=headers(embedded, AUDITOR),
    )
    assert yesterday.json()["totals"] == []

    receipt = client.get(
        f"/v1/payments/{payments[1]['id']}/receipt", headers=headers(embedded, CITIZENS[1])
    )
    assert receipt.json()["refunded_amount"] == refunded
    assert receipt.json()["status"] == "refunded"
    pdf = client.get(
        f"/v1/payments/{payments[0]['id']}/receipt",
        params={"format": "pdf"},
        headers=headers(embedded, CITIZENS[0]),
    )
    assert pdf.content.startswith(b"%PDF-")
    other = client.get(
        f"/v1/payments/{payments[0]['id']}/receipt", headers=headers(embedded, CITIZENS[2])
    )
    assert other.status_code == 404


def test_the_sandbox_refuses_a_second_outcome_and_bad_input(embedded: Container) -> None:
    client = TestClient(create_app(embedded))
    code = "marriage-registration"
    body = {
        "service_code": code,
        "territory": "1703202",
        "form": service_example(code),
        "attachments": attachments(code),
    }
    citizen = Principal("62902001234560", "citizen")
    application = client.post(
        "/v1/applications", json=body, headers=headers(embedded, citizen)
    ).json()
    payment = client.post(
        f"/v1/applications/{application['id']}/payments", headers=headers(embedded, citizen)
    ).json()
    page_path = payment["confirmation_url"].split("127.0.0.1:8000", 1)[1]
    bad = client.post(page_path, json={"outcome": "maybe"})
    assert bad.status_code == 422
    declined = client.post(page_path, data={"outcome": "failed"})  # the page's form
    assert declined.status_code == 200
    assert client.post(page_path, json={"outcome": "failed"}).status_code == 409
    eventually(lambda: embedded.payments.payment(uuid.UUID(payment["id"])).status == "failed")
    retried = client.post(
        f"/v1/applications/{application['id']}/payments", headers=headers(embedded, citizen)
    ).json()
    assert retried["attempt"] == 2
    assert retried["id"] != payment["id"]
