"""Target indicators (KPIs) per agency, service, territory and month, and the ranking of
agencies by an indicator. JSON (paged, with ETags) or CSV."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from api.auth import PrincipalDep
from api.dependencies import IndicatorsDep
from api.negotiation import cached_json
from api.problems import Problem
from api.routers.guards import GUARDS, SMALL_BODY, body_limit, document
from api.schemas.kpi import KpiGroupOut, KpiPage, RankedAgencyOut, RankingOut
from application.read_models.kpi import DIMENSIONS
from domain.kpi import INDICATORS

router = APIRouter(
    prefix="/v1/kpi", tags=["kpi"], dependencies=GUARDS, route_class=body_limit(SMALL_BODY)
)
_PROBLEM: dict[str, Any] = {"application/problem+json": {}}
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {}, "text/csv": {}}},
    304: {"description": "Not modified (`If-None-Match` matched the `ETag`; JSON only)"},
    **{
        status: {"model": Problem, "description": text, "content": _PROBLEM}
        for status, text in (
            (401, "No valid bearer token or API key"),
            (403, "The caller's role (or the integrator's scopes) may not read KPIs"),
            (422, "Invalid parameters"),
        )
    },
}
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
Month = Annotated[
    str | None, Query(pattern=MONTH_PATTERN, description="a month in Uzbekistan, YYYY-MM")
]
From = Annotated[
    str | None, Query(alias="from", pattern=MONTH_PATTERN, description="first month, YYYY-MM")
]
To = Annotated[str | None, Query(pattern=MONTH_PATTERN, description="last month, YYYY-MM")]
Code = Annotated[str | None, Query(max_length=64)]
Territory = Annotated[
    str | None, Query(pattern=r"^\d{2,7}$", description="SOATO code; its sub-territories too")
]
Format = Annotated[Literal["json", "csv"], Query(description="csv: every group, no paging")]
Cursor = Annotated[str | None, Query(max_length=1024, description="`next` of the previous page")]
Limit = Annotated[int, Query(ge=1, le=1000)]


def _csv(rows: list[list[Any]], filename: str) -> Response:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _period_name(months: tuple[str, str]) -> str:
    return months[0] if months[0] == months[1] else f"{months[0]}_{months[1]}"


@router.get(
    "",
    response_model=KpiPage,
    responses=RESPONSES,
    summary="Target indicators per agency, service, territory",
)
def indicators(
    request: Request,
    kpi: IndicatorsDep,
    principal: PrincipalDep,
    group_by: Annotated[
        str,
        Query(
            max_length=100,
            description=f"comma-separated, any of: {', '.join(DIMENSIONS)} (empty: totals)",
            examples=["agency,service"],
        ),
    ] = "agency",
    month: Month = None,
    from_: From = None,
    to: To = None,
    agency: Code = None,
    service: Code = None,
    territory: Territory = None,
    format: Format = "json",
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Response:
    """Per group, for a month or a range of months (Uzbekistan's): applications submitted,
    decisions, appeals, inter-agency requests, fees collected and refunded, and each target
    indicator with its actual value, target, comparison and status (`met`, `missed`,
    `no_data`). Applications count in their submission month, decisions in their decision
    month, appeals in their filing month under the agency filed with, requests in their
    month under the receiving agency, fees in the month paid or refunded. Appeals and
    requests have no service (service null). Officers see their own agency only."""
    result = kpi.indicators(
        principal,
        [g.strip() for g in group_by.split(",") if g.strip()],
        month=month,
        first=from_,
        last=to,
        agency=agency,
        service=service,
        territory=territory,
        cursor=cursor,
        limit=None if format == "csv" else limit,
    )
    months, ordered = result.months, result.group_by
    items = [KpiGroupOut.of(g.row, g.targets) for g in result.groups]
    if format == "csv":
        return _csv(_indicator_table(ordered, months, items), _csv_name(months))
    body = KpiPage(from_=months[0], to=months[1], group_by=ordered, items=items, next=result.next)
    payload = body.model_dump(mode="json", by_alias=True)
    for item in payload["items"]:  # only the dimensions grouped by
        for dim in DIMENSIONS:
            if dim not in ordered:
                item.pop(dim)
    return cached_json(request, payload)


def _csv_name(months: tuple[str, str]) -> str:
    return f"kpi-{_period_name(months)}.csv"


def _indicator_table(
    dims: list[str], months: tuple[str, str], items: list[KpiGroupOut]
) -> list[list[Any]]:
    ordered = [d for d in DIMENSIONS if d in dims]
    counts = (
        "submitted",
        "decided",
        "appeals",
        "inter_agency_requests",
        "fees_collected",
        "fees_refunded",
    )
    header: list[Any] = ["from", "to", *ordered, *counts]
    for name in INDICATORS:
        header += [name, f"{name}_target", f"{name}_comparison", f"{name}_status"]
    table = [header]
    for item in items:
        line: list[Any] = [months[0], months[1]]
        line += [getattr(item, d) or "" for d in ordered]
        line += [getattr(item, c) for c in counts]
        for name in INDICATORS:
            indicator = getattr(item.indicators, name)
            actual = "" if indicator.actual is None else indicator.actual
            line += [actual, indicator.target, indicator.comparison, indicator.status]
        table.append(line)
    return table


@router.get(
    "/ranking",
    response_model=RankingOut,
    responses=RESPONSES,
    summary="Agencies ranked by an indicator",
)
def ranking(
    request: Request,
    kpi: IndicatorsDep,
    principal: PrincipalDep,
    indicator: Annotated[
        str, Query(max_length=64, description=f"one of: {', '.join(INDICATORS)}")
    ] = "decided_within_term_pct",
    month: Month = None,
    from_: From = None,
    to: To = None,
    service: Code = None,
    territory: Territory = None,
    format: Format = "json",
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Response:
    """Every agency with any fact in the period, best first by `indicator` (highest first
    for a `>=` indicator, lowest first for a `<=` one; equal values share a rank; agencies
    without data last), each with its target and status. Officers see their own agency's
    entry only, with its rank among all."""
    result = kpi.ranking(
        principal,
        indicator,
        month=month,
        first=from_,
        last=to,
        service=service,
        territory=territory,
        cursor=cursor,
        limit=None if format == "csv" else limit,
    )
    months = result.months
    entries = [RankedAgencyOut.of(r) for r in result.entries]
    if format == "csv":
        table: list[list[Any]] = [
            [
                "from",
                "to",
                "indicator",
                "rank",
                "agency",
                "actual",
                "target",
                "comparison",
                "status",
            ]
        ]
        for e in entries:
            actual = "" if e.actual is None else e.actual
            rank_text = "" if e.rank is None else e.rank
            table.append(
                [*months, indicator, rank_text, e.agency, actual, e.target, e.comparison, e.status]
            )
        return _csv(table, f"kpi-ranking-{indicator}-{_period_name(months)}.csv")
    body = RankingOut(
        indicator=indicator,
        comparison=result.comparison,
        from_=months[0],
        to=months[1],
        total=result.total,
        items=entries,
        next=result.next,
    )
    return cached_json(request, body.model_dump(mode="json", by_alias=True))


document(router)
