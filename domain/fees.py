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
    InvalidLegalSource,
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
_FIELD = re.compile(r"[a-z][a-z0-9_]{0,63}")
_CODE = re.compile(r"[a-z0-9][a-z0-9-]{1,63}")

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


def _multiple(field: str, value: object) -> Decimal:
    try:
        multiple = Decimal(str(value))
    except InvalidOperation:
        raise InvalidFeeRule(f"{field} is a decimal number, got {quoted(value)}") from None
    if not multiple.is_finite() or multiple < 0:
        raise InvalidFeeRule(f"{field} cannot be negative, got {multiple}")
    return multiple


def _source(field: str, data: object) -> LegalSource | None:
    try:
        return LegalSource.optional(data)
    except InvalidLegalSource as e:
        raise InvalidFeeRule(f"{field}: {e}") from None


def _bhm_amount(multiple: Decimal, bhm: Money) -> int:
    return int((multiple * bhm.amount).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class RateByField:
    """A BHM multiple that depends on what the applicant declares in one form field
    (``founder_kind``: an enterprise with foreign investment registers for 10 BHM)."""

    field: str
    multiples: tuple[tuple[str, Decimal], ...]

    @classmethod
    def from_dict(cls, data: object) -> RateByField:
        if not isinstance(data, dict) or set(data) != {"field", "multiples"}:
            raise InvalidFeeRule("fee.by_field is an object with 'field' and 'multiples'")
        field, multiples = data["field"], data["multiples"]
        if not isinstance(field, str) or not _FIELD.fullmatch(field):
            raise InvalidFeeRule(f"fee.by_field.field names a form field, got {quoted(field)}")
        if not isinstance(multiples, dict) or not multiples:
            raise InvalidFeeRule("fee.by_field.multiples maps field values to BHM multiples")
        return cls(
            field,
            tuple(
                (str(value), _multiple(f"fee.by_field.multiples.{value}", multiple))
                for value, multiple in sorted(multiples.items())
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "multiples": {v: str(m) for v, m in self.multiples}}

    def multiple_for(self, form: dict[str, Any] | None) -> Decimal | None:
        value = (form or {}).get(self.field)
        return next((m for v, m in self.multiples if v == value), None)


@dataclass(frozen=True)
class Surcharge:
    """A further charge taken with the fee, as a BHM multiple (the coat-of-arms fee for a
    new certificate: 15 % of the BHM), with the act that sets it."""

    code: str
    multiple: Decimal
    source: LegalSource | None = None

    @classmethod
    def from_dict(cls, data: object) -> Surcharge:
        if (
            not isinstance(data, dict)
            or not {"code", "multiple"} <= set(data)
            or not set(data) <= {"code", "multiple", "source"}
        ):
            raise InvalidFeeRule("a surcharge is an object with 'code', 'multiple' and 'source'")
        code = data["code"]
        if not isinstance(code, str) or not _CODE.fullmatch(code):
            raise InvalidFeeRule(f"fee.surcharges[].code must match {_CODE.pattern}")
        return cls(
            code,
            _multiple(f"fee.surcharges.{code}.multiple", data["multiple"]),
            _source(f"fee.surcharges.{code}.source", data.get("source")),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "multiple": str(self.multiple),
            "source": source_dict(self.source),
        }


@dataclass(frozen=True)
class FeePart:
    """One component of a fee owed: the duty itself (``code`` "duty") or a surcharge."""

    code: str
    amount: int
    multiple: Decimal | None
    source: LegalSource | None


@dataclass(frozen=True)
class FeeRule:
    """Free, a fixed amount, or a multiple of the BHM in force on the day of assessment;
    a BHM multiple may depend on a form field, and surcharges may come on top. Each part
    names the act it comes from (``source``; ``None``: nobody could verify one)."""

    kind: str
    amount: int = 0  # minor units, for FIXED
    multiple: Decimal = Decimal(0)  # for BHM_MULTIPLE: the default multiple
    currency: str = DEFAULT_CURRENCY
    source: LegalSource | None = None
    by_field: RateByField | None = None  # for BHM_MULTIPLE
    surcharges: tuple[Surcharge, ...] = ()

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
        common: dict[str, Any] = {
            "currency": currency,
            "source": _source("fee.source", data.get("source")),
            "surcharges": _surcharges(data.get("surcharges", [])),
        }
        if data.get("by_field") is not None and kind != BHM_MULTIPLE:
            raise InvalidFeeRule("only a BHM multiple can depend on a form field (by_field)")
        if kind == FREE:
            return cls(FREE, **common)
        if kind == FIXED:
            amount = data.get("amount")
            if not isinstance(amount, int) or isinstance(amount, bool):
                raise InvalidFeeRule("a fixed fee's amount is an integer in minor units")
            if amount < 0:
                raise InvalidFeeRule(f"a fee amount cannot be negative, got {amount}")
            return cls(FIXED, amount=amount, **common)
        if kind == BHM_MULTIPLE:
            by_field = data.get("by_field")
            return cls(
                BHM_MULTIPLE,
                multiple=_multiple("a BHM multiple", data.get("multiple")),
                by_field=RateByField.from_dict(by_field) if by_field is not None else None,
                **common,
            )
        raise InvalidFeeRule(f"fee kind must be one of {', '.join(FEE_KINDS)}, got {quoted(kind)}")

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any]
        if self.kind == FIXED:
            data = {"kind": FIXED, "amount": self.amount, "currency": self.currency}
        elif self.kind == BHM_MULTIPLE:
            data = {"kind": BHM_MULTIPLE, "multiple": str(self.multiple), "currency": self.currency}
        else:
            data = {"kind": FREE, "currency": self.currency}
        # Written only when set, so terms recorded before sources existed load unchanged.
        if self.by_field is not None:
            data["by_field"] = self.by_field.to_dict()
        if self.surcharges:
            data["surcharges"] = [s.to_dict() for s in self.surcharges]
        if self.source is not None:
            data["source"] = self.source.to_dict()
        return data

    @property
    def is_free(self) -> bool:
        duty_free = (
            self.kind == FREE
            or (self.kind == FIXED and self.amount == 0)
            or (
                self.kind == BHM_MULTIPLE
                and self.multiple == 0
                and (self.by_field is None or all(m == 0 for _, m in self.by_field.multiples))
            )
        )
        return duty_free and all(s.multiple == 0 for s in self.surcharges)

    def multiple_for(self, form: dict[str, Any] | None = None) -> Decimal:
        """The BHM multiple owed by an applicant who submitted ``form``."""
        if self.by_field is not None:
            chosen = self.by_field.multiple_for(form)
            if chosen is not None:
                return chosen
        return self.multiple

    def parts_on(
        self, day: date, rates: BhmRates, form: dict[str, Any] | None = None
    ) -> tuple[FeePart, ...]:
        """The duty and each surcharge owed for an application assessed on ``day``."""
        needs_bhm = self.kind == BHM_MULTIPLE or bool(self.surcharges)
        bhm = rates.rate_on(day) if needs_bhm else Money(0, self.currency)
        if self.kind == FIXED:
            duty = FeePart("duty", self.amount, None, self.source)
        elif self.kind == BHM_MULTIPLE:
            multiple = self.multiple_for(form)
            duty = FeePart("duty", _bhm_amount(multiple, bhm), multiple, self.source)
        else:
            duty = FeePart("duty", 0, None, self.source)
        extra = tuple(
            FeePart(s.code, _bhm_amount(s.multiple, bhm), s.multiple, s.source)
            for s in self.surcharges
        )
        return (duty, *extra)

    def amount_on(self, day: date, rates: BhmRates, form: dict[str, Any] | None = None) -> Money:
        """The fee owed (duty and surcharges) for an application assessed on ``day``."""
        parts = self.parts_on(day, rates, form)
        currency = rates.currency if self.kind == BHM_MULTIPLE else self.currency
        return Money(sum(p.amount for p in parts), currency)


def _surcharges(data: object) -> tuple[Surcharge, ...]:
    if not isinstance(data, list):
        raise InvalidFeeRule("fee.surcharges must be a list")
    surcharges = tuple(Surcharge.from_dict(s) for s in data)
    codes = [s.code for s in surcharges]
    if len(set(codes)) != len(codes) or "duty" in codes:
        raise InvalidFeeRule("fee.surcharges codes are unique and not 'duty'")
    return surcharges


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
