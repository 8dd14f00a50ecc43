"""The payment provider's notifications: Stripe's webhook and the sandbox's callbacks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from api.dependencies import NotificationsDep
from api.problems import Problem, ProblemException
from api.routers.guards import GUARDS, SMALL_BODY, body_limit, document
from api.routers.responses import PROBLEM_CONTENT
from application.provider_notifications import InvalidSignature, ProviderNotifications

router = APIRouter(
    prefix="/v1", tags=["payments"], dependencies=GUARDS, route_class=body_limit(SMALL_BODY)
)
WEBHOOK_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {
        "model": Problem,
        "description": "Forged, stale or unreadable",
        "content": PROBLEM_CONTENT,
    }
}


def request_id(request: Request) -> str:
    return str(request.scope.get("state", {}).get("request_id", ""))


async def receive(request: Request, notifications: ProviderNotifications, provider: str) -> Any:
    payload = await request.body()
    signature = request.headers.get("stripe-signature")
    try:
        applied = await run_in_threadpool(
            notifications.receive, provider, payload, signature, request_id(request)
        )
    except InvalidSignature as error:
        raise ProblemException(
            400, f"the notification is not authentic: {error}", code="invalid-signature"
        ) from None
    return {"received": True, "applied": applied}


@router.post(
    "/payments/stripe/webhook",
    responses={
        **WEBHOOK_ERRORS,
        404: {"description": "Stripe is not the configured provider", "content": PROBLEM_CONTENT},
    },
    summary="Stripe webhook",
)
async def stripe_webhook(request: Request, notifications: NotificationsDep) -> Any:
    """Verifies `Stripe-Signature` (a forged or stale one is a 400 and records nothing) and
    applies `payment_intent.succeeded`, `payment_intent.payment_failed`,
    `payment_intent.canceled`, `charge.refunded` and `refund.updated`, each at most once."""
    return await receive(request, notifications, "stripe")


@router.post(
    "/payments/sandbox/webhook",
    responses=WEBHOOK_ERRORS,
    summary="Sandbox callbacks",
    include_in_schema=False,
)
async def sandbox_webhook(request: Request, notifications: NotificationsDep) -> Any:
    return await receive(request, notifications, "sandbox")


document(router)
