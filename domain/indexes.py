"""Index aggregates: look an aggregate up by a human-readable key, consistently.

An index is saved in the same transaction as the aggregate it points to, and its id is
derived from the key, so a key can never point to two aggregates and is found at once.
"""

from __future__ import annotations

import hashlib
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.ids import natural_id


class TrackingNumberIndex(Aggregate):
    """Maps an application's tracking number (e.g. AR-2026-0000123) to its id."""

    class Registered(Aggregate.Created):
        tracking_number: str
        application_id: UUID

    @staticmethod
    def create_id(tracking_number: str, **_: Any) -> UUID:
        return natural_id("tracking-numbers", tracking_number)

    @event(Registered)
    def __init__(self, tracking_number: str, application_id: UUID) -> None:
        self.tracking_number = tracking_number
        self.application_id = application_id


class ProviderPaymentIndex(Aggregate):
    """Maps a provider's payment id (e.g. a Stripe PaymentIntent) to our payment."""

    class Registered(Aggregate.Created):
        provider_payment_id: str
        payment_id: UUID

    @staticmethod
    def create_id(provider_payment_id: str, **_: Any) -> UUID:
        return natural_id("provider-payments", provider_payment_id)

    @event(Registered)
    def __init__(self, provider_payment_id: str, payment_id: UUID) -> None:
        self.provider_payment_id = provider_payment_id
        self.payment_id = payment_id


class RequestKeyIndex(Aggregate):
    """Maps a caller's Idempotency-Key for one kind of creation (an appeal filed, an
    inter-agency request made) to what it created: saved with it, so a retry of a request
    whose answer was lost (a crash, a dropped connection) finds it instead of creating a
    second one, even when its number comes from a sequence."""

    class Registered(Aggregate.Created):
        kind: str
        scope: str
        target_id: UUID

    @staticmethod
    def scope_of(caller: str, key: str) -> str:
        """The caller and their key, as a digest (no PINFL in the index)."""
        return hashlib.sha256(f"{caller}\x00{key}".encode()).hexdigest()

    @staticmethod
    def create_id(kind: str, scope: str, **_: Any) -> UUID:
        return natural_id("request-keys", f"{kind}:{scope}")

    @event(Registered)
    def __init__(self, kind: str, scope: str, target_id: UUID) -> None:
        self.kind = kind
        self.scope = scope
        self.target_id = target_id
