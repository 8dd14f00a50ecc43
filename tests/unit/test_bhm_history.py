"""The BHM's history as shipped: the rate either side of each of its seven changes, the act
behind each rate, events stored before rates carried a source, and the correction of a store
seeded with the wrong dates."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from application.catalogue import Catalogue
from application.seeding import BhmRateSpec, ReferenceData, seed
from domain.errors import NoBhmRateInForce, NoSuchBhmRate
from domain.fees import BhmRates, BhmSchedule, FeeRule, Money
from domain.sources import LegalSource
from infrastructure.reference_data import load_reference_data
from tests.unit.builders import CTX, META
from tests.unit.gwt import given, history

# (the day a rate took effect, the rate before it, the rate from it), in soʻm
CHANGES = [
    (date(2021, 2, 1), None, 245_000),
    (date(2021, 9, 1), 245_000, 270_000),
    (date(2022, 6, 1), 270_000, 300_000),
    (date(2023, 5, 1), 300_000, 330_000),
    (date(2023, 12, 1), 330_000, 340_000),
    (date(2024, 10, 1), 340_000, 375_000),
    (date(2025, 8, 1), 375_000, 412_000),
]
# What an earlier release shipped: 270,000 from 2022-04-01, 330,000 from 2023-06-01 and
# 340,000 from 2023-10-01.
OLD_DATES = [
    (date(2021, 2, 1), 24_500_000),
    (date(2022, 4, 1), 27_000_000),
    (date(2022, 6, 1), 30_000_000),
    (date(2023, 6, 1), 33_000_000),
    (date(2023, 10, 1), 34_000_000),
    (date(2024, 10, 1), 37_500_000),
    (date(2025, 8, 1), 41_200_000),
]
ONE_BHM = FeeRule.from_dict({"kind": "bhm_multiple", "multiple": "1"})
TODAY = date(2026, 11, 27)


def tiyin(som: int) -> int:
    return som * 100


def shipped() -> ReferenceData:
    return load_reference_data()


def rates_only(data: ReferenceData) -> ReferenceData:
    """Only the BHM part of ``data`` (seeding the whole catalogue is not the point here)."""
    return ReferenceData(
        territories=[],
        agency_kinds=[],
        services=[],
        bhm_rates=data.bhm_rates,
        bhm_rate_specs=data.bhm_rate_specs,
        bhm_withdrawn=data.bhm_withdrawn,
        effective_from=date(2024, 1, 1),
    )


def shipped_schedule() -> BhmSchedule:
    schedule = BhmSchedule.open(meta=META)
    for spec in shipped().rate_specs():
        schedule.set_rate(
            effective_from=spec.effective_from, amount=spec.amount, source=spec.source, meta=META
        )
    return schedule


def test_the_shipped_data_has_the_seven_changes() -> None:
    assert [(s.effective_from, s.amount) for s in shipped().rate_specs()] == [
        (day, tiyin(after)) for day, _, after in CHANGES
    ]


@pytest.mark.parametrize(("day", "before", "after"), CHANGES, ids=[str(c[0]) for c in CHANGES])
def test_a_one_bhm_fee_either_side_of_each_change(day: date, before: int, after: int) -> None:
    # given the schedule as shipped
    rates = shipped_schedule().rates
    # then the day before a change pays the old rate, the day of it the new one
    if before is None:
        with pytest.raises(NoBhmRateInForce):
            ONE_BHM.amount_on(day - timedelta(days=1), rates)
    else:
        assert ONE_BHM.amount_on(day - timedelta(days=1), rates) == Money(tiyin(before))
    assert ONE_BHM.amount_on(day, rates) == Money(tiyin(after))


@pytest.mark.parametrize(("day", "before", "after"), CHANGES, ids=[str(c[0]) for c in CHANGES])
def test_the_seeded_catalogue_quotes_either_side_of_each_change(
    day: date, before: int, after: int
) -> None:
    # given a catalogue seeded first with the old dates, then with the shipped data
    catalogue = Catalogue()
    seed(catalogue, rates_only(old_data()), CTX, today=TODAY)
    seed(catalogue, rates_only(shipped()), CTX, today=TODAY)
    # when a half-BHM fee is quoted from the stored schedule
    schedule = catalogue.find_bhm_schedule()
    assert schedule is not None
    half = FeeRule.from_dict({"kind": "bhm_multiple", "multiple": "0.5"})
    # then it follows the corrected dates
    if before is not None:
        assert half.amount_on(day - timedelta(days=1), schedule.rates) == Money(tiyin(before) // 2)
    assert half.amount_on(day, schedule.rates) == Money(tiyin(after) // 2)


def test_every_rate_names_its_act_or_is_listed_as_unsourced(capsys: Any) -> None:
    specs = shipped().rate_specs()
    unsourced = [s.effective_from.isoformat() for s in specs if s.source is None]
    with capsys.disabled():
        print(f"\nBHM rates without a verified act: {', '.join(unsourced) or 'none'}")
    sourced = {s.effective_from: s.source for s in specs if s.source is not None}
    assert sourced[date(2021, 2, 1)].number == "PQ-4938"  # type: ignore[union-attr]
    assert sourced[date(2023, 12, 1)].number == "PF-196"  # type: ignore[union-attr]
    assert len(sourced) + len(unsourced) == 7


def test_a_rate_records_its_source() -> None:
    source = LegalSource(act="Decree", number="PF-196", date=date(2023, 11, 17))
    outcome = given(*history(BhmSchedule.open(meta=META))).when(
        lambda s: s.set_rate(
            effective_from=date(2023, 12, 1), amount=34_000_000, source=source, meta=META
        )
    )
    outcome.then(BhmSchedule.RateSet, source=source.to_dict())
    assert outcome.aggregate.source_of(date(2023, 12, 1)) == source


def test_a_source_added_to_a_known_rate_is_a_new_event() -> None:
    schedule = BhmSchedule.open(meta=META)
    schedule.set_rate(effective_from=date(2023, 12, 1), amount=34_000_000, meta=META)
    source = LegalSource(act="Decree", number="PF-196", date=date(2023, 11, 17))
    given(*history(schedule)).when(
        lambda s: s.set_rate(
            effective_from=date(2023, 12, 1), amount=34_000_000, source=source, meta=META
        )
    ).then(BhmSchedule.RateSet, amount=34_000_000)


def test_a_rate_stored_before_sources_replays_without_one() -> None:
    # given a RateSet as stored by an earlier release: its state has no "source"
    schedule = BhmSchedule.open(meta=META)
    schedule.set_rate(effective_from=date(2025, 8, 1), amount=41_200_000, meta=META)
    opened, rate_set = history(schedule)
    old = object.__new__(BhmSchedule.RateSet)  # as the event store's mapper rebuilds it
    old.__dict__.update({k: v for k, v in rate_set.__dict__.items() if k != "source"})
    # when it is replayed
    replayed = given(opened, old).aggregate
    # then the rate is there, with no source
    assert replayed.rates.entries == ((date(2025, 8, 1), 41_200_000),)
    assert replayed.source_of(date(2025, 8, 1)) is None
    assert old.source is None


def test_withdrawing_a_wrongly_dated_rate_brings_back_the_one_before() -> None:
    schedule = BhmSchedule.open(meta=META)
    for since, amount in [(date(2021, 2, 1), 1), (date(2021, 9, 1), 2), (date(2022, 4, 1), 2)]:
        schedule.set_rate(effective_from=since, amount=amount, meta=META)
    outcome = given(*history(schedule)).when(
        lambda s: s.withdraw_rate(effective_from=date(2022, 4, 1), reason="wrong date", meta=META)
    )
    outcome.then(BhmSchedule.RateWithdrawn, effective_from="2022-04-01", reason="wrong date")
    assert outcome.aggregate.rates.entries == ((date(2021, 2, 1), 1), (date(2021, 9, 1), 2))
    replayed = given(*outcome.aggregate_history()).aggregate
    assert replayed.rates == outcome.aggregate.rates


def test_withdrawing_a_date_with_no_rate_is_refused() -> None:
    given(*history(BhmSchedule.open(meta=META))).when(
        lambda s: s.withdraw_rate(effective_from=date(2022, 4, 1), reason="x", meta=META)
    ).then_error(NoSuchBhmRate)


def old_data() -> ReferenceData:
    return ReferenceData(
        territories=[], agency_kinds=[], services=[], bhm_rates=OLD_DATES, effective_from=TODAY
    )


def test_seeding_corrects_a_store_seeded_with_the_old_dates_once() -> None:
    # given a store seeded by the earlier release
    catalogue = Catalogue()
    seed(catalogue, old_data(), CTX, today=TODAY)
    # when the corrected data is seeded
    report = seed(catalogue, rates_only(shipped()), CTX, today=TODAY)
    # then the right dates are set, the wrong ones withdrawn, the sources recorded
    schedule = catalogue.find_bhm_schedule()
    assert schedule is not None
    assert schedule.rates == BhmRates(tuple((d, tiyin(a)) for d, _, a in CHANGES))
    assert report.changed["bhm_rate_withdrawn"] == 3
    assert report.created["bhm_rate"] == 3  # 2021-09-01, 2023-05-01, 2023-12-01
    assert report.changed["bhm_rate"] == 1  # 2021-02-01 got its source
    assert schedule.source_of(date(2021, 2, 1)) is not None
    # and a second run changes nothing
    again = seed(catalogue, rates_only(shipped()), CTX, today=TODAY)
    assert again.is_noop


def test_a_fresh_store_is_seeded_right_without_withdrawals() -> None:
    catalogue = Catalogue()
    report = seed(catalogue, rates_only(shipped()), CTX, today=TODAY)
    assert report.created["bhm_rate"] == 7
    assert "bhm_rate_withdrawn" not in report.changed
    assert seed(catalogue, rates_only(shipped()), CTX, today=TODAY).is_noop


def test_a_withdrawn_date_the_data_sets_again_is_kept() -> None:
    catalogue = Catalogue()
    data = ReferenceData(
        territories=[],
        agency_kinds=[],
        services=[],
        bhm_rates=[],
        bhm_rate_specs=[BhmRateSpec(date(2022, 4, 1), 27_000_000)],
        bhm_withdrawn=[(date(2022, 4, 1), "listed by mistake")],
        effective_from=TODAY,
    )
    seed(catalogue, data, CTX, today=TODAY)
    schedule = catalogue.find_bhm_schedule()
    assert schedule is not None
    assert schedule.rates.entries == ((date(2022, 4, 1), 27_000_000),)
    assert Decimal(1) == ONE_BHM.multiple
