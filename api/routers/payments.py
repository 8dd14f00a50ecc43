"""Fee payments: starting one, provider notifications, the sandbox, receipts, reconciliation."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from html import escape
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from api.auth import ContextDep, PrincipalDep
from api.dependencies import ContainerDep
from api.problems import Problem, ProblemException
from api.routers.applications import WRITE_ERRORS, Key
from api.routers.guards import GUARDS, SMALL_BODY, body_limit, document
from api.schemas.dates import IsoDay
from api.schemas.payments import (
    CorrectionIn,
    PaymentOut,
    ReceiptOut,
    ReconciliationLineOut,
    ReconciliationOut,
    ReconciliationTotal,
    SandboxOutcomeIn,
)
from application.principal import require_scope
from domain.context import CommandContext
from domain.errors import RoleNotAllowed
from domain.identity import ADMIN, AUDITOR, INTEGRATOR, OFFICER, READ_MODELS_READ
from infrastructure.container import Container
from infrastructure.documents.receipt import format_amount, render_receipt_pdf
from infrastructure.payments.sandbox import SandboxProvider
from infrastructure.payments.webhooks import InvalidSignature, to_provider_event, verify

router = APIRouter(
    prefix="/v1", tags=["payments"], dependencies=GUARDS, route_class=body_limit(SMALL_BODY)
)
_PROBLEM: dict[str, Any] = {"application/problem+json": {}}
WEBHOOK_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "Forged, stale or unreadable", "content": _PROBLEM}
}


@router.post(
    "/applications/{key}/payments",
    response_model=PaymentOut,
    responses=WRITE_ERRORS,
    summary="Pay the fee (start or resume)",
)
def start_payment(
    key: Key, container: ContainerDep, principal: PrincipalDep, ctx: ContextDep
) -> PaymentOut:
    """Starts paying the application's fee, or resumes the payment under way (idempotent).
    With Stripe the response carries the PaymentIntent id and its client secret for stripe.js;
    with the sandbox, a `confirmation_url` where the citizen pays or declines. A failed or
    expired payment is replaced by a new attempt."""
    started = container.payments.start(principal, ctx, key)
    return PaymentOut.of(started.payment, started.provider)


@router.get(
    "/payments/reconciliation",
    response_model=ReconciliationOut,
    responses={**WRITE_ERRORS, 200: {"content": {"application/json": {}, "text/csv": {}}}},
    summary="Reconciliation of a day",
)
def reconciliation(
    container: ContainerDep,
    principal: PrincipalDep,
    day: Annotated[IsoDay, Query(alias="date", description="a day in Uzbekistan (UTC+5)")],
    agency: Annotated[str | None, Query(max_length=64)] = None,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Any:
    """Totals collected, refunded and net per agency and service for `date` (JSON or CSV).
    Officers see their own agency's."""
    if principal.role not in (OFFICER, AUDITOR, ADMIN, INTEGRATOR):
        raise RoleNotAllowed(f"the {principal.role} role cannot read reconciliations")
    if principal.role == INTEGRATOR:
        require_scope(principal, READ_MODELS_READ)
    if principal.role == OFFICER:
        agency = principal.agency
    lines = container.payments_ledger.reconciliation(day, agency)
    if format == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                "date",
                "agency_code",
                "service_code",
                "currency",
                "payments",
                "collected",
                "refunds",
                "refunded",
                "net",
            ]
        )
        for line in lines:
            writer.writerow(
                [
                    day.isoformat(),
                    line.agency_code,
                    line.service_code,
                    line.currency,
                    line.payments,
                    line.collected,
                    line.refunds,
                    line.refunded,
                    line.net,
                ]
            )
        return Response(
            out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="reconciliation-{day}.csv"'},
        )
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for line in lines:
        totals[line.currency][0] += line.collected
        totals[line.currency][1] += line.refunded
    return ReconciliationOut(
        date=day,
        agency=agency,
        lines=[ReconciliationLineOut.of(line) for line in lines],
        totals=[
            ReconciliationTotal(currency=c, collected=v[0], refunded=v[1], net=v[0] - v[1])
            for c, v in sorted(totals.items())
        ],
    )


