"""Integrators: read models to page through (summaries, the payments ledger), with ETags."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from api.auth import PrincipalDep
from api.dependencies import CitizenCasesDep, PaymentRecordsDep
from api.negotiation import cached_json
from api.routers.guards import GUARDS, SMALL_BODY, body_limit, document
from api.routers.responses import WRITE_ERRORS
from api.schemas.dates import IsoDay
from api.schemas.read_models import LedgerPage, LedgerRow, SummaryPage, SummaryRow
from api.schemas.vocabularies import PaymentStatus
from application.read_models.cases import SUMMARY_GROUPS

router = APIRouter(
    prefix="/v1/read-models",
    tags=["integrators"],
    dependencies=GUARDS,
    route_class=body_limit(SMALL_BODY),
)
Cursor = Annotated[str | None, Query(max_length=1024, description="`next` of the previous page")]
Code = Annotated[str | None, Query(max_length=64)]
Limit = Annotated[int, Query(ge=1, le=1000)]
ETAG: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified (`If-None-Match` matched the `ETag`)"}
}


@router.get(
    "/applications-summary",
    response_model=SummaryPage,
    responses={**WRITE_ERRORS, **ETAG},
    summary="Applications counted by agency, service, status, territory, month",
)
def applications_summary(
    request: Request,
    cases: CitizenCasesDep,
    principal: PrincipalDep,
    group_by: Annotated[
        str,
        Query(
            max_length=100,
            description=f"comma-separated, of: {', '.join(SUMMARY_GROUPS)}",
            examples=["agency,status"],
        ),
    ] = "agency,status",
    agency: Code = None,
    service: Code = None,
    status: Code = None,
    territory: Annotated[
        str | None, Query(pattern=r"^\d{2,7}$", description="SOATO code; its sub-territories too")
    ] = None,
    from_: Annotated[
        IsoDay | None, Query(alias="from", description="submitted on or after")
    ] = None,
    to: Annotated[IsoDay | None, Query(description="submitted on or before (Uzbek days)")] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Response:
    """Counts and fees assessed per group (`read-models:read`; auditors and administrators
    too). Groups come in key order; follow `next`."""
    page = cases.summary(
        principal,
        [g.strip() for g in group_by.split(",") if g.strip()],
        filters={"agency": agency, "service": service, "status": status, "territory": territory},
        submitted_from=from_,
        submitted_to=to,
        cursor=cursor,
        limit=limit,
    )
    body = SummaryPage(items=[SummaryRow.of(r) for r in page.items], next=page.next)
    return cached_json(request, body.model_dump(mode="json"))


@router.get(
    "/payments",
    response_model=LedgerPage,
    responses={**WRITE_ERRORS, **ETAG},
    summary="The payments ledger",
)
def payments_ledger(
    request: Request,
    records: PaymentRecordsDep,
    principal: PrincipalDep,
    agency: Code = None,
    service: Code = None,
    status: Annotated[PaymentStatus | None, Query()] = None,
    from_: Annotated[
        IsoDay | None, Query(alias="from", description="requested on or after")
    ] = None,
    to: Annotated[IsoDay | None, Query(description="requested on or before (Uzbek days)")] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Response:
    """Every payment with its amounts and state, oldest request first (`read-models:read`;
    auditors and administrators too). No personal data."""
    page = records.entries(
        principal,
        filters={"agency": agency, "service": service, "status": status},
        requested_from=from_,
        requested_to=to,
        cursor=cursor,
        limit=limit,
    )
    body = LedgerPage(items=[LedgerRow.of(e) for e in page.items], next=page.next)
    return cached_json(request, body.model_dump(mode="json"))


document(router)
