"""What the payment provider tells us: its signed notifications (webhooks), applied to the
payments at most once each, and the offline sandbox's checkout, which settles a payment
and sends its signed callback through the same path as a real provider's webhook."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from application.ports import ProviderEvent
from domain.context import CommandContext
from domain.errors import Conflict, NotFound


class InvalidSignature(Exception):
    """A notification that is forged, stale or unreadable (its text says which)."""


class NotificationReader(Protocol):
    def read(self, payload: bytes, signature: str | None) -> ProviderEvent | None:
        """The event a signed notification reports (None: one Yagona does not follow);
        ``InvalidSignature`` if it is not authentic."""
        ...


class ProviderNotConfigured(NotFound):
    """Notifications of a provider other than the configured one."""

    @property
    def code(self) -> str:
        return "not-found"


class AlreadySettled(Conflict):
    pass


Apply = Callable[[CommandContext, ProviderEvent], object | None]


class ProviderNotifications:
    """The configured provider's notifications, verified, then applied."""

    def __init__(self, provider: str, reader: NotificationReader, apply: Apply) -> None:
        self.provider = provider  # "stripe" | "sandbox"
        self.reader = reader
        self.apply = apply  # Payments.apply_provider_event: None when nothing changed

    def receive(
        self, provider: str, payload: bytes, signature: str | None, correlation_id: str
    ) -> bool:
        """Whether the notification changed a payment (a repeat changes nothing)."""
        if provider != self.provider:
            raise ProviderNotConfigured(
                "Stripe is not the configured provider"
                if provider == "stripe"
                else "the sandbox provider is not configured"
            )
        event = self.reader.read(payload, signature)
        if event is None:
            return False
        ctx = CommandContext(
            actor=f"provider:{provider}", role="system", correlation_id=correlation_id
        )
        return self.apply(ctx, event) is not None


@dataclass(frozen=True)
class SandboxCheckoutPayment:
    provider_payment_id: str
    payment_id: UUID
    amount: int
    currency: str
    status: str  # requires_confirmation | succeeded | failed | canceled
    description: str


class SandboxDesk(Protocol):
    """The offline sandbox provider's own records (development only)."""

    def find(self, provider_payment_id: str) -> SandboxCheckoutPayment | None: ...

    def decide(self, provider_payment_id: str, outcome: str) -> tuple[bytes, str] | None: ...


class SandboxCheckout:
    """Where a person pays or declines a sandbox payment; no money moves."""

    def __init__(self, desk: SandboxDesk | None, notifications: ProviderNotifications) -> None:
        self.desk = desk  # None: the sandbox is not the configured provider
        self.notifications = notifications

    def _desk(self) -> SandboxDesk:
        if self.desk is None:
            raise ProviderNotConfigured("the sandbox provider is not configured")
        return self.desk

    def ensure_configured(self) -> None:
        """``ProviderNotConfigured`` unless the sandbox is the configured provider."""
        self._desk()

    def payment(self, provider_payment_id: str) -> SandboxCheckoutPayment:
        payment = self._desk().find(provider_payment_id)
        if payment is None:
            raise ProviderNotConfigured("no such sandbox payment")
        return payment

    def decide(self, provider_payment_id: str, outcome: str, correlation_id: str) -> None:
        """Settle the payment and deliver its signed callback as the provider would."""
        callback = self._desk().decide(provider_payment_id, outcome)
        if callback is None:
            raise AlreadySettled("this sandbox payment is already settled or unknown")
        payload, signature = callback
        self.notifications.receive("sandbox", payload, signature, correlation_id)
