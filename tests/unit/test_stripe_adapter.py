"""The Stripe adapter sends idempotency keys derived from our ids, so retries after a crash
take no second charge and make no second refund (localstripe ignores these keys, so the
request is checked here)."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from application.ports import PAYMENT_FAILED, PAYMENT_SUCCEEDED, REFUND_SUCCEEDED
from application.provider_notifications import InvalidSignature
from infrastructure.payments.stripe_provider import StripeProvider
from infrastructure.payments.webhooks import sign, to_provider_event, verify

PAYMENT = UUID(int=42)
REFUND = UUID(int=43)


class Recorder:
    def __init__(self, returns: Any) -> None:
        self.calls: list[dict[str, Any]] = []
        self.returns = returns

    def create(self, params: Any = None, options: Any = None) -> Any:
        self.calls.append({"params": params, "options": options})
        return self.returns


class Obj:
    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)


def test_payment_intents_are_created_with_the_payments_id_as_idempotency_key() -> None:
    provider = StripeProvider("sk_test_x")
    intents = Recorder(Obj(id="pi_1", status="requires_payment_method", client_secret="pi_1_s"))
    provider.client.v1.payment_intents = intents  # type: ignore[assignment]
    created = provider.create_payment(
        payment_id=PAYMENT, amount=500, currency="UZS", description="AR-2026-0000001"
    )
    again = provider.create_payment(
        payment_id=PAYMENT, amount=500, currency="UZS", description="AR-2026-0000001"
    )
    assert created == again
    keys = {call["options"]["idempotency_key"] for call in intents.calls}
    assert keys == {f"yagona-payment-{PAYMENT}"}
    assert intents.calls[0]["params"]["currency"] == "uzs"
    assert intents.calls[0]["params"]["metadata"]["payment_id"] == str(PAYMENT)


def test_refunds_are_created_with_the_refunds_id_as_idempotency_key() -> None:
    provider = StripeProvider("sk_test_x")
    refunds = Recorder(Obj(id="re_1", status="succeeded"))
    provider.client.v1.refunds = refunds  # type: ignore[assignment]
    provider.refund(
        payment_id=PAYMENT, refund_id=REFUND, provider_payment_id="pi_1", amount=500, currency="UZS"
    )
    (call,) = refunds.calls
    assert call["options"] == {"idempotency_key": f"yagona-refund-{REFUND}"}
    assert call["params"]["payment_intent"] == "pi_1"


def test_signatures_verify_and_tampering_is_caught() -> None:
    payload = json.dumps({"id": "evt_1", "type": "payment_intent.succeeded"}).encode()
    header = sign(payload, "whsec_a")
    assert verify(payload, header, "whsec_a")["id"] == "evt_1"
    for bad in (
        (payload + b" ", header, "whsec_a"),
        (payload, header, "whsec_b"),
        (payload, None, "whsec_a"),
        (b"not json", sign(b"not json", "whsec_a"), "whsec_a"),
    ):
        try:
            verify(*bad)  # type: ignore[arg-type]
        except InvalidSignature:
            continue
        raise AssertionError(f"accepted {bad!r}")


def test_stripe_events_map_to_provider_events() -> None:
    intent = {
        "id": "pi_1",
        "amount": 700,
        "amount_received": 700,
        "metadata": {"payment_id": str(PAYMENT)},
    }
    ok = to_provider_event(
        {"id": "e1", "type": "payment_intent.succeeded", "data": {"object": intent}}
    )
    assert ok is not None
    assert (ok.kind, ok.payment_id, ok.amount) == (PAYMENT_SUCCEEDED, PAYMENT, 700)
    failed = to_provider_event(
        {
            "id": "e2",
            "type": "payment_intent.payment_failed",
            "data": {
                "object": {**intent, "last_payment_error": {"message": "Your card was declined."}}
            },
        }
    )
    assert failed is not None
    assert failed.kind == PAYMENT_FAILED
    assert failed.reason == "Your card was declined."
    refund = to_provider_event(
        {
            "id": "e3",
            "type": "refund.updated",
            "data": {
                "object": {
                    "id": "re_9",
                    "status": "succeeded",
                    "amount": 700,
                    "payment_intent": "pi_1",
                }
            },
        }
    )
    assert refund is not None
    assert (refund.kind, refund.provider_refund_id) == (REFUND_SUCCEEDED, "re_9")
    assert to_provider_event({"id": "e4", "type": "customer.created", "data": {}}) is None
    assert (
        to_provider_event(
            {"id": "e5", "type": "payment_intent.created", "data": {"object": intent}}
        )
        is None
    )
