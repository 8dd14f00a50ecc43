"""Administrators: the staff directory (who is officer of which agency, auditor, admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from api.auth import ContextDep, PrincipalDep
from api.dependencies import StaffDep
from api.routers.guards import GUARDS, SMALL_BODY, body_limit, document
from api.routers.responses import WRITE_ERRORS
from api.schemas.staff import AppointmentIn, RevocationIn, StaffMemberOut, StaffPage
from application.pagination import InvalidQuery, decode_cursor, encode_cursor

router = APIRouter(
    prefix="/v1/staff",
    tags=["administration"],
    dependencies=GUARDS,
    route_class=body_limit(SMALL_BODY),
)
Subject = Annotated[
    str, Path(max_length=200, description="the identity provider's subject of the member")
]


@router.post(
    "",
    status_code=201,
    response_model=StaffMemberOut,
    responses={200: {"description": "Already so appointed: nothing changed"}, **WRITE_ERRORS},
    summary="Appoint a staff member (admin)",
)
def appoint(
    body: AppointmentIn,
    staff: StaffDep,
    principal: PrincipalDep,
    ctx: ContextDep,
    response: Response,
) -> StaffMemberOut:
    """Appoint the person the identity provider knows by `subject`: an officer of an
    agency (with their position), an auditor, or an administrator. Appointing someone
    already appointed changes their appointment; the same appointment again changes nothing
    (200). With an identity provider configured, this is where a caller's role comes from."""
    appointment = staff.appoint(
        principal,
        ctx,
        subject=body.subject,
        role=body.role,
        agency=body.agency,
        position=body.position,
        name=body.name,
    )
    if not appointment.changed:
        response.status_code = 200
    return StaffMemberOut.of(appointment.member)


@router.get("", response_model=StaffPage, responses=WRITE_ERRORS, summary="The staff directory")
def members(
    staff: StaffDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> StaffPage:
    """Every staff member, appointed or revoked, in the order they were first appointed."""
    key = decode_cursor(cursor, expect=("after",))
    after = key["after"] if key else 0
    if not isinstance(after, int) or isinstance(after, bool) or after < 0:
        raise InvalidQuery("cursor", "is not a cursor this endpoint returned")
    found = staff.members(principal, after=after, limit=limit + 1)
    page = found[:limit]
    return StaffPage(
        items=[StaffMemberOut.of(listed.member) for listed in page],
        next=encode_cursor({"after": page[-1].position}) if len(found) > limit else None,
    )


@router.get(
    "/{subject}", response_model=StaffMemberOut, responses=WRITE_ERRORS, summary="A staff member"
)
def member(subject: Subject, staff: StaffDep, principal: PrincipalDep) -> StaffMemberOut:
    return StaffMemberOut.of(staff.member(principal, subject))


@router.post(
    "/{subject}/revocation",
    response_model=StaffMemberOut,
    responses=WRITE_ERRORS,
    summary="Revoke an appointment (admin)",
)
def revoke(
    subject: Subject,
    body: RevocationIn,
    staff: StaffDep,
    principal: PrincipalDep,
    ctx: ContextDep,
) -> StaffMemberOut:
    """From the next request the member is no longer staff (a PINFL subject is then a
    citizen). Revoking a revoked appointment is a 409; the last administrator cannot be
    revoked."""
    return StaffMemberOut.of(staff.revoke(principal, ctx, subject, reason=body.reason))


document(router)
