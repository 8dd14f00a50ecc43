"""Wires the query services to the read models (the projections' views) and adapters,
and the payment provider's notifications to the payments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from application.case_export import CaseExports
from application.provider_notifications import ProviderNotifications, SandboxCheckout
from application.queries.application_detail import ApplicationDetails
from application.queries.cases import CitizenCases, RegisterOfDecisions, WorkQueue
from application.queries.kpi import TargetIndicators
from application.queries.payments import PaymentRecords
from application.queries.services import QueryServices
from application.queries.verification import DocumentVerification
from infrastructure.documents.receipt import PdfReceiptRenderer
from infrastructure.payments.sandbox import SandboxProvider
from infrastructure.payments.webhooks import SignedNotifications

if TYPE_CHECKING:
    from infrastructure.container import Container


def build_queries(container: Container) -> QueryServices:
    return QueryServices(
        details=ApplicationDetails(container.cases, container.payments.latest),
        citizen_cases=CitizenCases(
            container.read_models.citizen_applications, container.cases.applicant_ref
        ),
        work_queue=WorkQueue(container.read_models.officer_queue, container.clock),
        register=RegisterOfDecisions(container.read_models.decisions_register),
        payment_records=PaymentRecords(
            container.read_models.payments_ledger,
            check_readable=container.payments.view,
            renderer=PdfReceiptRenderer(),
        ),
        indicators=TargetIndicators(container.read_models.kpi, container.kpi_targets),
        verification=DocumentVerification(container.decisions, container.catalogue),
        exports=CaseExports(container.audit, container.seals, container.export_signer),
        catalogue=container.read_models.catalogue,
    )


def build_notifications(container: Container) -> ProviderNotifications:
    return ProviderNotifications(
        container.settings.payment_provider,
        SignedNotifications(container.webhook_secret),
        container.payments.apply_provider_event,
    )


def build_sandbox_checkout(container: Container) -> SandboxCheckout:
    provider = container.provider
    desk = provider if isinstance(provider, SandboxProvider) else None
    return SandboxCheckout(desk, container.notifications)
