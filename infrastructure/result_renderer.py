"""The ResultRenderer port over the result-document templates."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from application.ports import ResultData
from infrastructure.documents import ResultDocument, render_html, render_pdf


class DocumentRenderer:
    """Renders a decision's result as PDF and HTML; the verification link points at
    ``{public_base_url}/v1/verify/{registration number}?code=...``."""

    def __init__(self, public_base_url: str) -> None:
        self.public_base_url = public_base_url.rstrip("/")

    def verification_url(self, registration_number: str, code: str) -> str:
        return (
            f"{self.public_base_url}/v1/verify/{quote(registration_number)}?"
            f"{urlencode({'code': code})}"
        )

    def render(self, data: ResultData) -> dict[str, bytes]:
        document = ResultDocument(
            language=data.language,
            outcome=data.outcome,
            registration_number=data.registration_number,
            verification_code=data.verification_code,
            verification_url=self.verification_url(
                data.registration_number, data.verification_code
            ),
            decided_at=data.decided_at,
            tracking_number=data.tracking_number,
            service_name=data.service_name,
            agency_name=data.agency_name,
            officer=data.officer,
            applicant_name=data.applicant_name,
            applicant_pinfl_masked=data.applicant_pinfl_masked,
            reasons=data.reasons,
            legal_basis=data.legal_basis,
            result_kind=data.result_kind,
            granted=data.granted,
            validity=data.validity,
            officer_name=data.officer_name,
            officer_position=data.officer_position,
            agency_parent_name=data.agency_parent_name,
            agency_territory_name=data.agency_territory_name,
        )
        return {"pdf": render_pdf(document), "html": render_html(document)}