@router.get(
    "/payments/{payment_id}",
    response_model=PaymentOut,
    responses=WRITE_ERRORS,
    summary="One payment",
)
def get_payment(
    payment_id: UUID, container: ContainerDep, principal: PrincipalDep, ctx: ContextDep
) -> PaymentOut:
    return PaymentOut.of(container.payments.view(principal, ctx, payment_id))


@router.get(
    "/payments/{payment_id}/receipt",
    response_model=ReceiptOut,
    responses={**WRITE_ERRORS, 200: {"content": {"application/json": {}, "application/pdf": {}}}},
    summary="A payment's receipt",
)
def receipt(
    payment_id: UUID,
    container: ContainerDep,
    principal: PrincipalDep,
    ctx: ContextDep,
    format: Annotated[Literal["json", "pdf"], Query()] = "json",
) -> Any:
    """The receipt of a payment (and of its refund, if any), as JSON or PDF."""
    container.payments.view(principal, ctx, payment_id)
    entry = container.payments_ledger.entry(payment_id)
    if entry is None:
        raise ProblemException(
            404, "the receipt is not ready yet; retry in a moment", code="receipt-not-ready"
        )
    out = ReceiptOut.of(entry)
    if format == "json":
        return out
    facts = [
        ("Payment", str(entry.payment_id)),
        ("Application", entry.tracking_number),
        ("Service", entry.service_code),
        ("Agency", entry.agency_code),
        ("Status", entry.status),
        ("Amount", format_amount(entry.amount, entry.currency)),
        ("Paid", format_amount(entry.paid_amount, entry.currency)),
        ("Paid at", entry.paid_at.isoformat() if entry.paid_at else ""),
        ("Refunded", format_amount(entry.refunded_amount, entry.currency)),
        ("Refunded at", entry.refunded_at.isoformat() if entry.refunded_at else ""),
        ("Provider", f"{entry.provider} {entry.provider_payment_id or ''}".strip()),
    ]
    pdf = render_receipt_pdf(
        facts, title="Receipt / Kvitansiya / Квитанция", issued_at=entry.updated_at
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="receipt-{entry.payment_id}.pdf"'},
    )


@router.post(
    "/payments/{payment_id}/corrections",
    response_model=PaymentOut,
    responses=WRITE_ERRORS,
    summary="Correct a payment (admin)",
)
def correct(
    payment_id: UUID,
    body: CorrectionIn,
    container: ContainerDep,
    principal: PrincipalDep,
    ctx: ContextDep,
) -> PaymentOut:
    """An administrator's correction, recorded as a new event with its reason."""
    payment = container.payments.correct(
        principal, ctx, payment_id, status=body.status, reason=body.reason
    )
    return PaymentOut.of(payment)


# --- provider notifications --------------------------------------------------------------


async def _receive(request: Request, container: Container, secret: str, provider: str) -> Any:
    payload = await request.body()
    try:
        data = verify(payload, request.headers.get("stripe-signature"), secret)
    except InvalidSignature as error:
        raise ProblemException(
            400, f"the notification is not authentic: {error}", code="invalid-signature"
        ) from None
    event = to_provider_event(data)
    if event is None:
        return {"received": True, "applied": False}
    ctx = CommandContext(
        actor=f"provider:{provider}",
        role="system",
        correlation_id=str(request.scope.get("state", {}).get("request_id", "")),
    )
    payment = await run_in_threadpool(container.payments.apply_provider_event, ctx, event)
    return {"received": True, "applied": payment is not None}


@router.post(
    "/payments/stripe/webhook",
    responses={
        **WEBHOOK_ERRORS,
        404: {"description": "Stripe is not the configured provider", "content": _PROBLEM},
    },
    summary="Stripe webhook",
)
async def stripe_webhook(request: Request, container: ContainerDep) -> Any:
    """Verifies `Stripe-Signature` (a forged or stale one is a 400 and records nothing) and
    applies `payment_intent.succeeded`, `payment_intent.payment_failed`,
    `payment_intent.canceled`, `charge.refunded` and `refund.updated`, each at most once."""
    if container.settings.payment_provider != "stripe":
        raise ProblemException(404, "Stripe is not the configured provider", code="not-found")
    return await _receive(request, container, container.webhook_secret, "stripe")


