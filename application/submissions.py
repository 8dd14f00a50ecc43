"""The citizen's commands on an application: submit it, provide requested information,
withdraw it. Authorization is enforced here, not only in routes: a citizen changes only
their own applications."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from eventsourcing.persistence import IntegrityError

from application.attachments import AttachmentUpload, check_uploads
from application.authorization import authorize
from application.cases import Cases
from application.forms import form_errors
from application.ports import AgencyDirectory, BlobStore, Clock, NumberSequence
from application.principal import Principal
from domain.agency import AgencyRef
from domain.attachment import Attachment
from domain.context import CommandContext
from domain.errors import (
    ConcurrentModification,
    InvalidForm,
    InvalidInput,
    NoResponsibleAgency,
    ServiceNotActive,
    ServiceNotApplicable,
)
from domain.fees import Money
from domain.i18n import DEFAULT_LANGUAGE
from domain.identity_fields import Identity, bind_identity
from domain.ids import natural_id
from domain.indexes import TrackingNumberIndex
from domain.quoting import quoted
from domain.service import ServiceVersion
from domain.service_application import ServiceApplication
from domain.territory import CITY, DISTRICT, REGION

# The applicant's territory must be at least as specific as the service's jurisdiction:
# a district service needs a district or city; a regional one any place in a region.
_TERRITORY_LEVEL_FOR = {
    "republic": None,
    "region": (REGION, DISTRICT, CITY),
    "district": (DISTRICT, CITY),
}


def _form_failure(intro: str, failures: list[Any]) -> InvalidForm:
    return InvalidForm(
        intro + "; ".join(f"{f.pointer}: {f.message}" for f in failures[:5]),
        [(f.pointer, f.message) for f in failures],
    )


def _identity(principal: Principal) -> Identity:
    return Identity(pinfl=principal.subject, name=principal.name)


def _identity_failure(refused: list[tuple[str, str]]) -> InvalidForm:
    return InvalidForm(
        "form: fields that identify the applicant come from your identity: "
        + "; ".join(f"{pointer}: {message}" for pointer, message in refused),
        refused,
    )


class Submissions:
    """Use cases of applicants (two-way and transactional services)."""

    def __init__(
        self,
        cases: Cases,
        *,
        directory: AgencyDirectory,
        clock: Clock,
        sequences: NumberSequence,
        blobs: BlobStore,
    ) -> None:
        self.cases = cases
        self.directory = directory
        self.clock = clock
        self.sequences = sequences
        self.blobs = blobs

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
        authorize(principal, "application.submit")
        cases = self.cases
        application_id = (
            natural_id("applications", f"{principal.subject}:{idempotency_key}")
            if idempotency_key
            else uuid4()
        )
        existing = cases.find(ServiceApplication, application_id)
        if existing is not None:
            return existing  # the same submission, retried after its response was lost
        service = cases.deps.catalogue.find_service(service_code)
        if service is None:
            raise ServiceNotApplicable(f"service_code: no service has code {quoted(service_code)}")
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
        form, refused = bind_identity(terms.form_schema, form, _identity(principal))
        if refused:
            raise _identity_failure(refused)
        failures = form_errors(terms.form_schema, form)
        if failures:
            raise _form_failure("form does not satisfy the service's form schema: ", failures)
        agency = self.responsible_agency(version, territory)
        check_uploads(attachments, terms.required_documents)
        stored = [
            Attachment(
                a.document, a.filename, a.content_type, len(a.content), self.blobs.put(a.content)
            )
            for a in attachments
        ]
        today = self.clock.today()
        fee = terms.fee.amount_on(today, cases.bhm_rates(), form)
        exempt: dict[str, str] | None = None
        if exemption is not None:
            category = next((e for e in terms.exemptions if e.code == exemption), None)
            if category is None:
                known = ", ".join(e.code for e in terms.exemptions) or "none"
                raise InvalidInput(
                    f"exemption: {service_code} has no exemption "
                    f"{quoted(exemption)} (known: {known})"
                )
            if not category.in_force_on(today):
                raise InvalidInput(
                    f"exemption: {quoted(exemption)} of {service_code} is not in force on "
                    f"{today.isoformat()}"
                )
            exempt = {"code": category.code, "legal_basis": category.legal_basis}
            fee = Money(0, fee.currency)
        tracking_number = f"AR-{today.year}-{self.sequences.next_value('tracking'):07d}"
        application = ServiceApplication.submit(
            application_id=application_id,
            tracking_number=tracking_number,
            service_code=service_code,
            service_version=version.number,
            applicant=principal.subject,
            applicant_ref=cases.applicant_ref(principal.subject),
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
            calendar=cases.working_calendar(),
            meta=ctx.meta(),
        )
        index = TrackingNumberIndex(tracking_number=tracking_number, application_id=application.id)
        try:
            cases.save(application, index)
        except IntegrityError:
            raced = cases.find(ServiceApplication, application_id)
            if raced is not None and raced.applicant == principal.subject:
                return raced
            raise ConcurrentModification("a submission with this key is being recorded") from None
        return application

    def responsible_agency(self, version: ServiceVersion, territory: str) -> AgencyRef:
        """The agency a service's application from ``territory`` is routed to."""
        found = self.cases.deps.catalogue.find_territory(territory)
        if found is None:
            raise NoResponsibleAgency(f"territory: no territory has SOATO code {quoted(territory)}")
        terms = version.terms
        levels = _TERRITORY_LEVEL_FOR[terms.jurisdiction]
        if levels is not None and found.level not in levels:
            raise NoResponsibleAgency(
                f"territory: a {terms.jurisdiction}-level service needs a "
                f"{' or '.join(levels)} SOATO code, got the {found.level} {territory}"
            )
        agency = self.directory.responsible_agency(terms.agency_kind, terms.jurisdiction, territory)
        if agency is None:
            raise NoResponsibleAgency(
                f"no {terms.agency_kind} agency at {terms.jurisdiction} level serves "
                f"territory {territory}"
            )
        return agency

    def provide_information(
        self,
        principal: Principal,
        ctx: CommandContext,
        key: str,
        *,
        message: str,
        form: dict[str, Any] | None,
    ) -> ServiceApplication:
        """Answer an officer's request for information, optionally correcting the form."""
        application = self.cases.owned(principal, key)
        changes = form or {}
        if changes:
            schema = self.cases.terms_of(application).terms.form_schema
            _, refused = bind_identity(schema, changes, _identity(principal))
            if refused:
                raise _identity_failure(refused)
            failures = form_errors(schema, {**application.form, **changes})
            if failures:
                raise _form_failure(
                    "the corrected form does not satisfy the service's form schema: ", failures
                )
        application.provide_information(
            message=message,
            form=changes,
            today=self.clock.today(),
            calendar=self.cases.working_calendar(),
            meta=ctx.meta(),
        )
        self.cases.store(application)
        return application

    def withdraw(
        self, principal: Principal, ctx: CommandContext, key: str, *, reason: str
    ) -> ServiceApplication:
        """Withdraw one's own application."""
        application = self.cases.owned(principal, key)
        application.withdraw(reason=reason, meta=ctx.meta())
        self.cases.store(application)
        return application
