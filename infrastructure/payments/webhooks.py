"""Verifying provider notifications and reading them as ``ProviderEvent``s.

Stripe signs each webhook (``Stripe-Signature``: a timestamp and an HMAC-SHA256 of
``timestamp.payload``). The sandbox signs its callbacks the same way with its own secret,
so both go through this one code path: verify, parse, map.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import stripe

from application.ports import (
    PAYMENT_CANCELED,
    PAYMENT_FAILED,
    PAYMENT_SUCCEEDED,
    REFUND_FAILED,
    REFUND_PENDING,
    REFUND_SUCCEEDED,
    ProviderEvent,
)
from application.provider_notifications import InvalidSignature

TOLERANCE_SECONDS = 300


def verify(payload: bytes, signature_header: str | None, secret: str) -> dict[str, Any]:
    """The notification's JSON, once its signature is verified (else ``InvalidSignature``)."""
    if not signature_header:
        raise InvalidSignature("the Stripe-Signature header is missing")
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"), signature_header, secret, TOLERANCE_SECONDS
        )
        data = json.loads(payload)
    except stripe.SignatureVerificationError as error:
        raise InvalidSignature(str(error.user_message or error)) from None
    except (UnicodeDecodeError, ValueError):
        raise InvalidSignature("the payload is not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise InvalidSignature("the payload is not an event")
    return data


def sign(payload: bytes, secret: str) -> str:
    """A ``Stripe-Signature`` header for ``payload`` (the sandbox's callbacks, and tests)."""
    return str(stripe.WebhookSignature.generate_signature_header(payload.decode("utf-8"), secret))


def _payment_id(metadata: Any) -> UUID | None:
    try:
        return UUID(str((metadata or {}).get("payment_id")))
    except (ValueError, TypeError, AttributeError):
        return None


def to_provider_event(data: dict[str, Any]) -> ProviderEvent | None:
    """What a Stripe-shaped event means for our payments; None for events we do not use."""
    kind = data.get("type")
    obj = (data.get("data") or {}).get("object") or {}
    event_id = str(data["id"])
    if kind in (
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "payment_intent.canceled",
    ):
        error = obj.get("last_payment_error") or {}
        mapped = {
            "payment_intent.succeeded": PAYMENT_SUCCEEDED,
            "payment_intent.payment_failed": PAYMENT_FAILED,
            "payment_intent.canceled": PAYMENT_CANCELED,
        }[kind]
        return ProviderEvent(
            event_id=event_id,
            kind=mapped,
            payment_id=_payment_id(obj.get("metadata")),
            provider_payment_id=obj.get("id"),
            amount=obj.get("amount_received") or obj.get("amount"),
            reason=str(error.get("message") or obj.get("cancellation_reason") or ""),
        )
    if kind == "charge.refunded":
        refunds = ((obj.get("refunds") or {}).get("data")) or []
        return ProviderEvent(
            event_id=event_id,
            kind=REFUND_SUCCEEDED,
            payment_id=_payment_id(obj.get("metadata")),
            provider_payment_id=obj.get("payment_intent"),
            amount=obj.get("amount_refunded"),
            provider_refund_id=refunds[0].get("id") if refunds else obj.get("id"),
        )
    if kind in ("refund.updated", "refund.created"):
        status = obj.get("status")
        mapped_refund = {
            "succeeded": REFUND_SUCCEEDED,
            "pending": REFUND_PENDING,
            "requires_action": REFUND_PENDING,
            "failed": REFUND_FAILED,
            "canceled": REFUND_FAILED,
        }.get(str(status))
        if mapped_refund is None:
            return None
        return ProviderEvent(
            event_id=event_id,
            kind=mapped_refund,
            payment_id=_payment_id(obj.get("metadata")),
            provider_payment_id=obj.get("payment_intent"),
            amount=obj.get("amount"),
            provider_refund_id=obj.get("id"),
            reason=str(obj.get("failure_reason") or ""),
        )
    return None


class SignedNotifications:
    """Reads notifications signed as Stripe signs them (the sandbox signs the same way):
    the ``NotificationReader`` port of ``application.provider_notifications``."""

    def __init__(self, secret: str) -> None:
        self.secret = secret

    def read(self, payload: bytes, signature: str | None) -> ProviderEvent | None:
        return to_provider_event(verify(payload, signature, self.secret))
