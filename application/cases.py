"""The cases context: citizens' applications and agencies' decisions.

One eventsourcing application (``cases_events``) holding applications, decisions and the
tracking-number index; a command that changes several of them saves them together.
Authorization is enforced here, not only in routes: a citizen sees and changes only their
own applications; an officer acts only on applications routed to their agency.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from typing import Any, ClassVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder

from application.attachments import AttachmentUpload, check_uploads
from application.catalogue import Catalogue
from application.forms import form_errors
from application.ports import (
    AccessEntry,
    AccessLog,
    AgencyDirectory,
    BlobStore,
    Clock,
    NumberSequence,
    ResultData,
    ResultRenderer,
)
from application.principal import Principal
from application.result_facts import mask_pinfl, what_is_granted
from application.transcodings import register_case_transcodings
from domain.application_rules import TRACKING_NUMBER
from domain.attachment import Attachment
from domain.calendar import HolidayCalendar, WorkingCalendar
from domain.context import CommandContext
from domain.decision import Decision
from domain.errors import (
    ApplicationNotFound,
    ConcurrentModification,
    DecisionNotFound,
    InvalidForm,
    InvalidInput,
    InvalidTransition,
    NoResponsibleAgency,
    NothingChanged,
    NotYourAgency,
    RoleNotAllowed,
    ServiceNotActive,
    ServiceNotApplicable,
)
from domain.fees import BhmRates, BhmSchedule, Money
from domain.i18n import DEFAULT_LANGUAGE, LANGUAGES, pick
from domain.identity import ADMIN, AUDITOR, CITIZEN, OFFICER
from domain.ids import natural_id
from domain.indexes import RequestKeyIndex, TrackingNumberIndex
from domain.registration import RegistrationCounter
from domain.service import ServiceVersion
from domain.service_application import ServiceApplication
from domain.territory import CITY, DISTRICT, REGION

# A decision retries this often when concurrent decisions of its agency take its number.
DECISION_ATTEMPTS = 5

# The applicant's territory must be at least as specific as the service's jurisdiction:
# a district service needs a district or city; a regional one any place in a region.
_TERRITORY_LEVEL_FOR = {
    "republic": None,
    "region": (REGION, DISTRICT, CITY),
    "district": (DISTRICT, CITY),
}


@dataclass
class CaseDependencies:
    """The adapters the cases use cases need, wired by the composition root."""

    catalogue: Catalogue
    directory: AgencyDirectory
    clock: Clock
    sequences: NumberSequence
    blobs: BlobStore
    renderer: ResultRenderer
    access_log: AccessLog
    pseudonym_key: bytes
    verification_base_url: str = "/v1/verify"


@dataclass(frozen=True)
class ResultFile:
    content: bytes
    content_type: str
    filename: str


def _picked(translations: dict[str, str] | None, language: str) -> str | None:
    return pick(translations, language) if translations else None


class Cases(Application[UUID]):
    """Use cases of applications and decisions (two-way and transactional services)."""

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
        self._locks_guard = threading.Lock()
        self._numbering_locks: dict[tuple[str, int], threading.Lock] = {}

    @property
    def deps(self) -> CaseDependencies:
        if self._deps is None:
            raise RuntimeError("this Cases instance only reads events; it has no adapters")
        return self._deps

    # --- reading ----------------------------------------------------------------------------

    def _get(self, cls: type[Any], aggregate_id: UUID) -> Any:
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, cls) else None

    def load(self, key: str) -> ServiceApplication:
        """An application by id or tracking number (ApplicationNotFound otherwise)."""
        application_id: UUID | None = None
        if TRACKING_NUMBER.fullmatch(key):
            index = self._get(TrackingNumberIndex, TrackingNumberIndex.create_id(key))
            application_id = index.application_id if index else None
        else:
            try:
                application_id = UUID(key)
            except ValueError:
                application_id = None
        application = self._get(ServiceApplication, application_id) if application_id else None
        if application is None:
            raise ApplicationNotFound(f"no application {key!r}")
        assert isinstance(application, ServiceApplication)
        return application

    def applicant_ref(self, pinfl: str) -> str:
        """A stable pseudonym of a citizen: read models key citizens by it, never by PINFL."""
        return hmac.new(self.deps.pseudonym_key, pinfl.encode(), hashlib.sha256).hexdigest()

    def _visible(self, principal: Principal, application: ServiceApplication) -> None:
        """Who may read this case: its applicant (others get 404, as if it did not exist),
        officers of its agency or of the agency it was escalated to, auditors, admins."""
        if principal.role == CITIZEN:
            if application.applicant != principal.subject:
                raise ApplicationNotFound(f"no application {application.tracking_number!r}")
            return
        if principal.role == OFFICER:
            agencies = {application.agency.code if application.agency else None}
            if application.escalated_to is not None:
                agencies.add(application.escalated_to.code)
            if principal.agency not in agencies:
                raise NotYourAgency(
                    f"application {application.tracking_number} is handled by another agency"
                )
            return
        if principal.role in (AUDITOR, ADMIN):
            return
        raise RoleNotAllowed(f"the {principal.role} role cannot read applications")

    def view(
        self, principal: Principal, ctx: CommandContext, key: str, *, purpose: str
    ) -> ServiceApplication:
        """Read a case; a read by anyone but its applicant is on the record."""
        application = self.load(key)
        self._visible(principal, application)
        if principal.role != CITIZEN:
            self._record_read(principal, ctx, "application.read", application, purpose)
        return application

    def _record_read(
        self,
        principal: Principal,
        ctx: CommandContext,
        action: str,
        application: ServiceApplication,
        purpose: str,
    ) -> None:
        self.deps.access_log.record(
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

    def decision(self, decision_id: UUID) -> Decision:
        decision = self._get(Decision, decision_id)
        if decision is None:
            raise DecisionNotFound("no such decision")
        assert isinstance(decision, Decision)
        return decision

    # --- the citizen's commands -------------------------------------------------------------

    def submit(
        self,
        principal: Principal,
        ctx: CommandContext,
        *,
        service_code: str,
        territory: str,
        form: dict[str, Any],
        attachments: list[AttachmentUpload],
        language: str | None = None,
        idempotency_key: str | None = None,
        exemption: str | None = None,
    ) -> ServiceApplication:
        """Submit, validate against the pinned version, route to the responsible agency,
        assess the fee (nothing for an exempt applicant, with the legal basis recorded) and
        start the legal term, after payment for a fee owed: one transaction."""
        if principal.role != CITIZEN:
            raise RoleNotAllowed("only citizens submit applications")
        deps = self.deps
        application_id = (
            natural_id("applications", f"{principal.subject}:{idempotency_key}")
            if idempotency_key
            else uuid4()
        )
        existing: ServiceApplication | None = self._get(ServiceApplication, application_id)
        if existing is not None:
            return existing  # the same submission, retried after its response was lost
        service = deps.catalogue.find_service(service_code)
        if service is None:
            raise ServiceNotApplicable(f"service_code: no service has code {service_code!r}")
        if service.status != "active":
            raise ServiceNotActive(
                f"service {service_code} is {service.status}; it takes no applications"
            )
        version = service.current
        terms = version.terms
        if terms.form not in (3, 4):
            raise ServiceNotApplicable(
                f"service {service_code} is a form-{terms.form} service: it publishes "
                "information or a form to fill in, and takes no online applications"
            )
        failures = form_errors(terms.form_schema, form)
        if failures:
            raise InvalidForm(
                "form does not satisfy the service's form schema: "
                + "; ".join(f"{f.pointer}: {f.message}" for f in failures[:5]),
                [(f.pointer, f.message) for f in failures],
            )
        agency = self._responsible_agency(version, territory)
        check_uploads(attachments, terms.required_documents)
        stored = [
            Attachment(
                a.document, a.filename, a.content_type, len(a.content), deps.blobs.put(a.content)
            )
            for a in attachments
        ]
        today = deps.clock.today()
        fee = terms.fee.amount_on(today, self._bhm_rates())
        exempt: dict[str, str] | None = None
        if exemption is not None:
            category = next((e for e in terms.exemptions if e.code == exemption), None)
            if category is None:
                known = ", ".join(e.code for e in terms.exemptions) or "none"
                raise InvalidInput(
                    f"exemption: {service_code} has no exemption {exemption!r} (known: {known})"
                )
            exempt = {"code": category.code, "legal_basis": category.legal_basis}
            fee = Money(0, fee.currency)
        tracking_number = f"AR-{today.year}-{deps.sequences.next_value('tracking'):07d}"
        application = ServiceApplication.submit(
            application_id=application_id,
            tracking_number=tracking_number,
            service_code=service_code,
            service_version=version.number,
            applicant=principal.subject,
            applicant_ref=self.applicant_ref(principal.subject),
            applicant_name=principal.name,
            language=language or DEFAULT_LANGUAGE,
            territory=territory,
            form=form,
            attachments=stored,
            meta=ctx.meta(),
        )
        application.route(
            agency=agency,
            term_working_days=terms.deadline_working_days,
            fee=(fee.amount, fee.currency, exempt),
            today=today,
            calendar=self.working_calendar(),
            meta=ctx.meta(),
        )
        index = TrackingNumberIndex(tracking_number=tracking_number, application_id=application.id)
        try:
            self.save(application, index)
        except IntegrityError:
            raced: ServiceApplication | None = self._get(ServiceApplication, application_id)
            if raced is not None and raced.applicant == principal.subject:
                return raced
            raise ConcurrentModification("a submission with this key is being recorded") from None
        return application

    def _responsible_agency(self, version: ServiceVersion, territory: str) -> Any:
        deps = self.deps
        found = deps.catalogue.find_territory(territory)
        if found is None:
            raise NoResponsibleAgency(f"territory: no territory has SOATO code {territory!r}")
        terms = version.terms
        levels = _TERRITORY_LEVEL_FOR[terms.jurisdiction]
        if levels is not None and found.level not in levels:
            raise NoResponsibleAgency(
                f"territory: a {terms.jurisdiction}-level service needs a "
                f"{' or '.join(levels)} SOATO code, got the {found.level} {territory}"
            )
        agency = deps.directory.responsible_agency(terms.agency_kind, terms.jurisdiction, territory)
        if agency is None:
            raise NoResponsibleAgency(
                f"no {terms.agency_kind} agency at {terms.jurisdiction} level serves "
                f"territory {territory}"
            )
        return agency

    def working_calendar(self) -> WorkingCalendar:
        calendar = self.deps.catalogue.find(HolidayCalendar, HolidayCalendar.create_id())
        return calendar.working_calendar if calendar is not None else WorkingCalendar()

    def _bhm_rates(self) -> BhmRates:
        schedule = self.deps.catalogue.find(BhmSchedule, BhmSchedule.create_id())
        return schedule.rates if schedule is not None else BhmRates()

    def provide_information(
        self,
        principal: Principal,
        ctx: CommandContext,
        key: str,
        *,
        message: str,
        form: dict[str, Any] | None,
    ) -> ServiceApplication:
        application = self._owned(principal, key)
        changes = form or {}
        if changes:
            schema = self._terms(application).terms.form_schema
            failures = form_errors(schema, {**application.form, **changes})
            if failures:
                raise InvalidForm(
                    "the corrected form does not satisfy the service's form schema: "
                    + "; ".join(f"{f.pointer}: {f.message}" for f in failures[:5]),
                    [(f.pointer, f.message) for f in failures],
                )
        application.provide_information(
            message=message,
            form=changes,
            today=self.deps.clock.today(),
            calendar=self.working_calendar(),
            meta=ctx.meta(),
        )
        self._save(application)
        return application

    def withdraw(
        self, principal: Principal, ctx: CommandContext, key: str, *, reason: str
    ) -> ServiceApplication:
        application = self._owned(principal, key)
        application.withdraw(reason=reason, meta=ctx.meta())
        self._save(application)
        return application

    def _owned(self, principal: Principal, key: str) -> ServiceApplication:
        if principal.role != CITIZEN:
            raise RoleNotAllowed("only the applicant can do this")
        application = self.load(key)
        self._visible(principal, application)
        return application

    # --- the officer's commands -------------------------------------------------------------

    def handled(self, principal: Principal, key: str) -> ServiceApplication:
        """An application the officer's agency handles (403 for other agencies' officers)."""
        if principal.role != OFFICER:
            raise RoleNotAllowed("only officers of the handling agency can do this")
        application = self.load(key)
        if application.agency is None or application.agency.code != principal.agency:
            raise NotYourAgency(
                f"application {application.tracking_number} is handled by another agency"
            )
        return application

    def accept(self, principal: Principal, ctx: CommandContext, key: str) -> ServiceApplication:
        application = self.handled(principal, key)
        application.accept(officer=principal.subject, meta=ctx.meta())
        self._save(application)
        return application

    def release(self, principal: Principal, ctx: CommandContext, key: str) -> ServiceApplication:
        application = self.handled(principal, key)
        application.release(officer=principal.subject, meta=ctx.meta())
        self._save(application)
        return application

    def request_information(
        self, principal: Principal, ctx: CommandContext, key: str, *, message: str
    ) -> ServiceApplication:
        application = self.handled(principal, key)
        application.request_information(
            officer=principal.subject,
            message=message,
            today=self.deps.clock.today(),
            meta=ctx.meta(),
        )
        self._save(application)
        return application

    def close_case(
        self, principal: Principal, ctx: CommandContext, key: str, *, reason: str
    ) -> ServiceApplication:
        application = self.handled(principal, key)
        application.close(reason=reason, meta=ctx.meta())
        self._save(application)
        return application

    def decide(
        self,
        principal: Principal,
        ctx: CommandContext,
        key: str,
        *,
        outcome: str,
        reasons: str,
        legal_basis: str,
    ) -> Decision:
        """Decide, render the result document in the applicant's language, record its hashes
        and a verification code, and issue the result: one transaction, with the next
        registration number of the agency's year (retried when another decision of the
        agency took that number meanwhile)."""
        agency = self.handled(principal, key).agency
        assert agency is not None
        # Decisions of one agency's year take their numbers one at a time in this process
        # (a conflict would cost a second rendering); another process's is retried.
        with self._numbering_lock(agency.code, self.deps.clock.today().year):
            for attempt in range(1, DECISION_ATTEMPTS + 1):
                try:
                    return self._decide(
                        principal,
                        ctx,
                        key,
                        outcome=outcome,
                        reasons=reasons,
                        legal_basis=legal_basis,
                    )
                except ConcurrentModification:
                    if attempt == DECISION_ATTEMPTS:
                        raise
        raise AssertionError("unreachable")

    def _numbering_lock(self, agency_code: str, year: int) -> threading.Lock:
        with self._locks_guard:
            return self._numbering_locks.setdefault((agency_code, year), threading.Lock())

    def _decide(
        self,
        principal: Principal,
        ctx: CommandContext,
        key: str,
        *,
        outcome: str,
        reasons: str,
        legal_basis: str,
    ) -> Decision:
        deps = self.deps
        application = self.handled(principal, key)
        assert application.agency is not None
        now = deps.clock.now()
        counter = self._registration_counter(application.agency.code, deps.clock.today().year)
        registration_number = counter.issue(meta=ctx.meta())
        decision_id = Decision.create_id(registration_number)
        application.decide(
            officer=principal.subject,
            outcome=outcome,
            decision_id=decision_id,
            registration_number=registration_number,
            today=deps.clock.today(),
            calendar=self.working_calendar(),
            meta=ctx.meta(),
        )
        if not reasons.strip() or not legal_basis.strip():
            raise InvalidInput("a decision states its reasons and its legal basis")
        code = "-".join(secrets.token_hex(2).upper() for _ in range(3))
        language = application.language if application.language in LANGUAGES else DEFAULT_LANGUAGE
        version = self._terms(application)
        agency = deps.directory.agency_details(application.agency.id)
        granted = what_is_granted(
            version.terms,
            application.form,
            language,
            outcome=outcome,
            decided_on=deps.clock.today(),
        )
        rendered = deps.renderer.render(
            ResultData(
                language=language,
                outcome=outcome,
                registration_number=registration_number,
                verification_code=code,
                decided_at=now,
                tracking_number=application.tracking_number,
                service_name=pick(version.terms.names, language),
                agency_name=pick(agency.names, language) if agency else application.agency.code,
                officer=principal.subject,
                applicant_name=application.applicant_name or "—",
                applicant_pinfl_masked=mask_pinfl(application.applicant),
                reasons=reasons.strip(),
                legal_basis=legal_basis.strip(),
                result_kind=version.terms.result_kind,
                granted=granted.facts,
                validity=granted.validity,
                officer_name=principal.name,
                officer_position=principal.position,
                agency_parent_name=_picked(agency.parent_names, language) if agency else None,
                agency_territory_name=_picked(agency.territory_names, language) if agency else None,
            )
        )
        documents = {kind: deps.blobs.put(content) for kind, content in rendered.items()}
        decision = Decision.issue(
            registration_number=registration_number,
            application_id=application.id,
            tracking_number=application.tracking_number,
            agency_id=application.agency.id,
            agency_code=application.agency.code,
            service_code=application.service_code,
            service_version=application.service_version,
            officer=principal.subject,
            outcome=outcome,
            reasons=reasons,
            legal_basis=legal_basis,
            decided_at=now.isoformat(),
            documents=documents,
            verification_code=code,
            meta=ctx.meta(),
        )
        application.issue_result(documents=documents, meta=ctx.meta())
        self._save(application, decision, counter)
        return decision

    def _registration_counter(self, agency_code: str, year: int) -> RegistrationCounter:
        counter_id = RegistrationCounter.create_id(agency_code, year)
        counter: RegistrationCounter | None = self._get(RegistrationCounter, counter_id)
        return counter or RegistrationCounter.start(agency_code, year)

    def _terms(self, application: ServiceApplication) -> ServiceVersion:
        service = self.deps.catalogue.get_service(application.service_code)
        version = service.terms_version(application.service_version)
        assert version is not None, "a pinned version is never removed"
        return version

    def created_for_key(
        self, kind: str, principal: Principal, idempotency_key: str | None
    ) -> UUID | None:
        """What ``principal``'s earlier request with this Idempotency-Key created, if any."""
        if not idempotency_key:
            return None
        scope = RequestKeyIndex.scope_of(principal.subject, idempotency_key)
        index = self._get(RequestKeyIndex, RequestKeyIndex.create_id(kind, scope))
        return index.target_id if isinstance(index, RequestKeyIndex) else None

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
            self._save(created, *others)
            return created.id
        scope = RequestKeyIndex.scope_of(principal.subject, idempotency_key)
        index = RequestKeyIndex(kind, scope, created.id)
        try:
            self._save(created, *others, index)
        except ConcurrentModification:
            winner = self.created_for_key(kind, principal, idempotency_key)
            if winner is None:
                raise
            return winner
        return created.id

    def _save(self, *aggregates: Aggregate) -> None:
        try:
            self.save(*aggregates)
        except IntegrityError:
            raise ConcurrentModification(
                "the application was changed by another request meanwhile; reload it and retry"
            ) from None

    # --- results and verification -----------------------------------------------------------

    def result(
        self, principal: Principal, ctx: CommandContext, key: str, *, file_format: str
    ) -> ResultFile:
        application = self.load(key)
        self._visible(principal, application)
        sha256 = application.documents.get(file_format)
        if sha256 is None:
            raise ApplicationNotFound(
                f"application {application.tracking_number} has no {file_format} result yet"
            )
        content = self.deps.blobs.get(sha256)
        if content is None or hashlib.sha256(content).hexdigest() != sha256:
            raise DecisionNotFound("the result document is missing from storage")
        if principal.role != CITIZEN:
            self._record_read(principal, ctx, "result.download", application, "result document")
        media = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}[file_format]
        return ResultFile(content, media, f"{application.registration_number}.{file_format}")

    def verify(self, ctx: CommandContext, registration_number: str, code: str) -> Decision:
        """Confirm a decision by its registration number and verification code. A wrong
        code answers like an unknown number, so numbers cannot be probed."""
        decision = self._get(Decision, Decision.create_id(registration_number))
        if decision is None or not decision.verifies(code):
            raise DecisionNotFound("no decision has this registration number and verification code")
        self.deps.access_log.record(
            AccessEntry(
                actor="public",
                role="public",
                action="decision.verify",
                subject_kind="application",  # in the applicant's access log
                subject_id=str(decision.application_id),
                purpose="public verification",
                correlation_id=ctx.correlation_id,
            )
        )
        assert isinstance(decision, Decision)
        return decision

    # --- the system's commands (deadline checks, calendar changes) -------------------------

    def check_deadline(self, ctx: CommandContext, application_id: UUID) -> bool:
        """Record a breach of the legal term and escalate to the parent agency; False when
        there is nothing to record (within term, already recorded, no longer open)."""
        application = self._get(ServiceApplication, application_id)
        if application is None or application.agency is None:
            return False
        parent = None
        ref = self.deps.directory.agency_ref(application.agency.id)
        if ref is not None and ref.parent_id is not None:
            parent = self.deps.directory.agency_ref(ref.parent_id)
        try:
            application.check_deadline(
                today=self.deps.clock.today(), escalate_to=parent, meta=ctx.meta()
            )
        except (NothingChanged, InvalidTransition):
            return False
        self._save(application)
        return True

    def recompute_due_date(
        self, ctx: CommandContext, application_id: UUID, calendar: WorkingCalendar
    ) -> bool:
        """Follow a holiday calendar change; False when the due date stays."""
        application = self._get(ServiceApplication, application_id)
        if application is None:
            return False
        try:
            application.recompute_due_date(calendar=calendar, meta=ctx.meta())
        except (NothingChanged, InvalidTransition):
            return False
        self._save(application)
        return True
