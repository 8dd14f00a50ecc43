"""The indicators' query over the KPI fact tables (``projections.kpi``): every fact of a
period as one row, counted per group, and the indicators' actual values from the counts."""

from __future__ import annotations

import re
from typing import Any

from psycopg.sql import SQL, Composable, Composed

from domain.kpi import INDICATORS
from projections.pagination import GroupedKeyset, InvalidQuery, decode_cursor
from projections.tracked_view import TrackedView

MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def indicators_query(
    view: TrackedView,
    dims: list[str],
    months: tuple[str, str],
    filters: dict[str, str | None],
    cursor: str | None,
    limit: int,
) -> tuple[Composed, dict[str, Any]]:
    """The query of one page of groups (``limit`` + 1 rows, to tell whether more follow)
    and its parameters."""
    first, last = _months(months)
    key = decode_cursor(cursor, expect=("after",))
    params: dict[str, Any] = {"first": first, "last": last, "limit": limit + 1}
    conditions: list[Composable] = [SQL("TRUE")]
    for name in ("agency", "service"):
        if filters.get(name) is not None:
            conditions.append(SQL(f"{name} = %({name})s"))
            params[name] = filters[name]
    if filters.get("territory") is not None:
        conditions.append(SQL("territory LIKE %(territory)s"))
        params["territory"] = f"{filters['territory']}%"
    selected: Composable = SQL("")
    tail: Composable = SQL("")
    if dims:
        keyset = GroupedKeyset.of({d: d for d in dims}, key, params)
        selected = keyset.selected + SQL(", ")
        tail = SQL("GROUP BY {ordered} {having} ORDER BY {ordered} LIMIT %(limit)s").format(
            ordered=keyset.ordered, having=keyset.having
        )
    elif key is not None:
        raise InvalidQuery("cursor", "is not a cursor of this grouping")
    facts = SQL(_FACTS).format(
        applications=view.table("kpi_applications"),
        appeals=view.table("kpi_appeals"),
        requests=view.table("kpi_requests"),
        payments=view.table("kpi_payments"),
    )
    query = SQL(_QUERY).format(
        facts=facts, selected=selected, where=SQL(" AND ").join(conditions), tail=tail
    )
    return query, params


def indicator_actuals(
    row: dict[str, Any], dims: list[str], filters: dict[str, str | None]
) -> dict[str, float | None]:
    """Each indicator's actual value for a group's counts (None: nothing to measure)."""
    submitted, decided = int(row["submitted"]), int(row["decided"])
    appeals, ratings = int(row["appeals"]), int(row["ratings"])
    # Appeals have no service: per service (or for one service) they are not comparable
    # with the applications, so their rate is left out.
    per_service = "service" in dims or filters.get("service") is not None
    actuals: dict[str, float | None] = {
        "decided_within_term_pct": _pct(int(row["decided_within_term"]), decided),
        "median_processing_working_days": _round(row["median_days"]),
        "p90_processing_working_days": _round(row["p90_days"]),
        "rejection_rate_pct": _pct(int(row["rejected"]), decided),
        "appeals_per_1000_applications": (
            round(1000 * appeals / submitted, 2) if submitted and not per_service else None
        ),
        "appeals_answered_on_time_pct": _pct(
            int(row["appeals_on_time"]), int(row["appeals_concluded"])
        ),
        "average_rating": round(int(row["rating_sum"]) / ratings, 2) if ratings else None,
        "requests_answered_on_time_pct": _pct(
            int(row["requests_on_time"]), int(row["requests_concluded"])
        ),
    }
    assert set(actuals) == set(INDICATORS)
    return actuals


def dimensions(group_by: list[str], allowed: tuple[str, ...]) -> list[str]:
    """``group_by`` in the canonical order of ``allowed``; refused with an unknown or a
    repeated dimension."""
    unknown = [g for g in group_by if g not in allowed]
    if unknown or len(set(group_by)) != len(group_by):
        raise InvalidQuery("group_by", f"give distinct dimensions among {', '.join(allowed)}")
    return [d for d in allowed if d in group_by]  # one canonical order


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


