"""Target indicators (KPIs): each indicator's direction, its target and the verdict.

An indicator is *met* when its actual value satisfies its target's comparison: ``>=`` for
shares and ratings (more is better), ``<=`` for processing times, rejections and appeals
(less is better). An indicator with nothing to measure in the period (no decisions, no
answered appeal...) has no actual value: its status is ``no_data``, never met or missed.

Targets come in three layers: defaults for every indicator, overrides per service code and
overrides per agency code. For a group of agency A and service S, an indicator's target is
A's override if there is one, else S's, else the default.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from domain.errors import InvalidInput
from domain.quoting import quoted

GE, LE = ">=", "<="
COMPARISONS = (GE, LE)
MET, MISSED, NO_DATA = "met", "missed", "no_data"
STATUSES = (MET, MISSED, NO_DATA)

# Every indicator with a target, and its direction (the comparison its targets use).
INDICATORS: dict[str, str] = {
    "decided_within_term_pct": GE,
    "median_processing_working_days": LE,
    "p90_processing_working_days": LE,
    "rejection_rate_pct": LE,
    "appeals_per_1000_applications": LE,
    "appeals_answered_on_time_pct": GE,
    "average_rating": GE,
    "requests_answered_on_time_pct": GE,
}

_TARGET_TEXT = re.compile(r"\s*(>=|<=)\s*(-?\d+(?:\.\d+)?)\s*")


@dataclass(frozen=True)
class Target:
    """A target value and how an actual value is compared with it (``actual >= value`` or
    ``actual <= value``)."""

    value: float
    comparison: str

    def __post_init__(self) -> None:
        if self.comparison not in COMPARISONS:
            raise InvalidInput(f"a target's comparison is >= or <=, not {quoted(self.comparison)}")
        if (
            isinstance(self.value, bool)
            or not isinstance(self.value, int | float)
            or not math.isfinite(self.value)
        ):
            raise InvalidInput(f"a target's value is a finite number, not {quoted(self.value)}")

    @classmethod
    def parse(cls, text: str) -> Target:
        """``">= 95"`` or ``"<= 5"``."""
        found = _TARGET_TEXT.fullmatch(text) if isinstance(text, str) else None
        if found is None:
            raise InvalidInput(f"a target reads like '>= 95' or '<= 5', not {quoted(text)}")
        return cls(float(found.group(2)), found.group(1))

    def __str__(self) -> str:
        return f"{self.comparison} {self.value:g}"


def evaluate(actual: float | None, target: Target) -> str:
    """``met`` when ``actual`` satisfies ``target``, ``missed`` when not, ``no_data`` when
    there is no actual value."""
    if actual is None:
        return NO_DATA
    satisfied = actual >= target.value if target.comparison == GE else actual <= target.value
    return MET if satisfied else MISSED


@dataclass(frozen=True)
class Assessment:
    """An indicator's actual value beside its target, and the verdict."""

    actual: float | None
    target: float
    comparison: str
    status: str


def assess(actual: float | None, target: Target) -> Assessment:
    return Assessment(actual, target.value, target.comparison, evaluate(actual, target))


def _targets(where: str, entries: Any, *, complete: bool) -> dict[str, Target]:
    if not isinstance(entries, Mapping):
        raise InvalidInput(f"{where}: give an object of indicator -> target")
    parsed: dict[str, Target] = {}
    for name, value in entries.items():
        if name not in INDICATORS:
            raise InvalidInput(
                f"{where}: {quoted(name)} is not an indicator ({', '.join(INDICATORS)})"
            )
        target = value if isinstance(value, Target) else Target.parse(value)
        if target.comparison != INDICATORS[name]:
            raise InvalidInput(
                f"{where}: {name} is compared with {INDICATORS[name]}, not {target.comparison}"
            )
        parsed[name] = target
    missing = [name for name in INDICATORS if name not in parsed]
    if complete and missing:
        raise InvalidInput(f"{where}: no target for {', '.join(missing)}")
    return parsed


@dataclass(frozen=True)
class TargetTable:
    """Default targets, and overrides per service code and per agency code."""

    defaults: Mapping[str, Target]
    services: Mapping[str, Mapping[str, Target]] = field(default_factory=dict)
    agencies: Mapping[str, Mapping[str, Target]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _targets("defaults", self.defaults, complete=True)
        for code, entries in self.services.items():
            _targets(f"services.{code}", entries, complete=False)
        for code, entries in self.agencies.items():
            _targets(f"agencies.{code}", entries, complete=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TargetTable:
        """From ``{"defaults": {indicator: ">= 95", ...}, "services": {code: {...}},
        "agencies": {code: {...}}}`` (the overrides optional)."""
        if not isinstance(data, Mapping):
            raise InvalidInput("targets: give an object")
        overrides: dict[str, dict[str, dict[str, Target]]] = {}
        for layer in ("services", "agencies"):
            entries = data.get(layer) or {}
            if not isinstance(entries, Mapping):
                raise InvalidInput(f"{layer}: give an object of code -> targets")
            overrides[layer] = {
                str(code): _targets(f"{layer}.{code}", targets, complete=False)
                for code, targets in entries.items()
            }
        return cls(
            defaults=_targets("defaults", data.get("defaults"), complete=True),
            services=overrides["services"],
            agencies=overrides["agencies"],
        )

    def for_group(
        self, *, agency: str | None = None, service: str | None = None
    ) -> dict[str, Target]:
        """Each indicator's target for a group: the agency's override, else the service's,
        else the default."""
        chosen = dict(self.defaults)
        if service is not None:
            chosen.update(self.services.get(service, {}))
        if agency is not None:
            chosen.update(self.agencies.get(agency, {}))
        return chosen


@dataclass(frozen=True)
class Ranked:
    """One entry of a ranking: ``rank`` is shared by equal values (1, 2, 2, 4) and is None
    for an entry without data, which comes last."""

    rank: int | None
    key: str
    assessment: Assessment


def rank(
    indicator: str,
    actuals: Mapping[str, float | None],
    target_of: Callable[[str], Target],
) -> list[Ranked]:
    """``actuals`` (key -> actual value of ``indicator``) best first: highest first for a
    ``>=`` indicator, lowest first for a ``<=`` one; ties by key; no data last."""
    if indicator not in INDICATORS:
        raise InvalidInput(f"indicator must be one of {', '.join(INDICATORS)}")
    sign = -1.0 if INDICATORS[indicator] == GE else 1.0

    def order(item: tuple[str, float | None]) -> tuple[bool, float, str]:
        key, actual = item
        return (actual is None, 0.0 if actual is None else sign * actual, key)

    ranked: list[Ranked] = []
    previous: float | None = None
    current = 0
    for position, (key, actual) in enumerate(sorted(actuals.items(), key=order), start=1):
        if actual is not None and actual != previous:
            current, previous = position, actual
        ranked.append(
            Ranked(None if actual is None else current, key, assess(actual, target_of(key)))
        )
    return ranked
