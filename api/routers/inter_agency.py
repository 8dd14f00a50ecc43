"""Inter-agency requests inside a case."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from api.auth import ContextDep, PrincipalDep
from api.dependencies import InterAgencyDep
from api.routers.guards import DOCUMENT_BODY, GUARDS, body_limit, document
from api.routers.responses import WRITE_ERRORS, Key
from api.schemas.appeals import ReasonRequired
from api.schemas.inter_agency import RequestAnswerIn, RequestIn, RequestOut

router = APIRouter(
    prefix="/v1", tags=["officers"], dependencies=GUARDS, route_class=body_limit(DOCUMENT_BODY)
)
RequestKey = Annotated[
    str, Path(max_length=64, description="the request's id or number", examples=["IA-2026-0000001"])
]


@router.post(
    "/applications/{key}/inter-agency-requests",
    status_code=201,
    response_model=RequestOut,
    responses=WRITE_ERRORS,
    summary="Ask another agency for data",
)
def make_request(
    key: Key,
    body: RequestIn,
    http: Request,
    inter_agency: InterAgencyDep,
    principal: PrincipalDep,
    ctx: ContextDep,
) -> JSONResponse:
    """An officer of the agency handling the case asks another agency for specific data,
    with its purpose and legal basis; it is due in `term_working_days` working days."""
    request = inter_agency.request(
        principal,
        ctx,
        key,
        to_agency=body.to_agency,
        requested_data=body.requested_data,
        purpose=body.purpose,
        legal_basis=body.legal_basis,
        term_working_days=body.term_working_days,
        idempotency_key=http.headers.get("idempotency-key"),
    )
    return JSONResponse(
        RequestOut.of(request).model_dump(mode="json"),
        status_code=201,
        headers={"Location": f"/v1/inter-agency-requests/{request.number}"},
    )


@router.get(
    "/inter-agency-requests/{key}",
    response_model=RequestOut,
    responses=WRITE_ERRORS,
    summary="An inter-agency request",
)
def read_request(
    key: RequestKey, inter_agency: InterAgencyDep, principal: PrincipalDep, ctx: ContextDep
) -> RequestOut:
    """Officers of the requesting and receiving agencies (and the receiving agency's parent
    once escalated), auditors. Officers of other agencies get 404. Reads are recorded."""
    return RequestOut.of(inter_agency.view(principal, ctx, key))


@router.post(
    "/inter-agency-requests/{key}/answer",
    response_model=RequestOut,
    responses=WRITE_ERRORS,
    summary="Answer an inter-agency request",
)
def answer_request(
    key: RequestKey,
    body: RequestAnswerIn,
    inter_agency: InterAgencyDep,
    principal: PrincipalDep,
    ctx: ContextDep,
) -> RequestOut:
    """The receiving agency answers with data and/or a document (its sha256 recorded)."""
    request = inter_agency.answer(
        principal,
        ctx,
        key,
        data=body.data,
        document=body.document.upload() if body.document else None,
    )
    return RequestOut.of(request)


@router.post(
    "/inter-agency-requests/{key}/refusal",
    response_model=RequestOut,
    responses=WRITE_ERRORS,
    summary="Refuse an inter-agency request",
)
def refuse_request(
    key: RequestKey,
    body: ReasonRequired,
    inter_agency: InterAgencyDep,
    principal: PrincipalDep,
    ctx: ContextDep,
) -> RequestOut:
    """The receiving agency refuses, stating why."""
    return RequestOut.of(inter_agency.refuse(principal, ctx, key, reason=body.reason))


document(router)
