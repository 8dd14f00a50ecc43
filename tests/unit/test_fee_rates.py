"""Fee rates that depend on the applicant, surcharges shown as parts, the rates the state
duty law sets, and exemptions that apply only from a date."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from application.catalogue import parse_terms
from domain.errors import InvalidFeeRule, InvalidServiceTerms
from domain.exemptions import Exemption
from domain.fees import BhmRates, FeeRule, Money
from domain.sources import LegalSource
from infrastructure.reference_data import catalogue_entries

RATES = BhmRates(((date(2024, 10, 1), 37_500_000), (date(2025, 8, 1), 41_200_000)))
DAY = date(2026, 1, 15)
BHM = 41_200_000
LAW = {"act": 'Law "On state duty"', "number": "ZRU-600", "date": "2020-01-06"}
BY_FOUNDER = {
    "kind": "bhm_multiple",
    "multiple": "1",
    "by_field": {"field": "founder_kind", "multiples": {"foreign_investment": "10"}},
    "source": LAW,
}
COAT_OF_ARMS = {
    "kind": "free",
    "surcharges": [{"code": "coat-of-arms", "multiple": "0.15", "source": None}],
}


def entry(code: str) -> dict[str, Any]:
    return copy.deepcopy(next(e for e in catalogue_entries() if e["code"] == code))


def test_an_enterprise_with_foreign_investment_owes_ten_bhm_others_one() -> None:
    rule = FeeRule.from_dict(BY_FOUNDER)
    assert rule.amount_on(DAY, RATES, {"founder_kind": "domestic"}) == Money(BHM)
    assert rule.amount_on(DAY, RATES, {"founder_kind": "foreign_investment"}) == Money(10 * BHM)
    assert rule.amount_on(DAY, RATES) == Money(BHM)  # the default multiple without a form
    assert FeeRule.from_dict(rule.to_dict()) == rule


def test_the_rate_by_field_follows_the_bhm_in_force() -> None:
    rule = FeeRule.from_dict(BY_FOUNDER)
    foreign = {"founder_kind": "foreign_investment"}
    assert rule.amount_on(date(2025, 7, 31), RATES, foreign) == Money(375_000_000)
    assert rule.amount_on(date(2025, 8, 1), RATES, foreign) == Money(412_000_000)


def test_a_surcharge_is_a_part_of_the_amount_owed() -> None:
    rule = FeeRule.from_dict(COAT_OF_ARMS)
    assert not rule.is_free  # 15 % of the BHM is owed although the duty itself is free
    parts = rule.parts_on(DAY, RATES)
    assert [(p.code, p.amount, p.multiple) for p in parts] == [
        ("duty", 0, None),
        ("coat-of-arms", 6_180_000, Decimal("0.15")),
    ]
    assert rule.amount_on(DAY, RATES) == Money(6_180_000)
    assert FeeRule.from_dict(rule.to_dict()) == rule


def test_a_duty_and_a_surcharge_add_up() -> None:
    rule = FeeRule.from_dict({**COAT_OF_ARMS, "kind": "bhm_multiple", "multiple": "0.2"})
    assert rule.amount_on(DAY, RATES) == Money(8_240_000 + 6_180_000)


def test_the_id_card_costs_089_bhm_by_the_state_duty_law() -> None:
    terms = parse_terms(entry("id-card-issuance"))
    assert terms.fee.multiple == Decimal("0.89")
    assert terms.fee.amount_on(DAY, RATES) == Money(36_668_000)
    assert terms.fee.source == LegalSource.from_dict({**LAW, "article": "annex, item 6(a)"})


def test_the_catalogue_llc_rate_depends_on_the_founder_kind() -> None:
    fee = parse_terms(entry("llc-registration")).fee
    assert fee.amount_on(DAY, RATES, {"founder_kind": "foreign_investment"}) == Money(10 * BHM)
    assert fee.amount_on(DAY, RATES, {"founder_kind": "domestic"}) == Money(BHM)


def test_death_registration_takes_no_fee_and_no_surcharge() -> None:
    fee = parse_terms(entry("death-registration")).fee
    assert fee.is_free
    assert fee.surcharges == ()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s["properties"].pop("founder_kind"), "declare with an enum"),
        (lambda s: s["properties"]["founder_kind"].pop("enum"), "declare with an enum"),
        (
            lambda s: s["properties"]["founder_kind"].update(enum=["domestic"]),
            "values the form does not offer: foreign_investment",
        ),
        (lambda s: s["required"].remove("founder_kind"), "make it required"),
    ],
)
def test_a_rate_by_field_needs_that_field_in_the_form(change: Any, message: str) -> None:
    data = entry("llc-registration")
    change(data["form_schema"])
    with pytest.raises(InvalidServiceTerms, match=message):
        parse_terms(data)


@pytest.mark.parametrize(
    ("fee", "message"),
    [
        ({**BY_FOUNDER, "kind": "fixed", "amount": 1}, "only a BHM multiple"),
        ({**BY_FOUNDER, "by_field": {"field": "founder_kind"}}, "'field' and 'multiples'"),
        ({**BY_FOUNDER, "by_field": {"field": "Kind", "multiples": {"a": "1"}}}, "form field"),
        ({**BY_FOUNDER, "by_field": {"field": "k", "multiples": {"a": "-1"}}}, "negative"),
        ({"kind": "free", "surcharges": {}}, "must be a list"),
        ({"kind": "free", "surcharges": [{"code": "duty", "multiple": "1"}]}, "not 'duty'"),
        ({"kind": "free", "surcharges": [{"code": "x1", "multiple": "1", "y": 1}]}, "object"),
        ({"kind": "free", "source": {"act": "Law", "date": "someday"}}, "fee.source"),
        ({"kind": "free", "source": {"act": "Law", "date": "2020-01-06", "url": "x"}}, "lex.uz"),
    ],
)
def test_malformed_fee_rules_are_refused(fee: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidFeeRule, match=message):
        FeeRule.from_dict(fee)


def test_a_dated_exemption_applies_from_its_first_day_not_before() -> None:
    contract = next(
        e
        for e in parse_terms(entry("marriage-registration")).exemptions
        if e.code == "registered-marriage-contract"
    )
    since = contract.effective_from
    assert since is not None
    assert not contract.in_force_on(date.fromordinal(since.toordinal() - 1))
    assert contract.in_force_on(since)
    assert contract.in_force_on(date(2030, 1, 1))


def test_an_exemption_can_end() -> None:
    names = dict.fromkeys(("uz-Latn", "uz-Cyrl", "ru", "en"), "x")
    ending = Exemption.from_dict(
        {
            "code": "transitional",
            "names": names,
            "legal_basis": "transitional provision",
            "effective_from": "2026-01-01",
            "effective_until": "2026-12-31",
            "source": {**LAW, "article": "art. 1"},
        }
    )
    assert ending.in_force_on(date(2026, 12, 31))
    assert not ending.in_force_on(date(2027, 1, 1))
    assert Exemption.from_dict(ending.to_dict()) == ending
    with pytest.raises(InvalidServiceTerms, match="ends before it starts"):
        Exemption.from_dict({**ending.to_dict(), "effective_until": "2025-12-31"})
    with pytest.raises(InvalidServiceTerms, match="ISO date"):
        Exemption.from_dict({**ending.to_dict(), "effective_from": "soon"})


def test_terms_recorded_before_sources_existed_still_load_and_equal_unsourced_data() -> None:
    """A Published event of old holds terms without any source key; they load, and equal the
    same terms written with ``"source": null`` everywhere (no revision on reseed)."""
    data = entry("repeat-civil-status-certificate")
    old = copy.deepcopy(data)
    old["fee"].pop("source")
    old.pop("term_source")
    for e in old["exemptions"]:
        e.pop("source")
    assert parse_terms(old) == parse_terms(data)
    assert parse_terms(parse_terms(old).to_dict()) == parse_terms(data)


def test_only_a_source_changing_is_a_change_of_terms() -> None:
    data = entry("divorce-registration")
    sourced = copy.deepcopy(data)
    sourced["fee"]["source"] = {**LAW, "article": "annex"}
    sourced["term_source"] = {**LAW, "article": "art. 1"}
    assert parse_terms(sourced) != parse_terms(data)
    assert parse_terms(sourced).to_dict()["term_source"]["article"] == "art. 1"
