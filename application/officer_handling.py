"""The handling officer's commands on an application: take it, release it, ask the
applicant for information, close it. An officer acts only on applications routed to their
agency."""

from __future__ import annotations

from application.cases import Cases
from application.ports import Clock
from application.principal import Principal
from domain.context import CommandContext
from domain.service_application import ServiceApplication


class OfficerHandling:
    """Use cases of the officers of the agency an application is routed to."""

    def __init__(self, cases: Cases, *, clock: Clock) -> None:
        self.cases = cases
        self.clock = clock

    def handled(self, principal: Principal, key: str) -> ServiceApplication:
        """An application the officer's agency handles (403 for other agencies' officers)."""
        return self.cases.handled(principal, key)

    def accept(self, principal: Principal, ctx: CommandContext, key: str) -> ServiceApplication:
        """Take the application into the officer's work."""
        application = self.cases.handled(principal, key)
        application.accept(officer=principal.subject, meta=ctx.meta())
        self.cases.store(application)
        return application

    def release(self, principal: Principal, ctx: CommandContext, key: str) -> ServiceApplication:
        """Give the application back to the agency's queue."""
        application = self.cases.handled(principal, key)
        application.release(officer=principal.subject, meta=ctx.meta())
        self.cases.store(application)
        return application

    def request_information(
        self, principal: Principal, ctx: CommandContext, key: str, *, message: str
    ) -> ServiceApplication:
        """Ask the applicant for information (the legal term stops meanwhile)."""
        application = self.cases.handled(principal, key)
        application.request_information(
            officer=principal.subject,
            message=message,
            today=self.clock.today(),
            meta=ctx.meta(),
        )
        self.cases.store(application)
        return application

    def close_case(
        self, principal: Principal, ctx: CommandContext, key: str, *, reason: str
    ) -> ServiceApplication:
        """Close the application without a decision."""
        application = self.cases.handled(principal, key)
        application.close(reason=reason, meta=ctx.meta())
        self.cases.store(application)
        return application
