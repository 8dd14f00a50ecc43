"""Citizens' applications and officers' actions on them."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from api.auth import ContextDep, PrincipalDep
from api.dependencies import (
    CitizenCasesDep,
    DecisionsDep,
    DetailsDep,
    HandlingDep,
    SubmissionsDep,
)
from api.rate_limits import SUBMISSION_LIMIT
from api.routers.guards import GUARDS, SUBMISSION_BODY, body_limit, document
from api.routers.responses import RATE_LIMITED, WRITE_ERRORS, Key
from api.schemas.applications import (
    ApplicationOut,
    ApplicationPage,
    ApplicationSummary,
    DecisionCreated,
    DecisionIn,
    InformationIn,
    MessageIn,
    ReasonIn,
    SubmissionIn,
)
from api.schemas.vocabularies import ApplicationStatus
from application.principal import Principal
from application.queries.application_detail import CaseDetail

router = APIRouter(
    prefix="/v1",
    tags=["applications"],
    dependencies=GUARDS,
    route_class=body_limit(SUBMISSION_BODY),
)


def _out(detail: CaseDetail, viewer: Principal) -> ApplicationOut:
    return ApplicationOut.of(detail.application, viewer, detail.decision, detail.payment)


@router.post(
    "/applications",
    status_code=201,
    response_model=ApplicationOut,
    responses={**WRITE_ERRORS, **RATE_LIMITED},
    summary="Submit an application",
    dependencies=[SUBMISSION_LIMIT],
)
def submit(
    request: Request,
    body: SubmissionIn,
    submissions: SubmissionsDep,
    details: DetailsDep,
    principal: PrincipalDep,
    ctx: ContextDep,
) -> JSONResponse:
    """A citizen applies for a two-way (form 3) or transactional (form 4) service. The form
    is validated against the service's current version, which the application pins; it is
    routed to the responsible agency for `territory` and its legal term starts (after
    payment, for paid services). Rate-limited per address and per citizen
    (`YAGONA_RATE_LIMIT_SUBMISSION_*`)."""
    application = submissions.submit(
        principal,
        ctx,
        service_code=body.service_code,
        territory=body.territory,
        form=body.form,
        attachments=[a.upload() for a in body.attachments],
        language=body.language,
        idempotency_key=request.headers.get("idempotency-key"),
        exemption=body.exemption,
    )
    out = _out(details.of(application), principal)
    return JSONResponse(
        out.model_dump(mode="json"),
        status_code=201,
        headers={"Location": f"/v1/applications/{application.id}"},
    )


@router.get(
    "/applications",
    response_model=ApplicationPage,
    responses=WRITE_ERRORS,
    summary="The citizen's applications",
)
def list_applications(
    cases: CitizenCasesDep,
    principal: PrincipalDep,
    status: Annotated[ApplicationStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> ApplicationPage:
    """The caller's own applications, newest first. Officers use `GET /v1/queue`."""
    page = cases.applications(principal, status=status, cursor=cursor, limit=limit)
    return ApplicationPage(items=[ApplicationSummary.of(r) for r in page.items], next=page.next)


@router.get(
    "/applications/{key}",
    response_model=ApplicationOut,
    responses=WRITE_ERRORS,
    summary="One application",
)
def get_application(
    key: Key,
    details: DetailsDep,
    principal: PrincipalDep,
    ctx: ContextDep,
    purpose: Annotated[
        str, Query(max_length=200, description="why an officer or auditor reads it")
    ] = "case handling",
) -> ApplicationOut:
    """By id or tracking number. Another citizen's application answers 404; an officer of
    another agency 403. Reads by officers and auditors are recorded."""
    return _out(details.read(principal, ctx, key, purpose=purpose), principal)


@router.post(
    "/applications/{key}/information",
    response_model=ApplicationOut,
    responses=WRITE_ERRORS,
    summary="Provide requested information",
)
def provide_information(
    key: Key,
    body: InformationIn,
    submissions: SubmissionsDep,
    details: DetailsDep,
    principal: PrincipalDep,
    ctx: ContextDep,
) -> ApplicationOut:
    """The applicant answers an information request (and may correct form fields); the
    legal term resumes."""
    application = submissions.provide_information(
        principal, ctx, key, message=body.message, form=body.form
    )
    return _out(details.of(application), principal)


