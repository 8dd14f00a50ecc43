"""Citizens' appeals (murojaat) and the hokimiyats' answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from api.auth import ContextDep, PrincipalDep
from api.dependencies import AppealsDep, CitizenCasesDep
from api.routers.guards import GUARDS, SMALL_BODY, body_limit, document
from api.routers.responses import WRITE_ERRORS
from api.schemas.appeals import (
    AnswerTextIn,
    AppealIn,
    AppealOut,
    AppealPage,
    AppealSummary,
    RatingIn,
    ReasonRequired,
)

router = APIRouter(
    prefix="/v1/appeals", tags=["appeals"], dependencies=GUARDS, route_class=body_limit(SMALL_BODY)
)
AppealKey = Annotated[
    str, Path(max_length=64, description="the appeal's id or number", examples=["MJ-2026-0000001"])
]


@router.post(
    "",
    status_code=201,
    response_model=AppealOut,
    responses=WRITE_ERRORS,
    summary="File an appeal with a hokimiyat",
)
def file_appeal(
    body: AppealIn,
    request: Request,
    appeals: AppealsDep,
    principal: PrincipalDep,
    ctx: ContextDep,
) -> JSONResponse:
    """A citizen files an appeal with the hokimiyat that owns the territory (the region's
    for regional subjects). Its term is the Law on appeals' (ZRU-445, art. 28): a complaint
    or statement within 15 days, a proposal within one month, counted from the day after
    filing; a term ending on a day off ends on the next working day."""
    appeal = appeals.file(
        principal,
        ctx,
        territory=body.territory,
        subject=body.subject,
        text=body.text,
        application=body.application_id,
        language=body.language,
        kind=body.kind,
        idempotency_key=request.headers.get("idempotency-key"),
    )
    return JSONResponse(
        AppealOut.of(appeal).model_dump(mode="json"),
        status_code=201,
        headers={"Location": f"/v1/appeals/{appeal.number}"},
    )


@router.get("", response_model=AppealPage, responses=WRITE_ERRORS, summary="My appeals")
def my_appeals(
    cases: CitizenCasesDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> AppealPage:
    """The citizen's appeals and their status, newest first."""
    page = cases.appeals(principal, cursor=cursor, limit=limit)
    return AppealPage(items=[AppealSummary.of(r) for r in page.items], next=page.next)


@router.get("/{key}", response_model=AppealOut, responses=WRITE_ERRORS, summary="An appeal")
def read_appeal(
    key: AppealKey, appeals: AppealsDep, principal: PrincipalDep, ctx: ContextDep
) -> AppealOut:
    """The appellant, officers of the hokimiyat it was filed with or escalated to, auditors.
    Others get 404. Officers' and auditors' reads are recorded."""
    return AppealOut.of(appeals.view(principal, ctx, key))


@router.post(
    "/{key}/answer",
    response_model=AppealOut,
    responses=WRITE_ERRORS,
    summary="Answer an appeal",
)
def answer_appeal(
    key: AppealKey,
    body: AnswerTextIn,
    appeals: AppealsDep,
    principal: PrincipalDep,
    ctx: ContextDep,
) -> AppealOut:
    """An officer of the handling hokimiyat answers (on time or late, recorded)."""
    return AppealOut.of(appeals.answer(principal, ctx, key, text=body.text))


@router.post(
    "/{key}/extension",
    response_model=AppealOut,
    responses=WRITE_ERRORS,
    summary="Extend an appeal's term for study to one month",
)
def extend_appeal(
    key: AppealKey,
    body: ReasonRequired,
    appeals: AppealsDep,
    principal: PrincipalDep,
    ctx: ContextDep,
) -> AppealOut:
    """Where extra study or a check is needed (ZRU-445, art. 28, part 1): once, with a
    reason, the term becomes one month from filing. A proposal's term is not extended (422);
    a second extension, or one after the head's or an escalation, is refused (409)."""
    return AppealOut.of(appeals.extend(principal, ctx, key, reason=body.reason))


@router.post(
    "/{key}/head-extension",
    response_model=AppealOut,
    responses=WRITE_ERRORS,
    summary="Extend an appeal's term by one more month, by the head's decision",
)
def extend_appeal_by_head(
    key: AppealKey,
    body: ReasonRequired,
    appeals: AppealsDep,
    principal: PrincipalDep,
    ctx: ContextDep,
) -> AppealOut:
    """The head (or deputy) of the handling hokimiyat, exceptionally (ZRU-445, art. 28,
    part 2): once, with a reason the applicant is told, one more month on the term in force.
    Recorded with the officer and their position. Not for proposals (422); a second one, or
    one after an escalation, is refused (409)."""
    return AppealOut.of(appeals.extend_by_head(principal, ctx, key, reason=body.reason))


@router.post(
    "/{key}/dispute",
    response_model=AppealOut,
    responses=WRITE_ERRORS,
    summary="Dispute an appeal's answer",
)
def dispute_appeal(
    key: AppealKey,
    body: ReasonRequired,
    appeals: AppealsDep,
    principal: PrincipalDep,
    ctx: ContextDep,
) -> AppealOut:
    """The appellant disputes the answer: the appeal goes to the regional hokimiyat."""
    return AppealOut.of(appeals.dispute(principal, ctx, key, reason=body.reason))


@router.post(
    "/{key}/rating",
    response_model=AppealOut,
    responses=WRITE_ERRORS,
    summary="Rate an appeal's answer",
)
def rate_appeal(
    key: AppealKey,
    body: RatingIn,
    appeals: AppealsDep,
    principal: PrincipalDep,
    ctx: ContextDep,
) -> AppealOut:
    """The appellant rates the answer, 1 to 5 (once)."""
    return AppealOut.of(appeals.rate(principal, ctx, key, rating=body.rating))


document(router)
