"""The API's closed vocabularies, derived from the domain's tuples: one source.

Each alias is a ``Literal`` of the domain's values at run time (so pydantic validates them
and OpenAPI lists them as an ``enum``), and a plain ``str`` to the type checker (which only
accepts literal values written out in ``Literal[...]``). A status added to the domain is
served, documented and accepted as a filter without touching the API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from application.attachments import MAGIC
from application.read_models.cases import KINDS as QUEUE_KINDS
from application.read_models.cases import QUEUE_STATUSES
from domain import (
    appeal,
    appeal_terms,
    application_statuses,
    decision,
    inter_agency,
    kpi,
    payment,
    service,
)
from domain.agency import JURISDICTION_LEVELS
from domain.fee_status import FEE_STATUSES
from domain.fees import FEE_KINDS
from domain.i18n import LANGUAGES
from domain.territory import TERRITORY_LEVELS

# Every status a queue item can show: an application's, an appeal's or a request's.
QUEUE_ITEM_STATUSES = tuple(
    dict.fromkeys((*application_statuses.STATUSES, *appeal.STATUSES, *inter_agency.STATUSES))
)

if TYPE_CHECKING:
    ApplicationStatus = str
    Outcome = str
    FeeStatus = str
    PaymentStatus = str
    AppealStatus = str
    AppealSubject = str
    AppealKind = str
    AppealTerm = str
    RequestStatus = str
    DecisionStatus = str
    QueueKind = str
    QueueItemStatus = str
    QueueStatus = str
    Language = str
    TerritoryLevel = str
    Jurisdiction = str
    AttachmentType = str
    AgencyLevel = str
    FeeKind = str
    ServiceStatus = str
    ServiceChangeKind = str
    KpiComparison = str
    KpiStatus = str
else:
    ApplicationStatus = Literal[application_statuses.STATUSES]
    Outcome = Literal[application_statuses.OUTCOMES]
    FeeStatus = Literal[FEE_STATUSES]
    PaymentStatus = Literal[payment.STATUSES]
    AppealStatus = Literal[appeal.STATUSES]
    AppealSubject = Literal[tuple(sorted(appeal.SUBJECTS))]
    AppealKind = Literal[appeal_terms.KINDS]
    AppealTerm = Literal[tuple(appeal_terms.TERM_SOURCES)]
    RequestStatus = Literal[inter_agency.STATUSES]
    DecisionStatus = Literal[decision.STATUSES]
    QueueKind = Literal[QUEUE_KINDS]
    QueueItemStatus = Literal[QUEUE_ITEM_STATUSES]
    QueueStatus = Literal[QUEUE_STATUSES]
    Language = Literal[LANGUAGES]
    TerritoryLevel = Literal[TERRITORY_LEVELS]
    Jurisdiction = Literal[JURISDICTION_LEVELS]
    AttachmentType = Literal[tuple(MAGIC)]
    AgencyLevel = Literal[JURISDICTION_LEVELS]  # an agency works at a jurisdiction's level
    FeeKind = Literal[FEE_KINDS]
    ServiceStatus = Literal[service.STATUSES]
    ServiceChangeKind = Literal[service.CHANGES]
    KpiComparison = Literal[kpi.COMPARISONS]
    KpiStatus = Literal[kpi.STATUSES]
