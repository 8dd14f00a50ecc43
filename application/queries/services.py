"""The query services a client calls, as the bootstrap wires them."""

from __future__ import annotations

from dataclasses import dataclass

from application.case_export import CaseExports
from application.queries.application_detail import ApplicationDetails
from application.queries.cases import CitizenCases, RegisterOfDecisions, WorkQueue
from application.queries.kpi import TargetIndicators
from application.queries.payments import PaymentRecords
from application.queries.verification import DocumentVerification
from application.read_models.catalogue import CatalogueReadModel


@dataclass(frozen=True)
class QueryServices:
    details: ApplicationDetails
    citizen_cases: CitizenCases
    work_queue: WorkQueue
    register: RegisterOfDecisions
    payment_records: PaymentRecords
    indicators: TargetIndicators
    verification: DocumentVerification
    exports: CaseExports
    catalogue: CatalogueReadModel  # public: nothing to authorize, read as it is
