"""Fee rules evaluated on a date against the BHM schedule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import InvalidBhmRate, InvalidFeeRule, NoBhmRateInForce, NothingChanged
from domain.fees import BhmRates, BhmSchedule, FeeRule, Money
from tests.unit.builders import META
from tests.unit.gwt import given, history, when_created

RATES = BhmRates(((date(2024, 10, 1), 37_500_000), (date(2025, 8, 1), 41_200_000)))


def test_free_costs_nothing() -> None:
    assert FeeRule.from_dict({"kind": "free"}).amount_on(date(2026, 1, 1), RATES) == Money(0)


def test_fixed_amount_is_the_same_on_any_date() -> None:
    rule = FeeRule.from_dict({"kind": "fixed", "amount": 2_500_000, "currency": "UZS"})
    assert rule.amount_on(date(2020, 1, 1), RATES) == Money(2_500_000, "UZS")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 7, 31), 18_750_000),  # the day before the rate change: 0.5 x 375 000 so'm
        (date(2025, 8, 1), 20_600_000),  # the day it takes effect: 0.5 x 412 000 so'm
        (date(2026, 11, 27), 20_600_000),
    ],
)
def test_bhm_multiple_follows_the_rate_in_force(day: date, expected: int) -> None:
    rule = FeeRule.from_dict({"kind": "bhm_multiple", "multiple": "0.5"})
    assert rule.amount_on(day, RATES) == Money(expected, "UZS")


def test_bhm_multiple_rounds_half_up_to_a_whole_minor_unit() -> None:
    rates = BhmRates(((date(2025, 1, 1), 333),))
    rule = FeeRule.from_dict({"kind": "bhm_multiple", "multiple": "1.5"})
    assert rule.amount_on(date(2025, 1, 1), rates).amount == 500  # 499.5 -> 500


def test_no_rate_before_the_first_one() -> None:
    rule = FeeRule.from_dict({"kind": "bhm_multiple", "multiple": "1"})
    with pytest.raises(NoBhmRateInForce):
        rule.amount_on(date(2020, 1, 1), RATES)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "fixed", "amount": -1}, "cannot be negative"),
        ({"kind": "bhm_multiple", "multiple": "-0.5"}, "cannot be negative"),
        ({"kind": "bhm_multiple", "multiple": "lots"}, "decimal number"),
        ({"kind": "fixed", "amount": 1.5}, "integer in minor units"),
        ({"kind": "tip"}, "fee kind must be one of"),
        ({"kind": "fixed", "amount": 10, "currency": "sum"}, "ISO 4217"),
        ("free", "must be an object"),
    ],
)
def test_invalid_fee_rules_are_named(data: object, message: str) -> None:
    with pytest.raises(InvalidFeeRule, match=message):
        FeeRule.from_dict(data)


def test_fee_rule_round_trips() -> None:
    rule = FeeRule.from_dict({"kind": "bhm_multiple", "multiple": "2.5", "currency": "UZS"})
    assert FeeRule.from_dict(rule.to_dict()) == rule
    assert rule.multiple == Decimal("2.5")


def test_schedule_records_rates_and_answers_by_date() -> None:
    opened = when_created(lambda: BhmSchedule.open(meta=META)).then(BhmSchedule.Opened)
    outcome = given(*opened.events).when(
        lambda s: s.set_rate(effective_from=date(2025, 8, 1), amount=41_200_000, meta=META)
    )
    outcome.then(BhmSchedule.RateSet, effective_from="2025-08-01", amount=41_200_000)
    assert outcome.aggregate.rates.rate_on(date(2025, 8, 2)) == Money(41_200_000)


def test_setting_the_same_rate_again_is_refused() -> None:
    schedule = BhmSchedule.open(meta=META)
    schedule.set_rate(effective_from=date(2025, 8, 1), amount=41_200_000, meta=META)
    given(*history(schedule)).when(
        lambda s: s.set_rate(effective_from=date(2025, 8, 1), amount=41_200_000, meta=META)
    ).then_error(NothingChanged)


def test_a_correction_of_a_dates_rate_is_a_new_event() -> None:
    schedule = BhmSchedule.open(meta=META)
    schedule.set_rate(effective_from=date(2025, 8, 1), amount=41_000_000, meta=META)
    outcome = given(*history(schedule)).when(
        lambda s: s.set_rate(effective_from=date(2025, 8, 1), amount=41_200_000, meta=META)
    )
    outcome.then(BhmSchedule.RateSet)
    assert outcome.aggregate.rates.entries == ((date(2025, 8, 1), 41_200_000),)


@pytest.mark.parametrize("amount", [0, -5])
def test_a_rate_is_positive(amount: int) -> None:
    given(*history(BhmSchedule.open(meta=META))).when(
        lambda s: s.set_rate(effective_from=date(2025, 8, 1), amount=amount, meta=META)
    ).then_error(InvalidBhmRate)
