"""The case store: citizens' applications, agencies' decisions and what attaches to them.

One eventsourcing application (``cases_events``) holding applications, decisions, appeals,
inter-agency requests and their indexes; a command that changes several of them saves them
together. This module holds the store's public operations every use case shares (finding
and loading, saving once per Idempotency-Key, who may see a case, the access record); the
use cases themselves live in ``submissions``, ``officer_handling``, ``decisions``,
``appeals``, ``inter_agency`` and ``jobs``.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder

from application.authorization import authorize, authorize_reach
from application.catalogue import Catalogue
from application.ports import AccessEntry, AccessLog
from application.principal import Principal
from application.transcodings import register_case_transcodings
from domain.application_rules import TRACKING_NUMBER
from domain.calendar import HolidayCalendar, WorkingCalendar
from domain.context import CommandContext
from domain.decision import Decision
from domain.errors import (
    ApplicationNotFound,
    ConcurrentModification,
    DecisionNotFound,
)
from domain.fees import BhmRates, BhmSchedule
from domain.identity import CITIZEN
from domain.indexes import RequestKeyIndex, TrackingNumberIndex
from domain.quoting import quoted
from domain.registration import RegistrationCounter
from domain.service import Service, ServiceVersion
from domain.service_application import ServiceApplication

TAggregate = TypeVar("TAggregate", bound=Aggregate)


@dataclass
class CaseDependencies:
    """The adapters the case store needs, wired by the composition root."""

    catalogue: Catalogue
    access_log: AccessLog
    pseudonym_key: bytes


class Cases(Application[UUID]):
    """The public case store every case use case goes through (its name fixes the events
    table, ``cases_events``; projections, the feed and the audit read it as an application)."""

    name = "Cases"
    # A snapshot every 50 events keeps long cases fast to load, at any version.
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {
        ServiceApplication: 50,
        RegistrationCounter: 100,  # one event per decision of an agency's year
    }

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_case_transcodings(transcoder)

    def __init__(self, env: Any = None, *, deps: CaseDependencies | None = None) -> None:
        super().__init__(env)
        self._deps = deps

    @property
    def deps(self) -> CaseDependencies:
        """The store's adapters (only a store that serves commands has them)."""
        if self._deps is None:
            raise RuntimeError("this Cases instance only reads events; it has no adapters")
        return self._deps

    # --- finding and loading ----------------------------------------------------------------

    def find(self, cls: type[TAggregate], aggregate_id: UUID) -> TAggregate | None:
        """The stored aggregate with this id when it is a ``cls``; None otherwise."""
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, cls) else None

    def load(self, key: str) -> ServiceApplication:
        """An application by id or tracking number (ApplicationNotFound otherwise)."""
        application_id: UUID | None = None
        if TRACKING_NUMBER.fullmatch(key):
            index = self.find(TrackingNumberIndex, TrackingNumberIndex.create_id(key))
            application_id = index.application_id if index else None
        else:
            try:
                application_id = UUID(key)
            except ValueError:
                application_id = None
        application = self.find(ServiceApplication, application_id) if application_id else None
        if application is None:
            raise ApplicationNotFound(f"no application {quoted(key)}")
        return application

    def decision(self, decision_id: UUID) -> Decision:
        """A decision by id (DecisionNotFound otherwise)."""
        decision = self.find(Decision, decision_id)
        if decision is None:
            raise DecisionNotFound("no such decision")
        return decision

    def applicant_ref(self, pinfl: str) -> str:
        """A stable pseudonym of a citizen: read models key citizens by it, never by PINFL."""
        return hmac.new(self.deps.pseudonym_key, pinfl.encode(), hashlib.sha256).hexdigest()

    # --- the catalogue, as the cases see it ----------------------------------------------------

    def service(self, code: str) -> Service:
        """A published service by code (ServiceNotFound otherwise)."""
        return self.deps.catalogue.get_service(code)

    def terms_of(self, application: ServiceApplication) -> ServiceVersion:
        """The service terms the application was submitted under (its pinned version)."""
        version = self.service(application.service_code).terms_version(application.service_version)
        assert version is not None, "a pinned version is never removed"
        return version

    def working_calendar(self) -> WorkingCalendar:
        """The working days (the holiday calendar's; weekdays only without one)."""
        calendar = self.deps.catalogue.find(HolidayCalendar, HolidayCalendar.create_id())
        return calendar.working_calendar if calendar is not None else WorkingCalendar()

    def bhm_rates(self) -> BhmRates:
        """The base calculation amount's rates by date (none without a schedule)."""
        schedule = self.deps.catalogue.find(BhmSchedule, BhmSchedule.create_id())
        return schedule.rates if schedule is not None else BhmRates()

    # --- who may see and act on a case ----------------------------------------------------------

    def visible(
        self, principal: Principal, application: ServiceApplication, key: str | None = None
    ) -> None:
        """Who may read this case: its applicant (others get 404, as if it did not exist:
        the same answer as for ``key``, the id or number they named, when nothing has it),
        officers of its agency or of the agency it was escalated to, auditors, admins."""
        agencies = {application.agency.code if application.agency else None}
        if application.escalated_to is not None:
            agencies.add(application.escalated_to.code)
        authorize_reach(
            principal,
            "application.read",
            not_found=ApplicationNotFound(f"no application {quoted(key or str(application.id))}"),
            owner=application.applicant,
            agencies=agencies,
            other_agency=f"application {application.tracking_number} is handled by another agency",
        )

    def owned(self, principal: Principal, key: str) -> ServiceApplication:
        """An application of the citizen acting (404 for anyone else's)."""
        authorize(principal, "application.act_as_applicant")
        application = self.load(key)
        self.visible(principal, application, key)
        return application

    def handled(self, principal: Principal, key: str) -> ServiceApplication:
        """An application the officer's agency handles (403 for other agencies' officers)."""
        authorize(principal, "application.handle")
        application = self.load(key)
        authorize_reach(
            principal,
            "application.handle",
            not_found=ApplicationNotFound(f"no application {quoted(key)}"),
            agencies={application.agency.code if application.agency else None},
            other_agency=f"application {application.tracking_number} is handled by another agency",
        )
        return application

    def view(
        self, principal: Principal, ctx: CommandContext, key: str, *, purpose: str
    ) -> ServiceApplication:
        """Read a case; a read by anyone but its applicant is on the record."""
        application = self.load(key)
        self.visible(principal, application, key)
        if principal.role != CITIZEN:
            self.record_read(principal, ctx, "application.read", application, purpose)
        return application

    # --- the access record ------------------------------------------------------------------------

    def record_access(self, entry: AccessEntry) -> None:
        """Put a read of personal data (or a verification) on the record."""
        self.deps.access_log.record(entry)

    def record_read(
        self,
        principal: Principal,
        ctx: CommandContext,
        action: str,
        application: ServiceApplication,
        purpose: str,
    ) -> None:
        """Put ``principal``'s read of ``application`` on the record."""
        self.record_access(
            AccessEntry(
                actor=principal.subject,
                role=principal.role,
                action=action,
                subject_kind="application",
                subject_id=str(application.id),
                purpose=purpose,
                correlation_id=ctx.correlation_id,
            )
        )

    # --- saving -----------------------------------------------------------------------------

    def store(self, *aggregates: Aggregate) -> None:
        """Save the aggregates in one transaction; ConcurrentModification when another
        request changed one of them meanwhile."""
        try:
            self.save(*aggregates)
        except IntegrityError:
            raise ConcurrentModification(
                "the application was changed by another request meanwhile; reload it and retry"
            ) from None

    def created_for_key(
        self, kind: str, principal: Principal, idempotency_key: str | None
    ) -> UUID | None:
        """What ``principal``'s earlier request with this Idempotency-Key created, if any."""
        if not idempotency_key:
            return None
        scope = RequestKeyIndex.scope_of(principal.subject, idempotency_key)
        index = self.find(RequestKeyIndex, RequestKeyIndex.create_id(kind, scope))
        return index.target_id if index is not None else None

    def save_once(
        self,
        kind: str,
        principal: Principal,
        idempotency_key: str | None,
        created: Aggregate,
        *others: Aggregate,
    ) -> UUID:
        """Save ``created`` (with ``others``), and with an Idempotency-Key its key index in the
        same transaction. Returns the id of what the key created: ``created``'s, or the one a
        concurrent request with the same key saved first."""
        if not idempotency_key:
            self.store(created, *others)
            return created.id
        scope = RequestKeyIndex.scope_of(principal.subject, idempotency_key)
        index = RequestKeyIndex(kind, scope, created.id)
        try:
            self.store(created, *others, index)
        except ConcurrentModification:
            winner = self.created_for_key(kind, principal, idempotency_key)
            if winner is None:
                raise
            return winner
        return created.id
