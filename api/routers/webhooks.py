"""Integrators: webhook subscriptions and their delivery log."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from api.auth import PrincipalDep
from api.dependencies import WebhooksDep
from api.routers.guards import GUARDS, SMALL_BODY, body_limit, document
from api.routers.responses import WRITE_ERRORS
from api.schemas.webhooks import (
    DeliveryOut,
    DeliveryPage,
    WebhookCreated,
    WebhookIn,
    WebhookList,
    WebhookOut,
)
from application.pagination import InvalidQuery, decode_cursor, encode_cursor

router = APIRouter(
    prefix="/v1/webhooks",
    tags=["integrators"],
    dependencies=GUARDS,
    route_class=body_limit(SMALL_BODY),
)


@router.post(
    "",
    status_code=201,
    response_model=WebhookCreated,
    responses=WRITE_ERRORS,
    summary="Subscribe a URL to events",
)
def register(body: WebhookIn, webhooks: WebhooksDep, principal: PrincipalDep) -> WebhookCreated:
    """Deliveries of the events recorded from now on, signed with the secret returned once
    (`webhooks:manage`). At least once: dedupe by `Yagona-Event-Id`. A failed delivery is
    retried after about 1 minute, 5 minutes, 1 hour and 1 day, then given up. The URL must
    name a public receiver: a host that is, or resolves to, a loopback, private, link-local,
    multicast, reserved or unspecified address is a 422 saying which and why (checked again
    before each delivery)."""
    registered = webhooks.register(principal, url=body.url, event_types=body.event_types)
    out = WebhookOut.of(registered.subscription)
    return WebhookCreated(**out.model_dump(), secret=registered.secret)


@router.get("", response_model=WebhookList, responses=WRITE_ERRORS, summary="My subscriptions")
def subscriptions(webhooks: WebhooksDep, principal: PrincipalDep) -> WebhookList:
    return WebhookList(items=[WebhookOut.of(s) for s in webhooks.subscriptions(principal)])


@router.get(
    "/{subscription_id}",
    response_model=WebhookOut,
    responses=WRITE_ERRORS,
    summary="A subscription",
)
def subscription(
    subscription_id: UUID, webhooks: WebhooksDep, principal: PrincipalDep
) -> WebhookOut:
    return WebhookOut.of(webhooks.subscription(principal, subscription_id))


@router.delete("/{subscription_id}", status_code=204, responses=WRITE_ERRORS, summary="Unsubscribe")
def delete(subscription_id: UUID, webhooks: WebhooksDep, principal: PrincipalDep) -> Response:
    """Stops deliveries; pending ones are cancelled. Deleting again changes nothing."""
    webhooks.delete(principal, subscription_id)
    return Response(status_code=204)


@router.get(
    "/{subscription_id}/deliveries",
    response_model=DeliveryPage,
    responses=WRITE_ERRORS,
    summary="The delivery log",
)
def deliveries(
    subscription_id: UUID,
    webhooks: WebhooksDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> DeliveryPage:
    """Each delivery, oldest first, with every attempt: when, the receiver's status code or
    the error, and how long it took."""
    key = decode_cursor(cursor, expect=("after",))
    after = key["after"] if key else 0
    if not isinstance(after, int) or after < 0:
        raise InvalidQuery("cursor", "is not a cursor this endpoint returned")
    found = webhooks.deliveries(principal, subscription_id, after=after, limit=limit + 1)
    page = found[:limit]
    return DeliveryPage(
        items=[DeliveryOut.of(d) for d in page],
        next=encode_cursor({"after": page[-1].id}) if len(found) > limit else None,
    )


document(router)
