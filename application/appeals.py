"""Citizens' appeals: filed with the hokimiyat that owns the territory, answered within the
legal term, escalated to the region when overdue or disputed, rated by the citizen.

Appeals are stored with the cases (the same encrypted events table): an appeal about an
application joins that case's history.
"""

from __future__ import annotations

from uuid import UUID

from application.authorization import authorize, authorize_reach
from application.case_attached import CaseAttached
from application.principal import Principal
from domain.agency import AgencyRef
from domain.appeal import REGION, Appeal, subject_level
from domain.appeal_terms import DEFAULT_KIND
from domain.context import CommandContext
from domain.errors import (
    AppealNotFound,
    InvalidTransition,
    NoResponsibleAgency,
    NothingChanged,
    NotYourAgency,
)
from domain.i18n import DEFAULT_LANGUAGE, LANGUAGES
from domain.identity import CITIZEN, OFFICER
from domain.quoting import quoted

HOKIMIYAT = "hokimiyat"


def appeal_id(number: str) -> UUID:
    """An appeal's id follows from its number, so either finds it."""
    return Appeals.id_of(number)


class Appeals(CaseAttached[Appeal]):
    aggregate_class = Appeal
    id_namespace = "appeals"
    kind = "appeal"
    not_found = AppealNotFound
    what = "appeal"

    # --- who may see what ----------------------------------------------------------------

    def _visible(self, principal: Principal, appeal: Appeal) -> None:
        """The appellant; officers of the agency it was filed with or escalated to; auditors
        and administrators. Anyone else: 404, as if it did not exist."""
        authorize_reach(
            principal,
            "appeal.read",
            not_found=AppealNotFound(f"no appeal {quoted(appeal.number)}"),
            owner=appeal.applicant,
            agencies=self._agencies(appeal),
        )

    @staticmethod
    def _agencies(appeal: Appeal) -> set[str]:
        codes = {appeal.agency.code}
        if appeal.escalated_to is not None:
            codes.add(appeal.escalated_to.code)
        return codes

    def view(self, principal: Principal, ctx: CommandContext, key: str) -> Appeal:
        """An appeal for whoever may see it; a read by anyone but the appellant is on the
        record."""
        appeal = self.load(key)
        self._visible(principal, appeal)
        if principal.role != CITIZEN:
            self._record_read(
                principal,
                ctx,
                action="appeal.read",
                subject_kind="appeal",
                subject_id=appeal.id,
                purpose="appeal handling" if principal.role == OFFICER else "oversight",
            )
        return appeal

    def _handling(self, principal: Principal, key: str, action: str = "appeal.handle") -> Appeal:
        """An appeal the officer's agency must answer now (others: 404 or 403)."""
        authorize(principal, action)
        appeal = self.load(key)
        self._visible(principal, appeal)
        if principal.agency != appeal.handling_agency.code:
            raise NotYourAgency(
                f"appeal {appeal.number} is now handled by {appeal.handling_agency.code}"
            )
        return appeal

    def _own(self, principal: Principal, key: str) -> Appeal:
        authorize(principal, "appeal.act_as_appellant")
        appeal = self.load(key)
        self._visible(principal, appeal)
        return appeal

    def _region_of(self, appeal: Appeal) -> AgencyRef | None:
        """Where an appeal escalates: the regional hokimiyat owning its territory (None when
        it is already there)."""
        region = self.directory.responsible_agency(HOKIMIYAT, REGION, appeal.territory)
        if region is None or region.code == appeal.handling_agency.code:
            return None
        return region

    # --- the citizen's commands ----------------------------------------------------------

    def file(
        self,
        principal: Principal,
        ctx: CommandContext,
        *,
        territory: str,
        subject: str,
        text: str,
        application: str | None = None,
        language: str | None = None,
        idempotency_key: str | None = None,
        kind: str = DEFAULT_KIND,
    ) -> Appeal:
        """File an appeal with the district or city hokimiyat owning ``territory`` (the
        region's when the subject belongs higher or the territory is a region). A retry with
        the same Idempotency-Key returns the appeal it filed."""
        authorize(principal, "appeal.file")
        filed = self._created_before(principal, idempotency_key)
        if filed is not None:
            return filed
        level = subject_level(subject)
        agency = self.directory.responsible_agency(HOKIMIYAT, level, territory)
        if agency is None and level != REGION:
            agency = self.directory.responsible_agency(HOKIMIYAT, REGION, territory)
        if agency is None:
            raise NoResponsibleAgency(f"no hokimiyat serves territory {territory}")
        application_id = decision_id = None
        if application is not None:
            case = self.cases.load(application)
            self.cases.visible(principal, case, application)  # one's own only (else 404)
            application_id, decision_id = case.id, case.decision_id
        number = self._next_number("MJ", "appeal")
        appeal = Appeal.file(
            appeal_id=appeal_id(number),
            number=number,
            applicant=principal.subject,
            applicant_ref=self.cases.applicant_ref(principal.subject),
            territory=territory,
            subject=subject,
            text=text,
            language=language if language in LANGUAGES else DEFAULT_LANGUAGE,
            application_id=application_id,
            decision_id=decision_id,
            agency=agency,
            today=self.clock.today(),
            meta=ctx.meta(),
            kind=kind,
            calendar=self.cases.working_calendar(),
        )
        return self._save_new(principal, idempotency_key, appeal)

    def dispute(
        self, principal: Principal, ctx: CommandContext, key: str, *, reason: str
    ) -> Appeal:
        appeal = self._own(principal, key)
        appeal.dispute(
            reason=reason,
            today=self.clock.today(),
            escalate_to=self._region_of(appeal),
            meta=ctx.meta(),
            calendar=self.cases.working_calendar(),
        )
        self.cases.store(appeal)
        return appeal

    def rate(self, principal: Principal, ctx: CommandContext, key: str, *, rating: int) -> Appeal:
        appeal = self._own(principal, key)
        appeal.rate(rating=rating, meta=ctx.meta())
        self.cases.store(appeal)
        return appeal

    # --- the agency's commands -----------------------------------------------------------

    def answer(self, principal: Principal, ctx: CommandContext, key: str, *, text: str) -> Appeal:
        appeal = self._handling(principal, key)
        assert principal.agency is not None
        appeal.answer_appeal(
            officer=principal.subject,
            agency_code=principal.agency,
            text=text,
            today=self.clock.today(),
            meta=ctx.meta(),
        )
        self.cases.store(appeal)
        return appeal

    def extend(self, principal: Principal, ctx: CommandContext, key: str, *, reason: str) -> Appeal:
        """Extended for study: one month from filing (once; not for proposals)."""
        appeal = self._handling(principal, key)
        appeal.extend(
            officer=principal.subject,
            reason=reason,
            meta=ctx.meta(),
            calendar=self.cases.working_calendar(),
        )
        self.cases.store(appeal)
        return appeal

    def extend_by_head(
        self, principal: Principal, ctx: CommandContext, key: str, *, reason: str
    ) -> Appeal:
        """The head's exceptional extension by one more month (once; not for proposals)."""
        appeal = self._handling(principal, key, "appeal.extend_as_head")
        appeal.extend_by_head(
            officer=principal.subject,
            position=principal.position,
            reason=reason,
            meta=ctx.meta(),
            calendar=self.cases.working_calendar(),
        )
        self.cases.store(appeal)
        return appeal

    # --- the system's ---------------------------------------------------------------------

    def check_deadline(self, ctx: CommandContext, appeal_id: UUID) -> bool:
        """Record a missed term and escalate to the region (with a new term counted on the
        holiday calendar); False when nothing changed."""
        appeal = self.find(appeal_id)
        if appeal is None:
            return False
        try:
            appeal.check_deadline(
                today=self.clock.today(),
                escalate_to=self._region_of(appeal),
                meta=ctx.meta(),
                calendar=self.cases.working_calendar(),
            )
        except (NothingChanged, InvalidTransition):
            return False
        self.cases.store(appeal)
        return True