def _months(months: tuple[str, str]) -> tuple[str, str]:
    first, last = months
    for name, value in (("from", first), ("to", last)):
        if not MONTH.fullmatch(value):
            raise InvalidQuery(name, "is a month, YYYY-MM")
    if first > last:
        raise InvalidQuery("from", "is after `to`")
    return first, last


# Every fact of the period as one row: its kind, its group's dimensions, a flag and a value.
#   submitted: an application submitted in the period
#   decided:   a decision of the period; flag = within term, rejected, value = working days
#   appeal:    an appeal filed in the period; flag = answered on time (NULL while neither
#              answered nor overdue), value = its rating
#   request:   a request made in the period; flag = answered or refused on time (NULL while
#              neither answered, refused nor overdue)
#   paid, refunded: money taken or given back in the period; value = the amount
_FACTS = """
    SELECT 'submitted' AS kind, agency_code AS agency, service_code AS service, territory,
           NULL::boolean AS flag, NULL::boolean AS rejected, NULL::bigint AS value
      FROM {applications} WHERE submitted_month BETWEEN %(first)s AND %(last)s
    UNION ALL
    SELECT 'decided', agency_code, service_code, territory, within_term,
           outcome = 'rejected', working_days_taken
      FROM {applications} WHERE decided_month BETWEEN %(first)s AND %(last)s
    UNION ALL
    SELECT 'appeal', agency_code, NULL, territory,
           CASE WHEN answered_on IS NOT NULL OR overdue
                THEN coalesce(answered_on_time, false) AND NOT overdue END,
           NULL, rating
      FROM {appeals} WHERE filed_month BETWEEN %(first)s AND %(last)s
    UNION ALL
    SELECT 'request', agency_code, NULL, territory,
           CASE WHEN responded_on IS NOT NULL OR overdue
                THEN coalesce(responded_on_time, false) END,
           NULL, NULL
      FROM {requests} WHERE requested_month BETWEEN %(first)s AND %(last)s
    UNION ALL
    SELECT 'paid', p.agency_code, p.service_code, a.territory, NULL, NULL, p.paid_amount
      FROM {payments} p LEFT JOIN {applications} a USING (application_id)
     WHERE p.paid_month BETWEEN %(first)s AND %(last)s
    UNION ALL
    SELECT 'refunded', p.agency_code, p.service_code, a.territory, NULL, NULL,
           p.refunded_amount
      FROM {payments} p LEFT JOIN {applications} a USING (application_id)
     WHERE p.refunded_month BETWEEN %(first)s AND %(last)s
"""
_QUERY = """
    WITH facts AS ({facts})
    SELECT {selected}
        count(*) FILTER (WHERE kind = 'submitted') AS submitted,
        count(*) FILTER (WHERE kind = 'decided') AS decided,
        count(*) FILTER (WHERE kind = 'decided' AND flag) AS decided_within_term,
        count(*) FILTER (WHERE kind = 'decided' AND rejected) AS rejected,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY value)
            FILTER (WHERE kind = 'decided') AS median_days,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY value)
            FILTER (WHERE kind = 'decided') AS p90_days,
        count(*) FILTER (WHERE kind = 'appeal') AS appeals,
        count(flag) FILTER (WHERE kind = 'appeal') AS appeals_concluded,
        count(*) FILTER (WHERE kind = 'appeal' AND flag) AS appeals_on_time,
        count(value) FILTER (WHERE kind = 'appeal') AS ratings,
        coalesce(sum(value) FILTER (WHERE kind = 'appeal'), 0) AS rating_sum,
        count(*) FILTER (WHERE kind = 'request') AS requests,
        count(flag) FILTER (WHERE kind = 'request') AS requests_concluded,
        count(*) FILTER (WHERE kind = 'request' AND flag) AS requests_on_time,
        coalesce(sum(value) FILTER (WHERE kind = 'paid'), 0) AS fees_collected,
        coalesce(sum(value) FILTER (WHERE kind = 'refunded'), 0) AS fees_refunded
    FROM facts WHERE {where} {tail}
"""
