"""Reads over payments: the ledger for oversight, a day's reconciliation, a receipt."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from application.authorization import authorize, narrowed_agency
from application.pagination import Page
from application.principal import Principal
from application.queries.cases import check_period
from application.read_models.payments import LedgerEntry, PaymentsLedger, ReconciliationLine
from domain.context import CommandContext
from domain.errors import NotFound


class ReceiptNotReady(NotFound):
    """The payment exists but its ledger entry is not written yet (a moment after paying)."""


class ReceiptRenderer(Protocol):
    def render(self, facts: list[tuple[str, str]], *, title: str, issued_at: datetime) -> bytes:
        """A one-page receipt listing ``facts`` (label, value)."""
        ...


@dataclass(frozen=True)
class Total:
    currency: str
    collected: int
    refunded: int

    @property
    def net(self) -> int:
        return self.collected - self.refunded


@dataclass(frozen=True)
class Reconciliation:
    day: date
    agency: str | None  # None: every agency
    lines: list[ReconciliationLine]
    totals: list[Total]  # per currency, in currency order


@dataclass(frozen=True)
class Receipt:
    entry: LedgerEntry
    pdf: bytes | None  # when asked for


RECEIPT_TITLE = "Receipt / Kvitansiya / Квитанция"


def format_amount(minor_units: int, currency: str) -> str:
    """12 345 678 tiyin -> "123 456.78 UZS"."""
    whole, cents = divmod(minor_units, 100)
    return f"{whole:,}".replace(",", " ") + f".{cents:02d} {currency}"


def receipt_facts(entry: LedgerEntry) -> list[tuple[str, str]]:
    """What a receipt states, label and value."""
    return [
        ("Payment", str(entry.payment_id)),
        ("Application", entry.tracking_number),
        ("Service", entry.service_code),
        ("Agency", entry.agency_code),
        ("Status", entry.status),
        ("Amount", format_amount(entry.amount, entry.currency)),
        ("Paid", format_amount(entry.paid_amount, entry.currency)),
        ("Paid at", entry.paid_at.isoformat() if entry.paid_at else ""),
        ("Refunded", format_amount(entry.refunded_amount, entry.currency)),
        ("Refunded at", entry.refunded_at.isoformat() if entry.refunded_at else ""),
        ("Provider", f"{entry.provider} {entry.provider_payment_id or ''}".strip()),
    ]


class PaymentRecords:
    """The payments ledger as oversight and the payer read it."""

    def __init__(
        self,
        ledger: PaymentsLedger,
        *,
        check_readable: Callable[[Principal, CommandContext, UUID], object],
        renderer: ReceiptRenderer,
    ) -> None:
        self.ledger = ledger
        self.check_readable = check_readable  # Payments.view: who may read the payment
        self.renderer = renderer

    def entries(
        self,
        principal: Principal,
        *,
        filters: dict[str, str | None],
        requested_from: date | None = None,
        requested_to: date | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> Page[LedgerEntry]:
        """Every payment with its amounts and state, oldest request first."""
        authorize(principal, "read_models.read")
        check_period(requested_from, requested_to)
        return self.ledger.entries(
            filters=filters,
            requested_from=requested_from,
            requested_to=requested_to,
            cursor=cursor,
            limit=limit,
        )

    def reconciliation(
        self, principal: Principal, day: date, agency: str | None = None
    ) -> Reconciliation:
        """Collected, refunded and net per agency and service on ``day``; officers get
        their agency's whatever they ask."""
        agency = narrowed_agency(principal, "payment.reconciliation", agency)
        lines = self.ledger.reconciliation(day, agency)
        sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for line in lines:
            sums[line.currency][0] += line.collected
            sums[line.currency][1] += line.refunded
        totals = [Total(c, v[0], v[1]) for c, v in sorted(sums.items())]
        return Reconciliation(day, agency, lines, totals)

    def receipt(
        self, principal: Principal, ctx: CommandContext, payment_id: UUID, *, pdf: bool = False
    ) -> Receipt:
        """The receipt of a payment (and of its refund), for whoever may read the payment."""
        self.check_readable(principal, ctx, payment_id)
        entry = self.ledger.entry(payment_id)
        if entry is None:
            raise ReceiptNotReady("the receipt is not ready yet; retry in a moment")
        if not pdf:
            return Receipt(entry, None)
        rendered = self.renderer.render(
            receipt_facts(entry), title=RECEIPT_TITLE, issued_at=entry.updated_at
        )
        return Receipt(entry, rendered)
