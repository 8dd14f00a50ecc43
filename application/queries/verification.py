"""Public verification of a result document: anyone holding it confirms what it says,
and learns nothing about the applicant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from application.catalogue import Catalogue
from application.decisions import Decisions
from domain.context import CommandContext
from domain.i18n import pick
from domain.local_time import local_day


@dataclass(frozen=True)
class VerifiedDocument:
    registration_number: str
    valid: bool  # false once the decision is revoked
    status: str
    outcome: str
    decided_on: date
    service_code: str
    service_name: str  # in the language asked for
    agency_code: str
    agency_name: str
    documents: dict[str, str]  # sha256 of each result document by format


class DocumentVerification:
    def __init__(self, decisions: Decisions, catalogue: Catalogue) -> None:
        self.decisions = decisions
        self.catalogue = catalogue  # names from the catalogue's own state

    def verify(
        self, ctx: CommandContext, registration_number: str, code: str, language: str
    ) -> VerifiedDocument:
        """The decision a registration number and its code name (recorded in the
        applicant's access log); a wrong code answers like an unknown number."""
        decision = self.decisions.verify(ctx, registration_number, code)
        service = self.catalogue.find_service(decision.service_code)
        version = service.terms_version(decision.service_version) if service else None
        agency_names = self.catalogue.agency_names(decision.agency_id) or {}
        return VerifiedDocument(
            registration_number=decision.registration_number,
            valid=decision.status == "valid",
            status=decision.status,
            outcome=decision.outcome,
            decided_on=local_day(datetime.fromisoformat(decision.decided_at)),
            service_code=decision.service_code,
            service_name=pick(version.terms.names, language) if version else decision.service_code,
            agency_code=decision.agency_code,
            agency_name=pick(agency_names, language) if agency_names else decision.agency_code,
            documents=dict(decision.documents),
        )
