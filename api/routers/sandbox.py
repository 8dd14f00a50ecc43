"""The offline sandbox provider's checkout page (development and demos only: production
refuses the sandbox, and these routes answer 404 unless it is the configured provider)."""

from __future__ import annotations

import json
from html import escape
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from api.dependencies import CheckoutDep
from api.problems import ProblemException
from api.routers.guards import GUARDS, SMALL_BODY, body_limit, document
from api.routers.provider_webhooks import WEBHOOK_ERRORS, request_id
from api.routers.responses import PROBLEM_CONTENT
from api.schemas.payments import SandboxOutcomeIn
from application.queries.payments import format_amount

router = APIRouter(
    prefix="/v1", tags=["payments"], dependencies=GUARDS, route_class=body_limit(SMALL_BODY)
)


ProviderPaymentId = Annotated[str, Path(max_length=64)]


@router.get(
    "/payments/sandbox/{provider_payment_id}",
    response_class=HTMLResponse,
    summary="Sandbox payment page",
)
def sandbox_page(checkout: CheckoutDep, provider_payment_id: ProviderPaymentId) -> HTMLResponse:
    """A page where a person pays or declines a sandbox payment (offline development)."""
    payment = checkout.payment(provider_payment_id)
    amount = format_amount(payment.amount, payment.currency)
    settled = payment.status != "requires_confirmation"
    buttons = (
        ""
        if settled
        else (
            '<form method="post"><button name="outcome" value="succeeded">Pay</button> '
            '<button name="outcome" value="failed">Decline</button></form>'
        )
    )
    return HTMLResponse(
        "<!doctype html><html lang='en'><meta charset='utf-8'><title>Sandbox payment</title>"
        "<body>"
        f"<h1>Sandbox payment</h1><p>{escape(payment.description)}</p>"
        f"<p><strong>{escape(amount)}</strong></p><p>Status: {escape(payment.status)}</p>"
        f"{buttons}<p><small>Offline sandbox: no money moves.</small></p></body></html>"
    )


async def _outcome(request: Request) -> str:
    body = await request.body()
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        fields = {k: v[0] for k, v in parse_qs(body.decode()).items()}
    else:
        try:
            fields = json.loads(body or b"{}")
        except ValueError:
            raise ProblemException(422, "the body is not JSON", code="invalid-request") from None
    try:
        return SandboxOutcomeIn.model_validate(fields).outcome
    except ValueError:
        raise ProblemException(
            422,
            "outcome must be 'succeeded' or 'failed'",
            code="invalid-request",
            errors=[{"name": "outcome", "in": "body", "detail": "succeeded or failed"}],
        ) from None


@router.post(
    "/payments/sandbox/{provider_payment_id}",
    responses={
        **WEBHOOK_ERRORS,
        200: {"content": {"application/json": {}, "text/html": {}}},
        404: {"description": "The sandbox provider is not configured", "content": PROBLEM_CONTENT},
        409: {"description": "Already settled, or no such payment", "content": PROBLEM_CONTENT},
    },
    summary="Pay or decline a sandbox payment",
)
async def sandbox_decide(
    request: Request, checkout: CheckoutDep, provider_payment_id: ProviderPaymentId
) -> Any:
    """`{"outcome": "succeeded" | "failed"}` (or the page's form) settles the sandbox payment;
    its signed callback is delivered through the same path as a provider's webhook."""
    checkout.ensure_configured()  # a 404 before the body is read
    outcome = await _outcome(request)
    await run_in_threadpool(checkout.decide, provider_payment_id, outcome, request_id(request))
    if "text/html" in request.headers.get("accept", ""):
        return HTMLResponse(f"<p>Payment {escape(outcome)}.</p>")
    return {"provider_payment_id": provider_payment_id, "outcome": outcome}


document(router)
