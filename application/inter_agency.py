"""Inter-agency requests: inside a case, the handling officer asks another agency for data;
that agency answers (data and/or a document) or refuses; unanswered past its term, the
request is overdue and escalated to the receiving agency's parent.

Requests are stored with the cases (encrypted): each joins its case's history.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from application.attachments import AttachmentUpload, check_files
from application.authorization import AGENCY, authorize
from application.case_attached import CaseAttached, parent_of
from application.cases import Cases
from application.ports import AgencyDirectory, BlobStore, Clock, NumberSequence
from application.principal import Principal
from domain.context import CommandContext
from domain.errors import (
    InvalidInput,
    NotYourAgency,
    RequestNotFound,
)
from domain.inter_agency import DEFAULT_TERM_WORKING_DAYS, InterAgencyRequest
from domain.quoting import quoted

ANSWER_DOCUMENT = "answer"


def request_id(number: str) -> UUID:
    return InterAgency.id_of(number)


class InterAgency(CaseAttached[InterAgencyRequest]):
    aggregate_class = InterAgencyRequest
    id_namespace = "inter-agency-requests"
    kind = "inter_agency_request"
    not_found = RequestNotFound
    what = "inter-agency request"

    def __init__(
        self,
        cases: Cases,
        *,
        directory: AgencyDirectory,
        clock: Clock,
        sequences: NumberSequence,
        blobs: BlobStore,
    ) -> None:
        super().__init__(cases, directory=directory, clock=clock, sequences=sequences)
        self.blobs = blobs

    def _visible(self, principal: Principal, request: InterAgencyRequest) -> None:
        """Officers of the requesting, the receiving and (once escalated) its parent agency;
        auditors and administrators. Officers of uninvolved agencies: 404."""
        not_found = RequestNotFound(f"no inter-agency request {quoted(request.number)}")
        permission = authorize(principal, "inter_agency.read", not_found=not_found)
        if permission.reach_of(principal.role) == AGENCY and not (
            principal.agency and request.involves(principal.agency)
        ):
            raise not_found

    def view(self, principal: Principal, ctx: CommandContext, key: str) -> InterAgencyRequest:
        """A request for the agencies involved, on the record (it carries case data)."""
        request = self.load(key)
        self._visible(principal, request)
        self._record_read(
            principal,
            ctx,
            action="inter_agency_request.read",
            subject_kind="application",  # it carries the applicant's case data
            subject_id=request.application_id,
            purpose="inter-agency request",
        )
        return request

    def request(
        self,
        principal: Principal,
        ctx: CommandContext,
        application: str,
        *,
        to_agency: str,
        requested_data: str,
        purpose: str,
        legal_basis: str,
        term_working_days: int = DEFAULT_TERM_WORKING_DAYS,
        idempotency_key: str | None = None,
    ) -> InterAgencyRequest:
        """Ask ``to_agency`` (a code) for data inside a case the officer's agency handles. A
        retry with the same Idempotency-Key returns the request it made."""
        case = self.cases.handled(principal, application)
        made = self._created_before(principal, idempotency_key)
        if made is not None:
            return made
        assert case.agency is not None
        receiver = self.directory.agency_by_code(to_agency)
        if receiver is None:
            raise InvalidInput(f"to_agency: no agency has the code {quoted(to_agency)}")
        number = self._next_number("IA", "inter_agency")
        request = InterAgencyRequest.request(
            request_id=request_id(number),
            number=number,
            application_id=case.id,
            tracking_number=case.tracking_number,
            service_code=case.service_code,
            territory=case.territory,
            from_agency=case.agency,
            to_agency=receiver,
            officer=principal.subject,
            requested_data=requested_data,
            purpose=purpose,
            legal_basis=legal_basis,
            term_working_days=term_working_days,
            today=self.clock.today(),
            calendar=self.cases.working_calendar(),
            meta=ctx.meta(),
        )
        return self._save_new(principal, idempotency_key, request)

    def _answering(self, principal: Principal, key: str) -> InterAgencyRequest:
        authorize(principal, "inter_agency.handle")
        assert principal.agency is not None  # an officer acts for an agency
        request = self.load(key)
        self._visible(principal, request)
        if not request.may_answer(principal.agency):
            raise NotYourAgency(f"request {request.number} is answered by {request.to_agency.code}")
        return request

    def answer(
        self,
        principal: Principal,
        ctx: CommandContext,
        key: str,
        *,
        data: dict[str, Any],
        document: AttachmentUpload | None = None,
    ) -> InterAgencyRequest:
        request = self._answering(principal, key)
        assert principal.agency is not None
        sha256 = None
        if document is not None:
            check_files([document], {ANSWER_DOCUMENT})
            sha256 = self.blobs.put(document.content)
        request.answer_request(
            officer=principal.subject,
            agency_code=principal.agency,
            data=data,
            document_sha256=sha256,
            today=self.clock.today(),
            meta=ctx.meta(),
        )
        self.cases.store(request)
        return request

    def refuse(
        self, principal: Principal, ctx: CommandContext, key: str, *, reason: str
    ) -> InterAgencyRequest:
        request = self._answering(principal, key)
        assert principal.agency is not None
        request.refuse(
            officer=principal.subject,
            agency_code=principal.agency,
            reason=reason,
            today=self.clock.today(),
            meta=ctx.meta(),
        )
        self.cases.store(request)
        return request

    def check_deadline(self, ctx: CommandContext, aggregate_id: UUID) -> bool:
        """Mark an unanswered request overdue and escalate it to the receiving agency's
        parent; False when nothing changed."""
        return self._check_deadline(
            ctx, aggregate_id, lambda request: parent_of(self.directory, request.to_agency.id)
        )