@router.post(
    "/payments/sandbox/webhook",
    responses=WEBHOOK_ERRORS,
    summary="Sandbox callbacks",
    include_in_schema=False,
)
async def sandbox_webhook(request: Request, container: ContainerDep) -> Any:
    _sandbox(container)
    return await _receive(request, container, container.webhook_secret, "sandbox")


def _sandbox(container: Container) -> SandboxProvider:
    provider = container.provider
    if not isinstance(provider, SandboxProvider):
        raise ProblemException(404, "the sandbox provider is not configured", code="not-found")
    return provider


@router.get(
    "/payments/sandbox/{provider_payment_id}",
    response_class=HTMLResponse,
    summary="Sandbox payment page",
)
def sandbox_page(
    container: ContainerDep,
    provider_payment_id: Annotated[str, Path(max_length=64)],
) -> HTMLResponse:
    """A page where a person pays or declines a sandbox payment (offline development)."""
    payment = _sandbox(container).find(provider_payment_id)
    if payment is None:
        raise ProblemException(404, "no such sandbox payment", code="not-found")
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
        "<body style='font-family:sans-serif;max-width:36em;margin:3em auto'>"
        f"<h1>Sandbox payment</h1><p>{escape(payment.description)}</p>"
        f"<p><strong>{escape(amount)}</strong></p><p>Status: {escape(payment.status)}</p>"
        f"{buttons}<p><small>Offline sandbox: no money moves.</small></p></body></html>"
    )


@router.post(
    "/payments/sandbox/{provider_payment_id}",
    responses={
        **WEBHOOK_ERRORS,
        200: {"content": {"application/json": {}, "text/html": {}}},
        404: {"description": "The sandbox provider is not configured", "content": _PROBLEM},
        409: {"description": "Already settled, or no such payment", "content": _PROBLEM},
    },
    summary="Pay or decline a sandbox payment",
)
async def sandbox_decide(
    request: Request,
    container: ContainerDep,
    provider_payment_id: Annotated[str, Path(max_length=64)],
) -> Any:
    """`{"outcome": "succeeded" | "failed"}` (or the page's form) settles the sandbox payment;
    its signed callback is delivered through the same path as a provider's webhook."""
    sandbox = _sandbox(container)
    body = await request.body()
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        fields = {k: v[0] for k, v in parse_qs(body.decode()).items()}
    else:
        try:
            fields = json.loads(body or b"{}")
        except ValueError:
            raise ProblemException(422, "the body is not JSON", code="invalid-request") from None
    try:
        outcome = SandboxOutcomeIn.model_validate(fields).outcome
    except ValueError:
        raise ProblemException(
            422,
            "outcome must be 'succeeded' or 'failed'",
            code="invalid-request",
            errors=[{"name": "outcome", "in": "body", "detail": "succeeded or failed"}],
        ) from None
    callback = await run_in_threadpool(sandbox.decide, provider_payment_id, outcome)
    if callback is None:
        raise ProblemException(
            409, "this sandbox payment is already settled or unknown", code="already-settled"
        )
    payload, signature = callback
    data = verify(payload, signature, container.webhook_secret)  # the provider's code path
    event = to_provider_event(data)
    assert event is not None
    ctx = CommandContext(
        actor="provider:sandbox",
        role="system",
        correlation_id=str(request.scope.get("state", {}).get("request_id", "")),
    )
    await run_in_threadpool(container.payments.apply_provider_event, ctx, event)
    if "text/html" in request.headers.get("accept", ""):
        return HTMLResponse(f"<p>Payment {escape(outcome)}.</p>")
    return {"provider_payment_id": provider_payment_id, "outcome": outcome}


document(router)
