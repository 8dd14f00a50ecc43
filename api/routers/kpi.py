"""Target indicators (KPIs) per agency, service, territory and month, and the ranking of
agencies by an indicator. JSON (paged, with ETags) or CSV."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from api.auth import PrincipalDep
from api.dependencies import ContainerDep
from api.negotiation import cached_json
from api.problems import Problem
from api.routers.guards import GUARDS, SMALL_BODY, body_limit, document
from api.schemas.kpi import KpiGroupOut, KpiPage, RankedAgencyOut, RankingOut
from application.pagination import InvalidQuery, decode_cursor, encode_cursor
from application.principal import Principal, require_scope
from application.read_models.kpi import DIMENSIONS
from domain.identity import ADMIN, AUDITOR, OFFICER, READ_MODELS_READ
from domain.kpi import INDICATORS, rank

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


def _months(month: str | None, first: str | None, last: str | None) -> tuple[str, str]:
    """One month, or a range of them (both ends included)."""
    if month is not None:
        if first is not None or last is not None:
            raise InvalidQuery("month", "goes alone: give `month`, or `from` and `to`")
        return month, month
    if first is None and last is None:
        raise InvalidQuery("month", "is required (or `from` and `to`)")
    if first is None or last is None:
        raise InvalidQuery("from" if first is None else "to", "is required with the other end")
    if first > last:
        raise InvalidQuery("from", "is after `to`")
    return first, last


def _agency_in_scope(principal: Principal, agency: str | None) -> str | None:
    """Officers read their own agency's indicators only (the filter is forced to it);
    auditors and administrators everything; integrators with `read-models:read`."""
    if principal.role == OFFICER:
        return principal.agency
    require_scope(principal, READ_MODELS_READ, also=(AUDITOR, ADMIN))
    return agency


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
    container: ContainerDep,
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
    agency = _agency_in_scope(principal, agency)
    months = _months(month, from_, to)
    dims = [g.strip() for g in group_by.split(",") if g.strip()]
    filters = {"agency": agency, "service": service, "territory": territory}
    kpi, targets = container.kpi, container.kpi_targets

    def out(row: Any) -> KpiGroupOut:
        return KpiGroupOut.of(
            row,
            targets.for_group(
                agency=row.group.get("agency", agency), service=row.group.get("service", service)
            ),
        )

    if format == "csv":
        rows = kpi.every_group(dims, months=months, filters=filters)
        return _csv(_indicator_table(dims, months, [out(r) for r in rows]), _csv_name(months))
    page = kpi.indicators(dims, months=months, filters=filters, cursor=cursor, limit=limit)
    ordered = [d for d in DIMENSIONS if d in dims]
    body = KpiPage(
        from_=months[0],
        to=months[1],
        group_by=ordered,
        items=[out(r) for r in page.items],
        next=page.next,
    )
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
    container: ContainerDep,
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
    _agency_in_scope(principal, None)
    months = _months(month, from_, to)
    if indicator not in INDICATORS:
        raise InvalidQuery("indicator", f"is one of {', '.join(INDICATORS)}")
    filters: dict[str, str | None] = {"agency": None, "service": service, "territory": territory}
    rows = container.kpi.every_group(["agency"], months=months, filters=filters)
    targets = container.kpi_targets
    ranked = rank(
        indicator,
        {r.group["agency"]: r.actuals[indicator] for r in rows if r.group["agency"] is not None},
        lambda code: targets.for_group(agency=code, service=service)[indicator],
    )
    total = len(ranked)
    if principal.role == OFFICER:  # their own entry, ranked among every agency
        ranked = [r for r in ranked if r.key == principal.agency]
    entries = [RankedAgencyOut.of(r) for r in ranked]
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
    key = decode_cursor(cursor, expect=("after",))
    start = key["after"] if key is not None else 0
    if not isinstance(start, int) or start < 0:
        raise InvalidQuery("cursor", "is not a cursor this endpoint returned")
    window = entries[start : start + limit]
    following = start + limit
    body = RankingOut(
        indicator=indicator,
        comparison=INDICATORS[indicator],
        from_=months[0],
        to=months[1],
        total=total,
        items=window,
        next=encode_cursor({"after": following}) if following < len(entries) else None,
    )
    return cached_json(request, body.model_dump(mode="json", by_alias=True))


document(router)
