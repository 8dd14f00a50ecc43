"""How a service's fee, its parts and the acts they come from are shown."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from api.schemas.legal_source import CitedSourceOut
from api.schemas.vocabularies import FeeKind
from domain.errors import NoBhmRateInForce
from domain.exemptions import Exemption
from domain.fees import BhmRates, FeeRule
from domain.i18n import pick

TRANSLATIONS = "texts keyed by language: uz-Latn, uz-Cyrl, ru, en"
UNSOURCED = "null: no act could be verified for this value"


class FeePartOut(BaseModel):
    code: str = Field(description='"duty" (the state duty itself) or a surcharge\'s code')
    multiple: str | None = Field(description="BHM multiple, for a part counted in BHM")
    amount: int | None = Field(description="minor units on as_of; null without a BHM in force")
    source: CitedSourceOut | None = Field(description=UNSOURCED)


class FeeRateOut(BaseModel):
    value: str = Field(description="the form field's value", examples=["foreign_investment"])
    multiple: str
    amount: int | None = Field(description="the duty for this value on as_of")


class FeeByFieldOut(BaseModel):
    field: str = Field(description="the form field the rate depends on", examples=["founder_kind"])
    rates: list[FeeRateOut] = Field(description="rates other than the default multiple")


class Fee(BaseModel):
    kind: FeeKind
    amount: int | None = Field(
        description="fee owed for an application on as_of (duty and surcharges, at the "
        "default rate), in minor units (tiyin); null when no base calculation amount is in force",
        examples=[20600000],
    )
    currency: str = Field(examples=["UZS"])
    multiple: str | None = Field(None, description="BHM multiple (bhm_multiple only)")
    as_of: date
    source: CitedSourceOut | None = Field(
        None, description="the act setting the duty; " + UNSOURCED
    )
    parts: list[FeePartOut] = Field(
        default_factory=list, description="the duty and each surcharge, with their acts"
    )
    by_field: FeeByFieldOut | None = Field(
        None, description="rates that depend on what the applicant declares in the form"
    )

    @classmethod
    def of(cls, rule: dict[str, Any], day: date, rates: BhmRates) -> Fee:
        fee_rule = FeeRule.from_dict(rule)
        amount: int | None
        try:
            owed = fee_rule.amount_on(day, rates)
            amount, currency = owed.amount, owed.currency
            parts = [
                FeePartOut(
                    code=p.code,
                    multiple=str(p.multiple) if p.multiple is not None else None,
                    amount=p.amount,
                    source=CitedSourceOut.cited(p.source),
                )
                for p in fee_rule.parts_on(day, rates)
            ]
        except NoBhmRateInForce:
            amount, currency = None, fee_rule.currency
            parts = [
                FeePartOut(
                    code="duty",
                    multiple=str(fee_rule.multiple) if fee_rule.kind == "bhm_multiple" else None,
                    amount=None,
                    source=CitedSourceOut.cited(fee_rule.source),
                ),
                *(
                    FeePartOut(
                        code=s.code,
                        multiple=str(s.multiple),
                        amount=None,
                        source=CitedSourceOut.cited(s.source),
                    )
                    for s in fee_rule.surcharges
                ),
            ]
        return cls(
            kind=fee_rule.kind,
            amount=amount,
            currency=currency,
            multiple=str(fee_rule.multiple) if fee_rule.kind == "bhm_multiple" else None,
            as_of=day,
            source=CitedSourceOut.cited(fee_rule.source),
            parts=parts,
            by_field=_by_field(fee_rule, day, rates),
        )


def _by_field(rule: FeeRule, day: date, rates: BhmRates) -> FeeByFieldOut | None:
    if rule.by_field is None:
        return None
    items = []
    for value, multiple in rule.by_field.multiples:
        try:
            owed: int | None = rule.parts_on(day, rates, {rule.by_field.field: value})[0].amount
        except NoBhmRateInForce:
            owed = None
        items.append(FeeRateOut(value=value, multiple=str(multiple), amount=owed))
    return FeeByFieldOut(field=rule.by_field.field, rates=items)


class ExemptionOut(BaseModel):
    code: str
    name: str
    names: dict[str, str] = Field(description=TRANSLATIONS)
    legal_basis: str
    source: CitedSourceOut | None = Field(None, description=UNSOURCED)
    effective_from: date | None = Field(None, description="the first day it applies")
    effective_until: date | None = Field(None, description="the last day it applies")

    @classmethod
    def of(cls, data: dict[str, Any], lang: str) -> ExemptionOut:
        exemption = Exemption.from_dict(data)
        return cls(
            code=exemption.code,
            name=pick(data["names"], lang),
            names=data["names"],
            legal_basis=exemption.legal_basis,
            source=CitedSourceOut.cited(exemption.source),
            effective_from=exemption.effective_from,
            effective_until=exemption.effective_until,
        )
