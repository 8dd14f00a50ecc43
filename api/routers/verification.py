"""Public verification of result documents, and the decisions register."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from api.auth import PrincipalDep
from api.dependencies import RegisterDep, VerificationDep
from api.negotiation import LangParam, cached_json, negotiate_language
from api.problems import Problem
from api.rate_limits import VERIFICATION_LIMIT
from api.routers.guards import GUARDS, SMALL_BODY, body_limit, document
from api.routers.responses import RATE_LIMITED, WRITE_ERRORS
from api.schemas.applications import DecisionEntryOut, DecisionPage, DecisionVerificationOut
from api.schemas.vocabularies import Outcome
from domain.context import CommandContext

router = APIRouter(
    prefix="/v1", tags=["verification"], dependencies=GUARDS, route_class=body_limit(SMALL_BODY)
)


@router.get(
    "/verify/{registration_number}",
    response_model=DecisionVerificationOut,
    responses={
        404: {"model": Problem, "content": {"application/problem+json": {}}},
        **RATE_LIMITED,
    },
    summary="Verify a result document",
    dependencies=[VERIFICATION_LIMIT],
)
def verify(
    request: Request,
    verification: VerificationDep,
    registration_number: Annotated[str, Path(max_length=100)],
    code: Annotated[str, Query(min_length=4, max_length=64, description="the document's code")],
    lang: LangParam = None,
) -> DecisionVerificationOut:
    """Anyone holding the document confirms it: service, agency, date, outcome and the
    document hashes; nothing about the applicant. A wrong code answers like an unknown
    number. Every verification is recorded. Rate-limited per address and per registration
    number (`YAGONA_RATE_LIMIT_VERIFICATION_*`)."""
    language = negotiate_language(request, lang)
    ctx = CommandContext(
        actor="public",
        role="public",
        correlation_id=str(request.scope.get("state", {}).get("request_id", "")),
    )
    document = verification.verify(ctx, registration_number, code, language)
    return DecisionVerificationOut(**asdict(document))


@router.get(
    "/decisions",
    response_model=DecisionPage,
    responses=WRITE_ERRORS,
    summary="The decisions register",
)
def decisions(
    request: Request,
    register: RegisterDep,
    principal: PrincipalDep,
    agency: Annotated[str | None, Query(max_length=64)] = None,
    service: Annotated[str | None, Query(max_length=64)] = None,
    outcome: Outcome | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> Response:
    """Registered decisions, newest first (no personal data), with an ETag. Officers see
    their agency's; integrators need `read-models:read`."""
    page = register.entries(
        principal, agency=agency, service=service, outcome=outcome, cursor=cursor, limit=limit
    )
    body = DecisionPage(items=[DecisionEntryOut.of(e) for e in page.items], next=page.next)
    return cached_json(request, body.model_dump(mode="json"))


document(router)
