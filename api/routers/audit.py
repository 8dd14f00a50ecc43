"""Auditors: case histories, time travel, verification, exports, who did what."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from api.auth import ContextDep, PrincipalDep
from api.dependencies import AuditDep, ExportsDep
from api.routers.guards import GUARDS, SMALL_BODY, body_limit, document
from api.routers.responses import WRITE_ERRORS, Key
from api.schemas.audit import (
    AccessOut,
    AccessPage,
    ActionOut,
    ActorActions,
    ChainVerificationOut,
    ExportKeyOut,
    FindingOut,
    HistoryItem,
    HistoryPage,
    StateOut,
)
from api.schemas.dates import IsoInstant
from application.pagination import InvalidQuery, decode_cursor, encode_cursor

router = APIRouter(
    prefix="/v1", tags=["audit"], dependencies=GUARDS, route_class=body_limit(SMALL_BODY)
)
Cursor = Annotated[str | None, Query(max_length=512)]


def _cursor_number(cursor: str | None, name: str) -> int:
    """The non-negative number a cursor of this endpoint carries (0 for the first page)."""
    key = decode_cursor(cursor, expect=(name,))
    if key is None:
        return 0
    value = key[name]
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidQuery("cursor", "is not a cursor this endpoint returned")
    return value


@router.get(
    "/audit/applications/{key}/history",
    response_model=HistoryPage,
    responses=WRITE_ERRORS,
    summary="A case's full history",
)
def history(
    key: Key,
    audit: AuditDep,
    principal: PrincipalDep,
    ctx: ContextDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Cursor = None,
) -> HistoryPage:
    """Every event of the application, its decision and its payments: position, aggregate,
    version, type, time, actor, role, correlation id and the decrypted payload. Auditors
    only; each read is recorded.

    Order: a total order consistent with commit order within each stream. The events of one
    stream (`Cases`, `Payments`) come in their position order, which is the order they were
    committed; the streams are merged by event time while each keeps its position order, so
    an event stamped earlier but committed later stays after the one it followed; equal
    times go to the stream named first. Pages are stable: the cursor is an offset into that
    order, which only grows at the end."""
    offset = _cursor_number(cursor, "offset")
    page = audit.history(principal, ctx, key, offset=offset, limit=limit)
    return HistoryPage(
        items=[HistoryItem.of(e) for e in page.items],
        next=encode_cursor({"offset": page.next}) if page.next is not None else None,
    )


@router.get(
    "/audit/applications/{key}/state",
    response_model=StateOut,
    responses=WRITE_ERRORS,
    summary="A case as it was",
)
def state(
    key: Key,
    audit: AuditDep,
    principal: PrincipalDep,
    ctx: ContextDep,
    version: Annotated[int | None, Query(ge=1)] = None,
    at: Annotated[IsoInstant | None, Query(description="an instant (ISO 8601, with zone)")] = None,
    compare: Annotated[int | None, Query(ge=1, description="diff against this version")] = None,
) -> StateOut:
    """The application at `version`, or at the instant `at` (its last version recorded at
    or before it); the current state without either. `compare=M` adds what changed."""
    result = audit.state(principal, ctx, key, version=version, at=at, compare=compare)
    return StateOut(
        version=result.version,
        recorded_at=result.recorded_at,
        state=result.state,
        compared_with=result.compared_with,
        changes=result.changes,
    )


@router.get(
    "/audit/applications/{key}/verification",
    response_model=ChainVerificationOut,
    responses=WRITE_ERRORS,
    summary="Prove a case untouched",
)
def verification(
    key: Key, audit: AuditDep, principal: PrincipalDep, ctx: ContextDep
) -> ChainVerificationOut:
    """Recomputes the hash chains of the case's events from the store and compares them
    with the recorded links and the sealed heads: intact, or the first broken link."""
    report = audit.verify(principal, ctx, key)
    findings = [FindingOut(**f.to_dict()) for f in report.findings]
    return ChainVerificationOut(
        intact=report.intact,
        events=report.events,
        aggregates=report.aggregates,
        first_broken_link=findings[0] if findings else None,
        findings=findings,
    )


@router.get(
    "/audit/applications/{key}/export",
    responses={
        **WRITE_ERRORS,
        200: {
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            "description": "A zip file holding `events.jsonl`, `manifest.json` and "
            "`signature.json`",
        },
    },
    response_class=Response,
    summary="Export a case (a zip of JSON Lines and manifest)",
)
def export(key: Key, exports: ExportsDep, principal: PrincipalDep, ctx: ContextDep) -> Response:
    """A download (`Content-Disposition: attachment`, `case-<id>.zip`) holding
    `events.jsonl`, the case's events as stored and decrypted, `manifest.json`, their
    chain hashes, each event's line digest, sealed heads and the latest seal, and
    `signature.json`, an Ed25519 signature over both files by the key of
    `GET /v1/audit/export-key`. Verify it offline as it is:
    `yagona audit verify --export case-<id>.zip --public-key KEY`. Auditors only; the read
    is recorded."""
    case = exports.export(principal, ctx, key)
    return Response(
        case.zip_bytes(),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="case-{case.case_id}.zip"'},
    )


@router.get(
    "/audit/export-key",
    response_model=ExportKeyOut,
    summary="The key case exports are signed with",
)
def export_key(exports: ExportsDep) -> ExportKeyOut:
    """The Ed25519 public key that signs case exports (public: anyone may check an
    export), as `yagona audit export-key` prints it. Compare its `key_id` with the
    `signing_key_id` of an export's manifest, and verify with
    `yagona audit verify --export case.zip --public-key KEY`."""
    key = exports.signing_key()
    return ExportKeyOut(algorithm=key.algorithm, key_id=key.key_id, public_key=key.public_key_b64)


@router.get(
    "/audit/actors/{actor}/actions",
    response_model=ActorActions,
    responses=WRITE_ERRORS,
    summary="What an actor did",
)
def actor_actions(
    audit: AuditDep,
    principal: PrincipalDep,
    actor: Annotated[str, Path(max_length=128)],
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Cursor = None,
) -> ActorActions:
    """The commands an actor recorded and the personal data they read (auditors only).
    Citizens are looked up by PINFL through their pseudonym."""
    page, reads = audit.actor_actions(principal, actor, cursor=cursor, limit=limit)
    return ActorActions(
        actor=actor,
        actions=[
            ActionOut(
                stream=a.stream,
                aggregate_id=a.aggregate_id,
                version=a.version,
                type=a.type,
                role=a.role,
                correlation_id=a.correlation_id,
                at=a.at,
            )
            for a in page.items
        ],
        next=page.next,
        reads=[AccessOut.of(r) for r in reads],
    )


@router.get(
    "/me/access-log",
    response_model=AccessPage,
    responses=WRITE_ERRORS,
    tags=["applications"],
    summary="Who accessed my data",
)
def my_access_log(
    audit: AuditDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Cursor = None,
) -> AccessPage:
    """Every recorded read of the citizen's cases: who, in which role, why, when."""
    after = _cursor_number(cursor, "after")
    records = audit.my_access_log(principal, after=after, limit=limit + 1)
    more = len(records) > limit
    records = records[:limit]
    return AccessPage(
        items=[AccessOut.of(r) for r in records],
        next=encode_cursor({"after": records[-1].id}) if more else None,
    )


document(router)
