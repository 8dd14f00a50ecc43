"""Decisions on applications: the officer decides, the result document is rendered in the
applicant's language and issued; the applicant (or whoever may read the case) downloads it;
anyone verifies a decision by its registration number and verification code."""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass

from application.cases import Cases
from application.ports import (
    AccessEntry,
    AgencyDirectory,
    BlobStore,
    Clock,
    ResultData,
    ResultRenderer,
)
from application.principal import Principal
from application.result_facts import mask_pinfl, what_is_granted
from domain.context import CommandContext
from domain.decision import Decision
from domain.errors import (
    ApplicationNotFound,
    ConcurrentModification,
    DecisionNotFound,
    InvalidInput,
    StoredFileDamaged,
)
from domain.i18n import DEFAULT_LANGUAGE, LANGUAGES, pick
from domain.identity import CITIZEN
from domain.registration import RegistrationCounter

# A decision retries this often when concurrent decisions of its agency take its number.
DECISION_ATTEMPTS = 5


@dataclass(frozen=True)
class ResultFile:
    content: bytes
    content_type: str
    filename: str


def _picked(translations: dict[str, str] | None, language: str) -> str | None:
    return pick(translations, language) if translations else None


class Decisions:
    """Use cases of decisions and their result documents."""

    def __init__(
        self,
        cases: Cases,
        *,
        directory: AgencyDirectory,
        clock: Clock,
        blobs: BlobStore,
        renderer: ResultRenderer,
    ) -> None:
        self.cases = cases
        self.directory = directory
        self.clock = clock
        self.blobs = blobs
        self.renderer = renderer
        self._locks_guard = threading.Lock()
        self._numbering_locks: dict[tuple[str, int], threading.Lock] = {}

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
        agency = self.cases.handled(principal, key).agency
        assert agency is not None
        # Decisions of one agency's year take their numbers one at a time in this process
        # (a conflict would cost a second rendering); another process's is retried.
        with self._numbering_lock(agency.code, self.clock.today().year):
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
        cases = self.cases
        application = cases.handled(principal, key)
        assert application.agency is not None
        now = self.clock.now()
        counter = self._registration_counter(application.agency.code, self.clock.today().year)
        registration_number = counter.issue(meta=ctx.meta())
        decision_id = Decision.create_id(registration_number)
        application.decide(
            officer=principal.subject,
            outcome=outcome,
            decision_id=decision_id,
            registration_number=registration_number,
            today=self.clock.today(),
            calendar=cases.working_calendar(),
            meta=ctx.meta(),
        )
        if not reasons.strip() or not legal_basis.strip():
            raise InvalidInput("a decision states its reasons and its legal basis")
        code = "-".join(secrets.token_hex(2).upper() for _ in range(3))
        language = application.language if application.language in LANGUAGES else DEFAULT_LANGUAGE
        version = cases.terms_of(application)
        agency = self.directory.agency_details(application.agency.id)
        granted = what_is_granted(
            version.terms,
            application.form,
            language,
            outcome=outcome,
            decided_on=self.clock.today(),
        )
        rendered = self.renderer.render(
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
        documents = {kind: self.blobs.put(content) for kind, content in rendered.items()}
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
        cases.store(application, decision, counter)
        return decision

    def _registration_counter(self, agency_code: str, year: int) -> RegistrationCounter:
        counter_id = RegistrationCounter.create_id(agency_code, year)
        counter = self.cases.find(RegistrationCounter, counter_id)
        return counter or RegistrationCounter.start(agency_code, year)

    # --- results and verification -----------------------------------------------------------

    def result(
        self, principal: Principal, ctx: CommandContext, key: str, *, file_format: str
    ) -> ResultFile:
        """The result document of a decided application, checked against its recorded
        hash; a download by anyone but the applicant is on the record."""
        application = self.cases.load(key)
        self.cases.visible(principal, application, key)
        sha256 = application.documents.get(file_format)
        if sha256 is None:
            raise ApplicationNotFound(
                f"application {application.tracking_number} has no {file_format} result yet"
            )
        where = f"the {file_format} result document of application {application.tracking_number}"
        try:
            content = self.blobs.get(sha256)
        except StoredFileDamaged:
            raise StoredFileDamaged(f"{where} is damaged in storage and is not served") from None
        if content is None:
            raise DecisionNotFound("the result document is missing from storage")
        if hashlib.sha256(content).hexdigest() != sha256:
            raise StoredFileDamaged(f"{where} does not match its recorded sha256 and is not served")
        if principal.role != CITIZEN:
            self.cases.record_read(
                principal, ctx, "result.download", application, "result document"
            )
        media = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}[file_format]
        return ResultFile(content, media, f"{application.registration_number}.{file_format}")

    def verify(self, ctx: CommandContext, registration_number: str, code: str) -> Decision:
        """Confirm a decision by its registration number and verification code. A wrong
        code answers like an unknown number, so numbers cannot be probed."""
        decision = self.cases.find(Decision, Decision.create_id(registration_number))
        if decision is None or not decision.verifies(code):
            raise DecisionNotFound("no decision has this registration number and verification code")
        self.cases.record_access(
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
        return decision
