"""The KPI test's expected indicators, computed from the script's facts by the documented
rules, and the comparison with what the read model answers."""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

import pytest

from projections.kpi import KpiRow
from tests.integration.kpi_facts import AppealFact, RequestFact, month
from tests.integration.kpi_script import Script

# --- the expected indicators, computed from the script ------------------------------------------


def expected(
    script: Script,
    group_by: list[str],
    first: str,
    last: str,
    filters: dict[str, str] | None = None,
) -> dict[tuple[str | None, ...], dict[str, Any]]:
    """Each group's counts and indicators, by the documented rules, from the script's facts."""
    filters = filters or {}
    dims = [d for d in ("agency", "service", "territory") if d in group_by]
    buckets: dict[tuple[str | None, ...], dict[str, list[Any]]] = defaultdict(
        lambda: defaultdict(list)
    )

    def add(kind: str, where: dict[str, str | None], value: Any, when: str | None) -> None:
        if when is None or not first <= when <= last:
            return
        if filters.get("agency") and where["agency"] != filters["agency"]:
            return
        if filters.get("service") and where["service"] != filters["service"]:
            return
        territory = where["territory"] or ""
        if filters.get("territory") and not territory.startswith(filters["territory"]):
            return
        buckets[tuple(where[d] for d in dims)][kind].append(value)

    for app in script.apps.values():
        where = {"agency": app.agency, "service": app.service, "territory": app.territory}
        add("submitted", where, 1, month(app.submitted))
        if app.decided is not None:
            decision = (app.within_term, app.outcome == "rejected", app.working_days_taken)
            add("decided", where, decision, month(app.decided))
    for appeal in script.appeals.values():
        where = {"agency": appeal.agency, "service": None, "territory": appeal.territory}
        add("appeal", where, appeal, month(appeal.filed))
    for request in script.requests.values():
        where = {"agency": request.agency, "service": None, "territory": request.territory}
        add("request", where, request, month(request.requested))
    for fee in script.fees.values():
        where = {"agency": fee.agency, "service": fee.service, "territory": fee.territory}
        add("paid", where, fee.paid, fee.paid_month)
        add("refunded", where, fee.refunded, fee.refunded_month)

    per_service = "service" in dims or bool(filters.get("service"))
    groups = {}
    for key, facts in buckets.items():
        decisions = facts["decided"]
        days = sorted(d for _, _, d in decisions)
        appeals: list[AppealFact] = facts["appeal"]
        concluded = [a for a in appeals if a.answered is not None or a.overdue]
        on_time = [
            a for a in concluded if a.answered is not None and a.answered <= a.due and not a.overdue
        ]
        ratings = [a.rating for a in appeals if a.rating is not None]
        requests: list[RequestFact] = facts["request"]
        settled = [r for r in requests if r.responded is not None or r.overdue]
        in_time = [r for r in settled if r.responded is not None and r.responded <= r.due]
        submitted = len(facts["submitted"])
        groups[key] = {
            "submitted": submitted,
            "decided": len(decisions),
            "appeals": len(appeals),
            "inter_agency_requests": len(requests),
            "fees_collected": sum(facts["paid"]),
            "fees_refunded": sum(facts["refunded"]),
            "decided_within_term_pct": percent(sum(w for w, _, _ in decisions), len(decisions)),
            "median_processing_working_days": statistics.median(days) if days else None,
            "p90_processing_working_days": (
                (
                    statistics.quantiles(days, n=10, method="inclusive")[8]
                    if len(days) > 1
                    else days[0]
                )
                if days
                else None
            ),
            "rejection_rate_pct": percent(sum(r for _, r, _ in decisions), len(decisions)),
            "appeals_per_1000_applications": (
                1000 * len(appeals) / submitted if submitted and not per_service else None
            ),
            "appeals_answered_on_time_pct": percent(len(on_time), len(concluded)),
            "average_rating": sum(ratings) / len(ratings) if ratings else None,
            "requests_answered_on_time_pct": percent(len(in_time), len(settled)),
        }
    return groups


def percent(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


COUNTS = (
    "submitted",
    "decided",
    "appeals",
    "inter_agency_requests",
    "fees_collected",
    "fees_refunded",
)


def actual(rows: list[KpiRow], dims: list[str]) -> dict[tuple[str | None, ...], dict[str, Any]]:
    found = {}
    for row in rows:
        values: dict[str, Any] = {name: getattr(row, name) for name in COUNTS}
        values.update(row.actuals)
        found[tuple(row.group[d] for d in dims)] = values
    return found


def assert_matches(
    got: dict[tuple[str | None, ...], dict[str, Any]],
    want: dict[tuple[str | None, ...], dict[str, Any]],
) -> None:
    assert set(got) == set(want)
    for key, values in want.items():
        for name, value in values.items():
            if value is None or name in COUNTS:
                assert got[key][name] == value, (key, name, got[key][name], value)
            else:
                assert got[key][name] == pytest.approx(value, abs=0.006), (key, name)
