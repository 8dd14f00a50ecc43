"""Request-scoped access to the composition root."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.problems import ProblemException
from application.appeals import Appeals
from application.audit import Audit
from application.case_export import CaseExports
from application.decisions import Decisions
from application.feed import Feed
from application.inter_agency import InterAgency
from application.officer_handling import OfficerHandling
from application.payments import Payments
from application.ports import Clock
from application.provider_notifications import ProviderNotifications, SandboxCheckout
from application.queries.application_detail import ApplicationDetails
from application.queries.cases import CitizenCases, RegisterOfDecisions, WorkQueue
from application.queries.kpi import TargetIndicators
from application.queries.payments import PaymentRecords
from application.queries.services import QueryServices
from application.queries.verification import DocumentVerification
from application.read_models.catalogue import CatalogueReadModel
from application.staff_directory import StaffDirectory
from application.submissions import Submissions
from application.webhooks import Webhooks
from infrastructure.bootstrap import Container


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


# --- the use-case services, one dependency each: a route names the one it calls ----------


def _submissions(request: Request) -> Submissions:
    return get_container(request).submissions


def _handling(request: Request) -> OfficerHandling:
    return get_container(request).handling


def _decisions(request: Request) -> Decisions:
    return get_container(request).decisions


def _payments(request: Request) -> Payments:
    return get_container(request).payments


def _appeals(request: Request) -> Appeals:
    return get_container(request).appeals


def _inter_agency(request: Request) -> InterAgency:
    return get_container(request).inter_agency


def _audit(request: Request) -> Audit:
    return get_container(request).audit


def _feed(request: Request) -> Feed:
    return get_container(request).feed


def _webhooks(request: Request) -> Webhooks:
    return get_container(request).webhooks


def _staff(request: Request) -> StaffDirectory:
    return get_container(request).staff


def _notifications(request: Request) -> ProviderNotifications:
    return get_container(request).notifications


def _checkout(request: Request) -> SandboxCheckout:
    return get_container(request).sandbox_checkout


NotificationsDep = Annotated[ProviderNotifications, Depends(_notifications)]
CheckoutDep = Annotated[SandboxCheckout, Depends(_checkout)]
SubmissionsDep = Annotated[Submissions, Depends(_submissions)]
HandlingDep = Annotated[OfficerHandling, Depends(_handling)]
DecisionsDep = Annotated[Decisions, Depends(_decisions)]
PaymentsDep = Annotated[Payments, Depends(_payments)]
AppealsDep = Annotated[Appeals, Depends(_appeals)]
InterAgencyDep = Annotated[InterAgency, Depends(_inter_agency)]
AuditDep = Annotated[Audit, Depends(_audit)]
FeedDep = Annotated[Feed, Depends(_feed)]
WebhooksDep = Annotated[Webhooks, Depends(_webhooks)]
StaffDep = Annotated[StaffDirectory, Depends(_staff)]


# --- the query services, one dependency each: a route names the one it calls --------------


def _queries(request: Request) -> QueryServices:
    return get_container(request).queries


def _details(request: Request) -> ApplicationDetails:
    return _queries(request).details


def _exports(request: Request) -> CaseExports:
    return _queries(request).exports


def _verification(request: Request) -> DocumentVerification:
    return _queries(request).verification


def _citizen_cases(request: Request) -> CitizenCases:
    return _queries(request).citizen_cases


def _work_queue(request: Request) -> WorkQueue:
    return _queries(request).work_queue


def _register(request: Request) -> RegisterOfDecisions:
    return _queries(request).register


def _payment_records(request: Request) -> PaymentRecords:
    return _queries(request).payment_records


def _indicators(request: Request) -> TargetIndicators:
    return _queries(request).indicators


def _clock(request: Request) -> Clock:
    return get_container(request).clock


def _catalogue(request: Request) -> CatalogueReadModel:
    return _queries(request).catalogue


DetailsDep = Annotated[ApplicationDetails, Depends(_details)]
ExportsDep = Annotated[CaseExports, Depends(_exports)]
VerificationDep = Annotated[DocumentVerification, Depends(_verification)]
CitizenCasesDep = Annotated[CitizenCases, Depends(_citizen_cases)]
WorkQueueDep = Annotated[WorkQueue, Depends(_work_queue)]
RegisterDep = Annotated[RegisterOfDecisions, Depends(_register)]
PaymentRecordsDep = Annotated[PaymentRecords, Depends(_payment_records)]
IndicatorsDep = Annotated[TargetIndicators, Depends(_indicators)]
ClockDep = Annotated[Clock, Depends(_clock)]
CatalogueReadDep = Annotated[CatalogueReadModel, Depends(_catalogue)]


# How long a catalogue read waits for the read model to hold what was seeded before the
# process started (``make run`` seeds, then serves), before answering 503 instead.
CATALOGUE_WAIT_SECONDS = 2.0
RETRY_AFTER_SECONDS = 2


def catalogue_caught_up(container: ContainerDep) -> None:
    """Refuse to answer from a catalogue read model still short of its start head: an empty
    page would say the seeded catalogue has no services."""
    if not container.catalogue_caught_up(timeout=CATALOGUE_WAIT_SECONDS):
        raise ProblemException(
            503,
            "the catalogue is still loading after the start; retry shortly",
            code="catching-up",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )


CATALOGUE_CAUGHT_UP = Depends(catalogue_caught_up)
