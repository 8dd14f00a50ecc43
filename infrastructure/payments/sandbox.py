"""The sandbox provider: an offline stand-in for a payment service, for the embedded default
and demos. Its payments live in PostgreSQL; a person pays or declines on its confirmation
page, and the outcome comes back as a signed callback through the same code path as a real
provider's webhook. Not selectable in production."""

from __future__ import annotations

import json
import time
import uuid
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore
from psycopg import sql

from application.ports import ProviderPayment, ProviderRefund
from application.provider_notifications import SandboxCheckoutPayment
from infrastructure.payments.webhooks import sign


class SandboxProvider:
    name = "sandbox"

    def __init__(self, datastore: PostgresDatastore, *, public_base_url: str, secret: str) -> None:
        self.datastore = datastore
        self.public_base_url = public_base_url.rstrip("/")
        self.secret = secret
        self._payments = sql.Identifier(datastore.schema, "sandbox_payments")
        self._refunds = sql.Identifier(datastore.schema, "sandbox_refunds")

    def create_table(self) -> None:
        with self.datastore.get_connection() as conn:
            conn.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (provider_payment_id text PRIMARY KEY, "
                    "payment_id uuid NOT NULL UNIQUE, amount bigint NOT NULL, "
                    "currency text NOT NULL, status text NOT NULL, description text NOT NULL, "
                    "created_at timestamptz NOT NULL DEFAULT now())"
                ).format(self._payments)
            )
            conn.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (refund_id uuid PRIMARY KEY, "
                    "provider_refund_id text NOT NULL UNIQUE, provider_payment_id text NOT NULL, "
                    "amount bigint NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
                ).format(self._refunds)
            )

    def confirmation_url(self, provider_payment_id: str) -> str:
        return f"{self.public_base_url}/v1/payments/sandbox/{provider_payment_id}"

    # --- PaymentProvider --------------------------------------------------------------------

    def create_payment(
        self, *, payment_id: UUID, amount: int, currency: str, description: str
    ) -> ProviderPayment:
        """Idempotent by ``payment_id``: asking twice gives the same sandbox payment."""
        provider_payment_id = f"sbx_pi_{uuid.uuid4().hex[:24]}"
        with self.datastore.get_connection() as conn:
            conn.execute(
                sql.SQL(
                    "INSERT INTO {} (provider_payment_id, payment_id, amount, currency, status, "
                    "description) VALUES (%s, %s, %s, %s, 'requires_confirmation', %s) "
                    "ON CONFLICT (payment_id) DO NOTHING"
                ).format(self._payments),
                (provider_payment_id, payment_id, amount, currency, description),
            )
            row = conn.execute(
                sql.SQL("SELECT provider_payment_id, status FROM {} WHERE payment_id = %s").format(
                    self._payments
                ),
                (payment_id,),
            ).fetchone()
        assert row is not None
        return ProviderPayment(
            row["provider_payment_id"],
            row["status"],
            confirmation_url=self.confirmation_url(row["provider_payment_id"]),
        )

    def resume_payment(self, *, payment_id: UUID, provider_payment_id: str) -> ProviderPayment:
        payment = self.find(provider_payment_id)
        status = payment.status if payment else "unknown"
        return ProviderPayment(
            provider_payment_id, status, confirmation_url=self.confirmation_url(provider_payment_id)
        )

    def refund(
        self,
        *,
        payment_id: UUID,
        refund_id: UUID,
        provider_payment_id: str,
        amount: int,
        currency: str,
    ) -> ProviderRefund:
        """Idempotent by ``refund_id``: a repeated refund returns the first one."""
        with self.datastore.get_connection() as conn:
            conn.execute(
                sql.SQL(
                    "INSERT INTO {} (refund_id, provider_refund_id, provider_payment_id, amount) "
                    "VALUES (%s, %s, %s, %s) ON CONFLICT (refund_id) DO NOTHING"
                ).format(self._refunds),
                (refund_id, f"sbx_re_{uuid.uuid4().hex[:24]}", provider_payment_id, amount),
            )
            row = conn.execute(
                sql.SQL("SELECT provider_refund_id FROM {} WHERE refund_id = %s").format(
                    self._refunds
                ),
                (refund_id,),
            ).fetchone()
        assert row is not None
        return ProviderRefund(row["provider_refund_id"], "succeeded")

    def cancel(self, *, provider_payment_id: str) -> None:
        self._set_status(provider_payment_id, "canceled", only_from=("requires_confirmation",))

    # --- the confirmation page --------------------------------------------------------------

    def find(self, provider_payment_id: str) -> SandboxCheckoutPayment | None:
        with self.datastore.get_connection() as conn:
            row = conn.execute(
                sql.SQL(
                    "SELECT provider_payment_id, payment_id, amount, currency, status, description "
                    "FROM {} WHERE provider_payment_id = %s"
                ).format(self._payments),
                (provider_payment_id,),
            ).fetchone()
        return SandboxCheckoutPayment(**row) if row else None

    def _set_status(
        self, provider_payment_id: str, status: str, *, only_from: tuple[str, ...]
    ) -> bool:
        with self.datastore.get_connection() as conn:
            cursor = conn.execute(
                sql.SQL(
                    "UPDATE {} SET status = %s WHERE provider_payment_id = %s AND status = ANY(%s)"
                ).format(self._payments),
                (status, provider_payment_id, list(only_from)),
            )
            return cursor.rowcount == 1

    def decide(self, provider_payment_id: str, outcome: str) -> tuple[bytes, str] | None:
        """Pay (``succeeded``) or decline (``failed``) a sandbox payment; the signed callback
        (payload and ``Stripe-Signature`` header) to deliver, or None if already settled."""
        payment = self.find(provider_payment_id)
        if payment is None:
            return None
        allowed = (
            ("requires_confirmation", "failed")
            if outcome == "succeeded"
            else ("requires_confirmation",)
        )
        if not self._set_status(provider_payment_id, outcome, only_from=allowed):
            return None
        kind = (
            "payment_intent.succeeded"
            if outcome == "succeeded"
            else "payment_intent.payment_failed"
        )
        event = {
            "id": f"evt_sbx_{uuid.uuid4().hex}",
            "object": "event",
            "type": kind,
            "created": int(time.time()),
            "data": {
                "object": {
                    "id": payment.provider_payment_id,
                    "object": "payment_intent",
                    "amount": payment.amount,
                    "amount_received": payment.amount if outcome == "succeeded" else 0,
                    "currency": payment.currency.lower(),
                    "status": "succeeded" if outcome == "succeeded" else "requires_payment_method",
                    "metadata": {"payment_id": str(payment.payment_id)},
                    "last_payment_error": None
                    if outcome == "succeeded"
                    else {"message": "declined on the sandbox page"},
                }
            },
        }
        payload = json.dumps(event, separators=(",", ":")).encode()
        return payload, sign(payload, self.secret)