@router.post(
    "/applications/{key}/withdrawal",
    response_model=ApplicationOut,
    responses=WRITE_ERRORS,
    summary="Withdraw an application",
)
def withdraw(
    key: Key,
    submissions: SubmissionsDep,
    details: DetailsDep,
    principal: PrincipalDep,
    ctx: ContextDep,
    body: ReasonIn | None = None,
) -> ApplicationOut:
    """The applicant withdraws before a decision."""
    reason = body.reason if body else ReasonIn().reason
    application = submissions.withdraw(principal, ctx, key, reason=reason)
    return _out(details.of(application), principal)


@router.post(
    "/applications/{key}/acceptance",
    response_model=ApplicationOut,
    responses=WRITE_ERRORS,
    summary="Accept (take) an application",
)
def accept(
    key: Key, handling: HandlingDep, details: DetailsDep, principal: PrincipalDep, ctx: ContextDep
) -> ApplicationOut:
    """An officer of the handling agency takes the case; other officers cannot act on it
    until it is released."""
    return _out(details.of(handling.accept(principal, ctx, key)), principal)


@router.post(
    "/applications/{key}/release",
    response_model=ApplicationOut,
    responses=WRITE_ERRORS,
    summary="Release an accepted application",
)
def release(
    key: Key, handling: HandlingDep, details: DetailsDep, principal: PrincipalDep, ctx: ContextDep
) -> ApplicationOut:
    return _out(details.of(handling.release(principal, ctx, key)), principal)


@router.post(
    "/applications/{key}/information-requests",
    response_model=ApplicationOut,
    responses=WRITE_ERRORS,
    summary="Request information from the applicant",
)
def request_information(
    key: Key,
    body: MessageIn,
    handling: HandlingDep,
    details: DetailsDep,
    principal: PrincipalDep,
    ctx: ContextDep,
) -> ApplicationOut:
    """The legal term pauses until the applicant provides the information."""
    application = handling.request_information(principal, ctx, key, message=body.message)
    return _out(details.of(application), principal)


@router.post(
    "/applications/{key}/decision",
    status_code=201,
    response_model=DecisionCreated,
    responses=WRITE_ERRORS,
    summary="Decide an application",
)
def decide(
    key: Key,
    body: DecisionIn,
    decisions: DecisionsDep,
    details: DetailsDep,
    principal: PrincipalDep,
    ctx: ContextDep,
) -> DecisionCreated:
    """Approve or reject with reasons and legal basis. The result document (PDF and HTML,
    in the applicant's language) is rendered, hashed and issued with a registration number
    and a verification code."""
    decision = decisions.decide(
        principal,
        ctx,
        key,
        outcome=body.outcome,
        reasons=body.reasons,
        legal_basis=body.legal_basis,
    )
    detail = details.read(principal, ctx, str(decision.application_id), purpose="decision")
    return DecisionCreated(
        decision_id=decision.id,
        registration_number=decision.registration_number,
        outcome=decision.outcome,
        verification_code=decision.verification_code,
        documents=decision.documents,
        application=_out(detail, principal),
    )


@router.post(
    "/applications/{key}/closure",
    response_model=ApplicationOut,
    responses=WRITE_ERRORS,
    summary="Close a finished application",
)
def close(
    key: Key,
    handling: HandlingDep,
    details: DetailsDep,
    principal: PrincipalDep,
    ctx: ContextDep,
    body: ReasonIn | None = None,
) -> ApplicationOut:
    reason = body.reason if body else "result delivered"
    application = handling.close_case(principal, ctx, key, reason=reason)
    return _out(details.of(application), principal)


@router.get(
    "/applications/{key}/result",
    responses={
        **WRITE_ERRORS,
        200: {
            "content": {"application/pdf": {}, "text/html": {}},
            "description": "The result document",
        },
    },
    response_class=Response,
    summary="Download the result document",
)
def result(
    key: Key,
    decisions: DecisionsDep,
    principal: PrincipalDep,
    ctx: ContextDep,
    format: Annotated[Literal["pdf", "html"], Query()] = "pdf",
) -> Response:
    """The decision's result document, byte for byte as its sha256 was recorded."""
    document = decisions.result(principal, ctx, key, file_format=format)
    return Response(
        document.content,
        media_type=document.content_type,
        headers={"Content-Disposition": f'attachment; filename="{document.filename}"'},
    )


document(router)
