"""Target indicators: evaluating an actual value against its target, the layers of targets
(default < service < agency), the ranking of agencies, and the shipped targets file."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from domain.errors import InvalidInput
from domain.kpi import (
    GE,
    INDICATORS,
    LE,
    MET,
    MISSED,
    NO_DATA,
    Target,
    TargetTable,
    assess,
    evaluate,
    rank,
)
from infrastructure.kpi_targets import load_kpi_targets
from infrastructure.reference_data import load_reference_data

DEFAULTS = {
    "decided_within_term_pct": ">= 95",
    "median_processing_working_days": "<= 5",
    "p90_processing_working_days": "<= 10",
    "rejection_rate_pct": "<= 25",
    "appeals_per_1000_applications": "<= 50",
    "appeals_answered_on_time_pct": ">= 95",
    "average_rating": ">= 4.0",
    "requests_answered_on_time_pct": ">= 95",
}


# --- the rule --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "target", "status"),
    [
        (95.0, Target(95, GE), MET),  # the boundary meets it
        (96.5, Target(95, GE), MET),
        (94.99, Target(95, GE), MISSED),
        (0.0, Target(95, GE), MISSED),
        (5.0, Target(5, LE), MET),
        (0.0, Target(5, LE), MET),
        (5.01, Target(5, LE), MISSED),
        (None, Target(95, GE), NO_DATA),  # nothing to measure is neither met nor missed
        (None, Target(5, LE), NO_DATA),
    ],
)
def test_an_actual_value_meets_or_misses_its_target(
    actual: float | None, target: Target, status: str
) -> None:
    assert evaluate(actual, target) == status


def test_an_assessment_carries_actual_target_comparison_and_status() -> None:
    assessed = assess(3.5, Target(4.0, GE))
    assert (assessed.actual, assessed.target, assessed.comparison, assessed.status) == (
        3.5,
        4.0,
        ">=",
        MISSED,
    )


@pytest.mark.parametrize(
    ("text", "value", "comparison"),
    [(">= 95", 95.0, GE), ("<=5", 5.0, LE), (" >= 4.25 ", 4.25, GE), ("<= 0", 0.0, LE)],
)
def test_targets_read_like_a_comparison_and_a_number(
    text: str, value: float, comparison: str
) -> None:
    assert Target.parse(text) == Target(value, comparison)


@pytest.mark.parametrize("text", ["95", "> 95", "=> 95", ">= ninety", "", ">= 1e3", "== 4"])
def test_malformed_targets_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        Target.parse(text)


@pytest.mark.parametrize(
    ("value", "comparison"), [(95, "=="), (float("nan"), GE), (float("inf"), LE), (True, GE)]
)
def test_a_target_needs_a_finite_number_and_a_known_comparison(value: Any, comparison: str) -> None:
    with pytest.raises(InvalidInput):
        Target(value, comparison)


# --- the layers of targets -------------------------------------------------------------------


def table(**layers: Any) -> TargetTable:
    return TargetTable.from_dict({"defaults": DEFAULTS, **layers})


def test_without_overrides_every_group_gets_the_defaults() -> None:
    targets = table().for_group(agency="justice-1703202", service="birth-registration")
    assert targets == {name: Target.parse(text) for name, text in DEFAULTS.items()}


def test_an_agency_override_wins_over_a_service_override_which_wins_over_the_default() -> None:
    targets = table(
        services={
            "birth-registration": {
                "decided_within_term_pct": ">= 99",
                "median_processing_working_days": "<= 1",
            }
        },
        agencies={"justice-1703202": {"decided_within_term_pct": ">= 90"}},
    )
    both = targets.for_group(agency="justice-1703202", service="birth-registration")
    assert both["decided_within_term_pct"] == Target(90, GE)  # the agency's
    assert both["median_processing_working_days"] == Target(1, LE)  # the service's
    assert both["rejection_rate_pct"] == Target(25, LE)  # the default
    service_only = targets.for_group(service="birth-registration")
    assert service_only["decided_within_term_pct"] == Target(99, GE)
    other_agency = targets.for_group(agency="justice-1706204", service="birth-registration")
    assert other_agency["decided_within_term_pct"] == Target(99, GE)
    agency_only = targets.for_group(agency="justice-1703202")
    assert agency_only["decided_within_term_pct"] == Target(90, GE)
    assert agency_only["median_processing_working_days"] == Target(5, LE)
    unrelated = targets.for_group(agency="tax-1703", service="tin-assignment")
    assert unrelated["decided_within_term_pct"] == Target(95, GE)


def test_every_indicator_needs_a_default() -> None:
    partial = {k: v for k, v in DEFAULTS.items() if k != "average_rating"}
    with pytest.raises(InvalidInput, match="average_rating"):
        TargetTable.from_dict({"defaults": partial})


@pytest.mark.parametrize(
    "layers",
    [
        {"services": {"birth-registration": {"no_such_indicator": ">= 1"}}},
        {"agencies": {"justice-1703202": {"average_rating": "<= 4"}}},  # wrong direction
        {"agencies": {"justice-1703202": {"rejection_rate_pct": ">= 10"}}},
        {"services": ["birth-registration"]},
        {"agencies": {"justice-1703202": ">= 95"}},
    ],
)
def test_overrides_name_known_indicators_in_their_direction(layers: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        table(**layers)


def test_each_indicator_has_one_direction() -> None:
    assert set(INDICATORS.values()) == {GE, LE}
    assert INDICATORS["decided_within_term_pct"] == GE
    assert INDICATORS["median_processing_working_days"] == LE
    assert INDICATORS["rejection_rate_pct"] == LE


# --- the ranking -----------------------------------------------------------------------------


def test_a_ranking_puts_the_best_first_shares_ranks_on_ties_and_no_data_last() -> None:
    actuals = {"c": 80.0, "a": 100.0, "d": None, "b": 80.0, "e": 50.0}
    ranked = rank("decided_within_term_pct", actuals, lambda _: Target(95, GE))
    assert [(r.rank, r.key) for r in ranked] == [
        (1, "a"),
        (2, "b"),
        (2, "c"),
        (4, "e"),
        (None, "d"),
    ]
    assert [r.assessment.status for r in ranked] == [MET, MISSED, MISSED, MISSED, NO_DATA]


def test_for_a_lower_is_better_indicator_the_lowest_comes_first() -> None:
    actuals = {"a": 7.0, "b": 2.5, "c": 5.0}
    ranked = rank("median_processing_working_days", actuals, lambda _: Target(5, LE))
    assert [(r.rank, r.key, r.assessment.status) for r in ranked] == [
        (1, "b", MET),
        (2, "c", MET),
        (3, "a", MISSED),
    ]


def test_each_agency_is_judged_against_its_own_target() -> None:
    targets = table(agencies={"strict": {"decided_within_term_pct": ">= 99"}})
    ranked = rank(
        "decided_within_term_pct",
        {"strict": 97.0, "lenient": 96.0},
        lambda code: targets.for_group(agency=code)["decided_within_term_pct"],
    )
    assert [(r.key, r.assessment.target, r.assessment.status) for r in ranked] == [
        ("strict", 99.0, MISSED),
        ("lenient", 95.0, MET),
    ]


def test_only_known_indicators_rank() -> None:
    with pytest.raises(InvalidInput):
        rank("fees_collected", {"a": 1.0}, lambda _: Target(1, GE))


# --- the shipped file ------------------------------------------------------------------------


def test_the_shipped_targets_load_and_cover_every_indicator() -> None:
    targets = load_kpi_targets()
    assert set(targets.defaults) == set(INDICATORS)
    assert targets.defaults["decided_within_term_pct"] == Target(95, GE)
    assert targets.defaults["rejection_rate_pct"] == Target(25, LE)
    assert targets.defaults["appeals_answered_on_time_pct"] == Target(95, GE)
    assert targets.defaults["average_rating"] == Target(4.0, GE)
    assert targets.defaults["requests_answered_on_time_pct"] == Target(95, GE)
    assert targets.defaults["median_processing_working_days"] == Target(5, LE)


def test_the_shipped_overrides_name_real_services_and_agencies() -> None:
    raw = json.loads(
        resources.files("infrastructure.reference_data")
        .joinpath("kpi_targets.json")
        .read_text(encoding="utf-8")
    )
    data = load_reference_data()
    services = {s.code for s in data.services}
    assert set(raw.get("services") or {}) <= services
    kinds = {k.kind for k in data.agency_kinds}
    territories = {t.code for t in data.territories}
    for code in raw.get("agencies") or {}:
        kind, _, territory = code.rpartition("-")
        assert (kind in kinds and territory in territories) or code in kinds, code
