"""The Stripe adapter: PaymentIntents and refunds through the official SDK's StripeClient."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import stripe

from application.ports import ProviderPayment, ProviderRefund
from domain.errors import PaymentProviderUnavailable


class StripeProvider:
    name = "stripe"

    def __init__(self, api_key: str, *, api_base: str | None = None) -> None:
        addresses: Any = {"api": api_base} if api_base else None
        self.client = stripe.StripeClient(api_key, base_addresses=addresses, max_network_retries=2)

    def create_payment(
        self, *, payment_id: UUID, amount: int, currency: str, description: str
    ) -> ProviderPayment:
        """A PaymentIntent whose idempotency key is the payment's id: asking again (after a
        crash, a timeout) returns the same intent, never a second charge."""
        try:
            intent = self.client.v1.payment_intents.create(
                params={
                    "amount": amount,
                    "currency": currency.lower(),
                    "metadata": {"payment_id": str(payment_id), "purpose": description[:200]},
                },
                options={"idempotency_key": f"yagona-payment-{payment_id}"},
            )
        except stripe.StripeError as error:
            raise PaymentProviderUnavailable(
                f"Stripe refused the payment: {error.user_message}"
            ) from None
        return ProviderPayment(intent.id, str(intent.status), client_secret=intent.client_secret)

    def resume_payment(self, *, payment_id: UUID, provider_payment_id: str) -> ProviderPayment:
        try:
            intent = self.client.v1.payment_intents.retrieve(provider_payment_id)
        except stripe.StripeError as error:
            raise PaymentProviderUnavailable(
                f"Stripe did not answer: {error.user_message}"
            ) from None
        return ProviderPayment(intent.id, str(intent.status), client_secret=intent.client_secret)

    def refund(
        self,
        *,
        payment_id: UUID,
        refund_id: UUID,
        provider_payment_id: str,
        amount: int,
        currency: str,
    ) -> ProviderRefund:
        refund = self.client.v1.refunds.create(
            params={
                "payment_intent": provider_payment_id,
                "amount": amount,
                "metadata": {"payment_id": str(payment_id), "refund_id": str(refund_id)},
            },
            options={"idempotency_key": f"yagona-refund-{refund_id}"},
        )
        return ProviderRefund(refund.id, str(refund.status))

    def cancel(self, *, provider_payment_id: str) -> None:
        self.client.v1.payment_intents.cancel(provider_payment_id)
