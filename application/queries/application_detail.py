"""One application as its readers see it: the case, its decision and its latest payment."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from application.cases import Cases
from application.principal import Principal
from domain.context import CommandContext
from domain.decision import Decision
from domain.payment import Payment
from domain.service_application import ServiceApplication


@dataclass(frozen=True)
class CaseDetail:
    application: ServiceApplication
    decision: Decision | None
    payment: Payment | None  # the latest attempt, for a paid service


class ApplicationDetails:
    def __init__(self, cases: Cases, latest_payment: Callable[[UUID], Payment | None]) -> None:
        self.cases = cases
        self.latest_payment = latest_payment

    def of(self, application: ServiceApplication) -> CaseDetail:
        """The detail of a case a command just returned (its caller may see it)."""
        decision = self.cases.decision(application.decision_id) if application.decision_id else None
        payment = self.latest_payment(application.id) if application.fee else None
        return CaseDetail(application, decision, payment)

    def read(
        self, principal: Principal, ctx: CommandContext, key: str, *, purpose: str
    ) -> CaseDetail:
        """A case for whoever may read it; a read by anyone but its applicant is recorded."""
        return self.of(self.cases.view(principal, ctx, key, purpose=purpose))
