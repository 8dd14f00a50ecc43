"""Integrators: the ordered event feed."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from api.auth import PrincipalDep
from api.dependencies import FeedDep
from api.routers.guards import GUARDS, SMALL_BODY, body_limit, document
from api.routers.responses import WRITE_ERRORS
from api.schemas.feed import FeedItem, FeedOut
from application.feed import MAX_LIMIT

router = APIRouter(
    prefix="/v1", tags=["integrators"], dependencies=GUARDS, route_class=body_limit(SMALL_BODY)
)
POLL_SECONDS = 0.2


@router.get("/feed", response_model=FeedOut, responses=WRITE_ERRORS, summary="The event feed")
async def feed(
    feed: FeedDep,
    principal: PrincipalDep,
    after: Annotated[int, Query(ge=0, description="the last position already read")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    types: Annotated[
        str | None,
        Query(
            max_length=2000,
            description="comma-separated event types (`Payment.Succeeded`) or aggregates "
            "(`Payment`)",
        ),
    ] = None,
    wait: Annotated[
        float, Query(ge=0, le=30, description="seconds to wait for an event if none is there")
    ] = 0,
) -> FeedOut:
    """Every event of every context in one global order (`feed:read`). Follow `next`: a
    consumer never misses or repeats an event, whatever writes concurrently. With `wait`,
    an empty page is held until an event arrives or the time is up (long polling)."""
    wanted = [t.strip() for t in (types or "").split(",") if t.strip()]
    deadline = time.monotonic() + wait
    while True:
        page = await run_in_threadpool(feed.read, principal, after=after, limit=limit, types=wanted)
        if page.items or time.monotonic() >= deadline:
            break
        after = page.next  # nothing wanted up to here: wait from the head on
        await asyncio.sleep(POLL_SECONDS)
    return FeedOut(items=[FeedItem.of(e) for e in page.items], next=page.next, head=page.head)


document(router)
