"""The officer's work queue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.auth import PrincipalDep
from api.dependencies import WorkQueueDep
from api.routers.guards import GUARDS, SMALL_BODY, body_limit, document
from api.routers.responses import WRITE_ERRORS
from api.schemas.applications import QueueItemOut, QueuePage
from api.schemas.vocabularies import QueueKind, QueueStatus

router = APIRouter(
    prefix="/v1", tags=["officers"], dependencies=GUARDS, route_class=body_limit(SMALL_BODY)
)


@router.get("/queue", response_model=QueuePage, responses=WRITE_ERRORS, summary="Work queue")
def queue(
    work_queue: WorkQueueDep,
    principal: PrincipalDep,
    kind: QueueKind | None = None,
    status: Annotated[
        list[QueueStatus],
        Query(
            description="statuses to include (repeatable); default every open one: "
            "applications queued, in_review, awaiting_information; appeals under_review, "
            "escalated; inter-agency requests open, overdue"
        ),
    ] = [],  # noqa: B006 - FastAPI copies query defaults
    service: Annotated[str | None, Query(max_length=64)] = None,
    mine: Annotated[bool, Query(description="only cases I accepted")] = False,
    due_within_days: Annotated[
        int | None, Query(ge=0, le=365, description="due on or before today + N days")
    ] = None,
    overdue: Annotated[bool | None, Query(description="past their due date (or not)")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> QueuePage:
    """Applications, appeals and inter-agency requests routed to the officer's agency (and
    those escalated to it), soonest due first (`kind` picks one). Paid services appear once
    paid. An appeal's `tracking_number` is its number (MJ-…) and `service_code` its subject;
    a request's number is IA-…."""
    result = work_queue.queue(
        principal,
        kind=kind,
        statuses=tuple(status),
        service=service,
        mine=mine,
        due_within_days=due_within_days,
        overdue=overdue,
        cursor=cursor,
        limit=limit,
    )
    page, today = result.page, result.today
    return QueuePage(items=[QueueItemOut.of(i, today) for i in page.items], next=page.next)


document(router)
