"""The Stripe adapter against localstripe (the real SDK, a local server), and webhooks
signed with stripe.WebhookSignature for what localstripe does not send."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx2 as httpx
import pytest
import stripe
from psycopg import sql

from domain.payment import Payment
from domain.service_application import ServiceApplication
from infrastructure.container import Container
from infrastructure.database import DatabaseConfig
from tests.conftest import TEST_NOW
from tests.e2e.cases import citizen, headers, officer, service_example, submission
from tests.fakes.adapters import FixedClock
from tests.integration.live import eventually, live_container, serve

API_KEY = "sk_test_yagona"
WEBHOOK_SECRET = "whsec_test_yagona_signing_secret"
PAID_SERVICE = "marriage-registration"  # 0.2 BHM at the district's justice office


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def localstripe() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        eventually(lambda: _answers(base), timeout=20)
        yield base
    finally:
        process.terminate()
        process.wait(10)


def _answers(base: str) -> bool:
    try:
        httpx.get(f"{base}/v1/customers", auth=(API_KEY, ""), timeout=1)
    except httpx.HTTPError:
        return False
    return True


@pytest.fixture(scope="module")
def live(
    test_database: DatabaseConfig, tmp_path_factory: pytest.TempPathFactory, localstripe: str
) -> Iterator[Container]:
    with live_container(
        test_database,
        tmp_path_factory.mktemp("stripe"),
        FixedClock(TEST_NOW),
        payment_provider="stripe",
        stripe_api_key=API_KEY,
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_api_base=localstripe,
    ) as container:
        yield container


@pytest.fixture(scope="module")
def server(live: Container, localstripe: str) -> Iterator[str]:
    with serve(live) as base:
        httpx.post(
            f"{localstripe}/_config/webhooks/yagona",
            data={"url": f"{base}/v1/payments/stripe/webhook", "secret": WEBHOOK_SECRET},
        ).raise_for_status()
        yield base


@pytest.fixture
def stripe_client(localstripe: str) -> stripe.StripeClient:
    return stripe.StripeClient(API_KEY, base_addresses={"api": localstripe})


def call(base: str, method: str, path: str, token: dict[str, str], body: Any = None) -> Any:
    with httpx.Client(base_url=base, timeout=30) as client:
        response = client.request(method, path, json=body, headers=token)
    return response


def paid_application(base: str, live: Container) -> dict[str, Any]:
    body = submission(PAID_SERVICE)
    body["form"] = service_example(PAID_SERVICE)
    created = call(base, "POST", "/v1/applications", headers(live, citizen()), body)
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "awaiting_payment"
    return dict(created.json())


def pay_at_stripe(
    client: stripe.StripeClient, intent_id: str, card: str = "4242424242424242"
) -> None:
    """What stripe.js does on the citizen's device: a card, then confirmation."""
    method = client.v1.payment_methods.create(
        params={  # type: ignore[typeddict-unknown-key]
            "type": "card",
            "card": {"number": card, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    client.v1.payment_intents.update(intent_id, params={"payment_method": method.id})
    client.v1.payment_intents.confirm(intent_id)


def test_pay_with_stripe_then_a_rejection_refunds_at_the_provider(
    server: str, live: Container, stripe_client: stripe.StripeClient
) -> None:
    application = paid_application(server, live)
    key = application["id"]
    started = call(server, "POST", f"/v1/applications/{key}/payments", headers(live, citizen()))
    assert started.status_code == 200, started.text
    payment = started.json()
    assert payment["provider"] == "stripe"
    assert payment["provider_payment_id"].startswith("pi_")
    assert payment["client_secret"].startswith(payment["provider_payment_id"])
    assert payment["amount"] == 8_240_000
    intent = stripe_client.v1.payment_intents.retrieve(payment["provider_payment_id"])
    assert intent.metadata["payment_id"] == payment["id"]
    assert intent.amount == 8_240_000

    # Resuming returns the same payment and the same PaymentIntent.
    again = call(server, "POST", f"/v1/applications/{key}/payments", headers(live, citizen()))
    assert again.json()["id"] == payment["id"]
    assert again.json()["provider_payment_id"] == payment["provider_payment_id"]

    # The citizen pays; localstripe's signed webhook moves the case to the queue.
    pay_at_stripe(stripe_client, payment["provider_payment_id"])
    eventually(lambda: _view(server, live, key)["status"] == "queued")
    queued = _view(server, live, key)
    assert queued["payment"]["status"] == "paid"
    assert queued["due_date"] is not None
    live.wait_for_projections()
    queue = call(server, "GET", "/v1/queue", headers(live, officer())).json()["items"]
    assert key in [item["id"] for item in queue]

    # The officer rejects it: the fee goes back through Stripe and into the ledger.
    call(server, "POST", f"/v1/applications/{key}/acceptance", headers(live, officer()))
    rejected = call(
        server,
        "POST",
        f"/v1/applications/{key}/decision",
        headers(live, officer()),
        {"outcome": "rejected", "reasons": "Not eligible.", "legal_basis": "Art. 3"},
    )
    assert rejected.status_code == 201, rejected.text
    refunds = eventually(
        lambda: list(
            stripe_client.v1.refunds.list(
                params={"payment_intent": payment["provider_payment_id"]}
            ).data
        )
    )
    assert [r.amount for r in refunds] == [8_240_000]
    refunded = eventually(
        lambda: (
            (e := live.payments_ledger.entry(uuid.UUID(payment["id"])))
            and e.status == "refunded"
            and e
        )
    )
    assert refunded.refunded_amount == 8_240_000
    assert refunded.provider_refund_id == refunds[0].id
    assert _view(server, live, key)["payment"]["status"] == "refunded"


def _view(base: str, live: Container, key: str) -> dict[str, Any]:
    return dict(call(base, "GET", f"/v1/applications/{key}", headers(live, citizen())).json())


def _started_payment(server: str, live: Container) -> dict[str, Any]:
    application = paid_application(server, live)
    started = call(
        server, "POST", f"/v1/applications/{application['id']}/payments", headers(live, citizen())
    )
    assert started.status_code == 200, started.text
    return dict(started.json())


def signed(
    event: dict[str, Any], secret: str = WEBHOOK_SECRET, timestamp: int | None = None
) -> tuple[bytes, dict[str, str]]:
    payload = json.dumps(event).encode()
    header = stripe.WebhookSignature.generate_signature_header(
        payload.decode(), secret, timestamp or int(time.time())
    )
    return payload, {"Stripe-Signature": header, "Content-Type": "application/json"}


def intent_event(
    kind: str, payment: dict[str, Any], event_id: str | None = None, intent_id: str | None = None
) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_{uuid.uuid4().hex[:20]}",
        "object": "event",
        "type": kind,
        "created": int(time.time()),
        "data": {
            "object": {
                "id": intent_id or payment["provider_payment_id"],
                "object": "payment_intent",
                "amount": payment["amount"],
                "amount_received": payment["amount"],
                "currency": "uzs",
                "metadata": {"payment_id": payment["id"]},
            }
        },
    }


def webhook(server: str, payload: bytes, header: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{server}/v1/payments/stripe/webhook", content=payload, headers=header)


def payment_events(live: Container) -> int:
    with live.database.connect() as conn:
        row = conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(
                sql.Identifier(live.database.schema, "payments_events")
            )
        ).fetchone()
    assert row is not None
    return int(row[0])  # type: ignore[call-overload]


def test_a_forged_or_stale_signature_is_refused_and_records_nothing(
    server: str, live: Container
) -> None:
    payment = _started_payment(server, live)
    before = payment_events(live)
    event = intent_event("payment_intent.succeeded", payment)
    forged = webhook(server, *signed(event, secret="whsec_someone_else"))
    assert forged.status_code == 400
    assert forged.headers["content-type"].startswith("application/problem+json")
    stale = webhook(server, *signed(event, timestamp=int(time.time()) - 3600))
    assert stale.status_code == 400
    unsigned = httpx.post(f"{server}/v1/payments/stripe/webhook", json=event)
    assert unsigned.status_code == 400
    assert payment_events(live) == before
    assert live.payments.payment(uuid.UUID(payment["id"])).status == "pending"


def test_a_replayed_event_is_applied_once(server: str, live: Container) -> None:
    payment = _started_payment(server, live)
    event = intent_event("payment_intent.succeeded", payment, event_id="evt_replayed_1")
    first = webhook(server, *signed(event))
    assert first.status_code == 200
    after_first = payment_events(live)
    second = webhook(server, *signed(event))
    assert second.status_code == 200
    assert payment_events(live) == after_first
    stored = live.payments.payment(uuid.UUID(payment["id"]))
    assert stored.status == "succeeded"
    assert stored.provider_events == {"evt_replayed_1"}


def test_success_before_creation_is_recorded_and_the_late_creation_changes_nothing(
    server: str, live: Container
) -> None:
    application = paid_application(server, live)
    stored = live.cases.repository.get(uuid.UUID(application["id"]))
    early = Payment.request(
        application_id=stored.id,
        tracking_number=stored.tracking_number,
        agency_code=stored.agency.code,
        service_code=stored.service_code,
        attempt=1,
        amount=stored.fee[0],
        currency="UZS",
        provider="stripe",
        refund_on=["rejection"],
        requested_at=live.clock.now(),
        meta={"actor": "test", "role": "system", "correlation_id": "t"},
    )
    live.payments.save(early)  # requested; the provider's intent not yet recorded
    payment = {"id": str(early.id), "provider_payment_id": "pi_early_123", "amount": early.amount}
    succeeded = webhook(server, *signed(intent_event("payment_intent.succeeded", payment)))
    assert succeeded.status_code == 200
    assert live.payments.payment(early.id).status == "succeeded"
    assert live.payments.find_by_provider_id("pi_early_123").id == early.id  # type: ignore[union-attr]
    failed_later = webhook(server, *signed(intent_event("payment_intent.payment_failed", payment)))
    assert failed_later.status_code == 200
    assert live.payments.payment(early.id).status == "succeeded"
    eventually(lambda: _view(server, live, application["id"])["status"] == "queued")


def refund_event(kind: str, payment: dict[str, Any], obj: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"evt_{uuid.uuid4().hex[:16]}",
        "object": "event",
        "type": kind,
        "created": int(time.time()),
        "data": {"object": {"payment_intent": payment["provider_payment_id"], **obj}},
    }


def test_refunds_made_at_the_provider_are_recorded_from_its_notifications(
    server: str, live: Container
) -> None:
    """A refund made in Stripe's dashboard reaches us as charge.refunded or refund.updated."""
    by_charge = _started_payment(server, live)
    webhook(server, *signed(intent_event("payment_intent.succeeded", by_charge)))
    charge_refunded = refund_event(
        "charge.refunded",
        by_charge,
        {
            "id": "ch_1",
            "object": "charge",
            "amount_refunded": by_charge["amount"],
            "refunds": {"data": [{"id": "re_dashboard_1"}]},
        },
    )
    assert webhook(server, *signed(charge_refunded)).status_code == 200
    refunded = live.payments.payment(uuid.UUID(by_charge["id"]))
    assert refunded.status == "refunded"
    assert refunded.provider_refund_id == "re_dashboard_1"
    assert refunded.refund_amount == by_charge["amount"]

    by_refund = _started_payment(server, live)
    webhook(server, *signed(intent_event("payment_intent.succeeded", by_refund)))
    refund = {"id": "re_dashboard_2", "object": "refund", "amount": by_refund["amount"]}
    still_pending = refund_event("refund.updated", by_refund, {**refund, "status": "pending"})
    assert webhook(server, *signed(still_pending)).status_code == 200
    assert live.payments.payment(uuid.UUID(by_refund["id"])).status == "succeeded"
    done = refund_event("refund.updated", by_refund, {**refund, "status": "succeeded"})
    assert webhook(server, *signed(done)).status_code == 200
    assert live.payments.payment(uuid.UUID(by_refund["id"])).status == "refunded"
    live.wait_for_projections()
    entry = live.payments_ledger.entry(uuid.UUID(by_refund["id"]))
    assert entry is not None
    assert entry.refunded_amount == by_refund["amount"]


def test_a_declined_card_leaves_the_payment_failed_and_the_case_awaiting_payment(
    server: str, live: Container, stripe_client: stripe.StripeClient
) -> None:
    """localstripe declines 4000000000000341 when charging: the confirmation is refused and
    its signed payment_intent.payment_failed webhook reaches us. Then a good card pays."""
    application = paid_application(server, live)
    key = application["id"]
    started = call(server, "POST", f"/v1/applications/{key}/payments", headers(live, citizen()))
    assert started.status_code == 200, started.text
    payment = started.json()
    with pytest.raises(stripe.CardError):
        pay_at_stripe(stripe_client, payment["provider_payment_id"], card="4000000000000341")
    failed = eventually(
        lambda: (p := live.payments.payment(uuid.UUID(payment["id"]))).status == "failed" and p
    )
    assert failed.paid_amount == 0
    events = [type(e) for e in live.payments.repository.event_store.get(failed.id)]
    assert events[-1] is Payment.Failed
    assert Payment.Succeeded not in events
    # Another application paid with a good card after the failure is queued, so the cases'
    # policy has looked past the failure's events.
    other = paid_application(server, live)
    other_payment = call(
        server, "POST", f"/v1/applications/{other['id']}/payments", headers(live, citizen())
    ).json()
    pay_at_stripe(stripe_client, other_payment["provider_payment_id"])
    eventually(lambda: _view(server, live, other["id"])["status"] == "queued")
    seen = _view(server, live, key)
    assert seen["status"] == "awaiting_payment"
    assert seen["payment"]["status"] == "failed"
    case_events = live.cases.repository.event_store.get(uuid.UUID(key))
    assert not any(isinstance(e, ServiceApplication.Paid) for e in case_events)
