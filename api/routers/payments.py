"""Fee payments: starting one, reading it and its receipt, a day's reconciliation, an
administrator's correction. Provider notifications and the sandbox have routers of their own."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response

from api.auth import ContextDep, PrincipalDep
from api.dependencies import PaymentRecordsDep, PaymentsDep
from api.routers.guards import GUARDS, SMALL_BODY, body_limit, document
from api.routers.responses import WRITE_ERRORS, Key
from api.schemas.dates import IsoDay
from api.schemas.payments import (
    CorrectionIn,
    PaymentOut,
    ReceiptOut,
    ReconciliationLineOut,
    ReconciliationOut,
    ReconciliationTotal,
)

router = APIRouter(
    prefix="/v1", tags=["payments"], dependencies=GUARDS, route_class=body_limit(SMALL_BODY)
)


@router.post(
    "/applications/{key}/payments",
    response_model=PaymentOut,
    responses=WRITE_ERRORS,
    summary="Pay the fee (start or resume)",
)
def start_payment(
    key: Key, payments: PaymentsDep, principal: PrincipalDep, ctx: ContextDep
) -> PaymentOut:
    """Starts paying the application's fee, or resumes the payment under way (idempotent).
    With Stripe the response carries the PaymentIntent id and its client secret for stripe.js;
    with the sandbox, a `confirmation_url` where the citizen pays or declines. A failed or
    expired payment is replaced by a new attempt."""
    started = payments.start(principal, ctx, key)
    return PaymentOut.of(started.payment, started.provider)


@router.get(
    "/payments/reconciliation",
    response_model=ReconciliationOut,
    responses={**WRITE_ERRORS, 200: {"content": {"application/json": {}, "text/csv": {}}}},
    summary="Reconciliation of a day",
)
def reconciliation(
    records: PaymentRecordsDep,
    principal: PrincipalDep,
    day: Annotated[IsoDay, Query(alias="date", description="a day in Uzbekistan (UTC+5)")],
    agency: Annotated[str | None, Query(max_length=64)] = None,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Any:
    """Totals collected, refunded and net per agency and service for `date` (JSON or CSV).
    Officers see their own agency's."""
    result = records.reconciliation(principal, day, agency)
    lines = result.lines
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
    return ReconciliationOut(
        date=day,
        agency=result.agency,
        lines=[ReconciliationLineOut.of(line) for line in lines],
        totals=[
            ReconciliationTotal(
                currency=t.currency, collected=t.collected, refunded=t.refunded, net=t.net
            )
            for t in result.totals
        ],
    )


@router.get(
    "/payments/{payment_id}",
    response_model=PaymentOut,
    responses=WRITE_ERRORS,
    summary="One payment",
)
def get_payment(
    payment_id: UUID, payments: PaymentsDep, principal: PrincipalDep, ctx: ContextDep
) -> PaymentOut:
    return PaymentOut.of(payments.view(principal, ctx, payment_id))


@router.get(
    "/payments/{payment_id}/receipt",
    response_model=ReceiptOut,
    responses={**WRITE_ERRORS, 200: {"content": {"application/json": {}, "application/pdf": {}}}},
    summary="A payment's receipt",
)
def receipt(
    payment_id: UUID,
    records: PaymentRecordsDep,
    principal: PrincipalDep,
    ctx: ContextDep,
    format: Annotated[Literal["json", "pdf"], Query()] = "json",
) -> Any:
    """The receipt of a payment (and of its refund, if any), as JSON or PDF."""
    receipt = records.receipt(principal, ctx, payment_id, pdf=format == "pdf")
    entry, pdf = receipt.entry, receipt.pdf
    if pdf is None:
        return ReceiptOut.of(entry)
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
    payments: PaymentsDep,
    principal: PrincipalDep,
    ctx: ContextDep,
) -> PaymentOut:
    """An administrator's correction, recorded as a new event with its reason."""
    payment = payments.correct(principal, ctx, payment_id, status=body.status, reason=body.reason)
    return PaymentOut.of(payment)


document(router)
