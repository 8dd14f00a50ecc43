"""State fees: the base calculation amount (BHM) schedule and fee rules.

Amounts are integers in minor units (tiyin for UZS). A fee rule is free, a fixed amount,
or a multiple of the BHM in force on a given date; the BHM rate is itself versioned by
effective date, so the same rule gives different amounts either side of a rate change.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import (
    InvalidBhmRate,
    InvalidFeeRule,
    NoBhmRateInForce,
    NoSuchBhmRate,
    NothingChanged,
)
from domain.ids import natural_id
from domain.quoting import quoted
from domain.sources import LegalSource, source_dict
from domain.text import required_text

DEFAULT_CURRENCY = "UZS"
_CURRENCY = re.compile(r"[A-Z]{3}")

FREE = "free"
FIXED = "fixed"
BHM_MULTIPLE = "bhm_multiple"
FEE_KINDS = (FREE, FIXED, BHM_MULTIPLE)


@dataclass(frozen=True)
class Money:
    amount: int  # minor units
    currency: str = DEFAULT_CURRENCY

    def to_dict(self) -> dict[str, Any]:
        return {"amount": self.amount, "currency": self.currency}


@dataclass(frozen=True)
class BhmRates:
    """The BHM rates by effective date, ascending. Pure value; the schedule aggregate holds one."""

    entries: tuple[tuple[date, int], ...] = ()
    currency: str = DEFAULT_CURRENCY

    def rate_on(self, day: date) -> Money:
        index = bisect.bisect_right([since for since, _ in self.entries], day)
        if index == 0:
            raise NoBhmRateInForce(f"no base calculation amount is in force on {day.isoformat()}")
        return Money(self.entries[index - 1][1], self.currency)

    def with_rate(self, since: date, amount: int) -> BhmRates:
        kept = [(d, a) for d, a in self.entries if d != since]
        return BhmRates(tuple(sorted([*kept, (since, amount)])), self.currency)

    def without(self, since: date) -> BhmRates:
        return BhmRates(tuple((d, a) for d, a in self.entries if d != since), self.currency)


@dataclass(frozen=True)
class FeeRule:
    """Free, a fixed amount, or a multiple of the BHM in force on the day of assessment."""

    kind: str
    amount: int = 0  # minor units, for FIXED
    multiple: Decimal = Decimal(0)  # for BHM_MULTIPLE
    currency: str = DEFAULT_CURRENCY

    @classmethod
    def free(cls) -> FeeRule:
        return cls(FREE)

    @classmethod
    def from_dict(cls, data: object) -> FeeRule:
        if not isinstance(data, dict):
            raise InvalidFeeRule("fee must be an object with a 'kind'")
        kind = data.get("kind")
        currency = data.get("currency", DEFAULT_CURRENCY)
        if not isinstance(currency, str) or not _CURRENCY.fullmatch(currency):
            raise InvalidFeeRule(f"fee currency must be an ISO 4217 code, got {quoted(currency)}")
        if kind == FREE:
            return cls(FREE, currency=currency)
        if kind == FIXED:
            amount = data.get("amount")
            if not isinstance(amount, int) or isinstance(amount, bool):
                raise InvalidFeeRule("a fixed fee's amount is an integer in minor units")
            if amount < 0:
                raise InvalidFeeRule(f"a fee amount cannot be negative, got {amount}")
            return cls(FIXED, amount=amount, currency=currency)
        if kind == BHM_MULTIPLE:
            try:
                multiple = Decimal(str(data.get("multiple")))
            except InvalidOperation:
                raise InvalidFeeRule(
                    f"a BHM multiple is a decimal number, got {quoted(data.get('multiple'))}"
                ) from None
            if not multiple.is_finite() or multiple < 0:
                raise InvalidFeeRule(f"a BHM multiple cannot be negative, got {multiple}")
            return cls(BHM_MULTIPLE, multiple=multiple, currency=currency)
        raise InvalidFeeRule(f"fee kind must be one of {', '.join(FEE_KINDS)}, got {quoted(kind)}")

    def to_dict(self) -> dict[str, Any]:
        if self.kind == FIXED:
            return {"kind": FIXED, "amount": self.amount, "currency": self.currency}
        if self.kind == BHM_MULTIPLE:
            return {"kind": BHM_MULTIPLE, "multiple": str(self.multiple), "currency": self.currency}
        return {"kind": FREE, "currency": self.currency}

    @property
    def is_free(self) -> bool:
        return (
            self.kind == FREE
            or (self.kind == FIXED and self.amount == 0)
            or (self.kind == BHM_MULTIPLE and self.multiple == 0)
        )

    def amount_on(self, day: date, rates: BhmRates) -> Money:
        """The fee owed for an application assessed on ``day``."""
        if self.kind == FIXED:
            return Money(self.amount, self.currency)
        if self.kind == BHM_MULTIPLE:
            bhm = rates.rate_on(day)
            exact = self.multiple * bhm.amount
            return Money(int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)), bhm.currency)
        return Money(0, self.currency)


class BhmSchedule(Aggregate):
    """The one schedule of base calculation amounts (bazaviy hisoblash miqdori).

    Each rate records the act that set it (``source``; ``None`` where nobody could verify
    it). A rate entered under a wrong date is corrected in two steps: the rate is set from
    the right date, and the wrong date's entry is withdrawn (``RateWithdrawn``), so the
    history shows both the mistake and its correction.
    """

    class Opened(Aggregate.Created):
        code: str
        currency: str
        meta: dict[str, str]

    class RateSet(Aggregate.Event):
        effective_from: str
        amount: int
        meta: dict[str, str]
        source: dict[str, Any] | None = None  # events stored before sources replay as None

    class RateWithdrawn(Aggregate.Event):
        effective_from: str
        reason: str
        meta: dict[str, str]

    CODE = "uz"

    @staticmethod
    def create_id(code: str = CODE, **_: Any) -> UUID:
        return natural_id("bhm-schedules", code)

    @event(Opened)
    def __init__(self, code: str, currency: str, meta: dict[str, str]) -> None:
        self.code = code
        self.rates = BhmRates((), currency)
        self.sources: dict[date, LegalSource | None] = {}

    @classmethod
    def open(cls, *, meta: dict[str, str], currency: str = DEFAULT_CURRENCY) -> BhmSchedule:
        return cls(code=cls.CODE, currency=currency, meta=meta)

    def set_rate(
        self,
        *,
        effective_from: date,
        amount: int,
        meta: dict[str, str],
        source: LegalSource | None = None,
    ) -> None:
        """Set the BHM from a date on, with the act that set it. A correction of a date's
        rate, or of its source, is a new event too."""
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise InvalidBhmRate(
                f"a BHM rate is a positive integer in minor units, got {quoted(amount)}"
            )
        if (effective_from, amount) in self.rates.entries and self.sources.get(
            effective_from
        ) == source:
            raise NothingChanged(f"the BHM from {effective_from.isoformat()} is already {amount}")
        self._rate_set(
            effective_from=effective_from.isoformat(),
            amount=amount,
            meta=meta,
            source=source_dict(source),
        )

    @event(RateSet)
    def _rate_set(
        self,
        effective_from: str,
        amount: int,
        meta: dict[str, str],
        source: dict[str, Any] | None = None,
    ) -> None:
        since = date.fromisoformat(effective_from)
        self.rates = self.rates.with_rate(since, amount)
        self.sources[since] = LegalSource.optional(source)

    def withdraw_rate(self, *, effective_from: date, reason: str, meta: dict[str, str]) -> None:
        """Remove the rate set from ``effective_from`` (a wrong date): the rate before it
        is in force again until the next one."""
        if effective_from not in {since for since, _ in self.rates.entries}:
            raise NoSuchBhmRate(f"no BHM rate is set from {effective_from.isoformat()}")
        self._rate_withdrawn(
            effective_from=effective_from.isoformat(),
            reason=required_text("reason", reason),
            meta=meta,
        )

    @event(RateWithdrawn)
    def _rate_withdrawn(self, effective_from: str, reason: str, meta: dict[str, str]) -> None:
        since = date.fromisoformat(effective_from)
        self.rates = self.rates.without(since)
        self.sources.pop(since, None)

    def source_of(self, effective_from: date) -> LegalSource | None:
        return self.sources.get(effective_from)
