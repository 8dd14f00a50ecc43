"""A result document's facts and the texts both renderers lay out from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Final

from application.result_facts import GrantedFact, ValidityPeriod
from domain.service import RESULT_KINDS, VALIDITY_KINDS
from infrastructure.documents.texts import CERTIFIED_KINDS, LABELS, Labels

#: Decisions are dated in Tashkent time (UTC+5, no daylight saving).
TASHKENT: Final = timezone(timedelta(hours=5), "UTC+05:00")
FONTS_DIR: Final = Path(__file__).resolve().parent / "fonts"
LANGUAGES: Final = frozenset(LABELS)
OUTCOMES: Final = frozenset({"approved", "rejected"})


@dataclass(frozen=True)
class ResultDocument:
    """The facts a result document states; labels come from ``language``."""

    language: str  # "uz-Latn" | "uz-Cyrl" | "ru" | "en"
    outcome: str  # "approved" | "rejected"
    registration_number: str
    verification_code: str
    verification_url: str
    decided_at: datetime  # timezone-aware
    tracking_number: str  # the application's
    service_name: str  # already in `language`
    agency_name: str  # already in `language`
    officer: str  # the deciding officer's account id
    applicant_name: str
    applicant_pinfl_masked: str
    reasons: str
    legal_basis: str
    result_kind: str = "decision"
    granted: tuple[GrantedFact, ...] = ()  # an approval's facts, titled in `language`
    validity: ValidityPeriod | None = None  # an approved permit's or licence's
    officer_name: str | None = None
    officer_position: str | None = None
    agency_parent_name: str | None = None  # in `language`
    agency_territory_name: str | None = None  # in `language`


@dataclass(frozen=True)
class Content:
    """Validated, formatted text of a document: what both renderers lay out."""

    labels: Labels
    title: str
    subtitle: str  # the service's name
    outcome_text: str
    lead: str | None  # a refusal's sentence
    header: tuple[str | None, str]  # the parent agency, the agency
    rows: list[tuple[str, str]]  # the facts of the decision
    granted_heading: str | None
    granted: list[tuple[str, str]]  # what the approval grants, with its validity


def day(value: date) -> str:
    return value.isoformat()


def content(document: ResultDocument) -> Content:
    labels = LABELS.get(document.language)
    if labels is None:
        raise ValueError(
            f"unknown document language {document.language!r}; expected one of "
            f"{', '.join(sorted(LANGUAGES))}"
        )
    if document.outcome not in OUTCOMES:
        raise ValueError(
            f"unknown decision outcome {document.outcome!r}; expected approved or rejected"
        )
    if document.result_kind not in RESULT_KINDS:
        raise ValueError(f"unknown result kind {document.result_kind!r}")
    if document.decided_at.tzinfo is None or document.decided_at.utcoffset() is None:
        raise ValueError("decided_at must be timezone-aware")
    approved = document.outcome == "approved"
    officer = document.officer_name or labels.officer_unnamed.format(account=document.officer)
    if document.officer_position:
        officer = f"{officer}\n{document.officer_position}"
    rows = [
        (labels.registration_number, document.registration_number),
        (labels.decided_at, day(document.decided_at.astimezone(TASHKENT).date())),
        (labels.tracking_number, document.tracking_number),
        (labels.service, document.service_name),
        (labels.agency, document.agency_name),
        *(
            [(labels.territory, document.agency_territory_name)]
            if document.agency_territory_name
            else []
        ),
        (
            labels.applicant,
            f"{document.applicant_name}\n{labels.pinfl}: {document.applicant_pinfl_masked}",
        ),
        (labels.officer, officer),
    ]
    granted = [(fact.label, fact.value) for fact in document.granted] if approved else []
    heading = None
    if approved and document.result_kind in VALIDITY_KINDS:
        heading = labels.terms
        if document.validity is not None:
            until = document.validity.valid_until
            granted += [
                (labels.valid_from, day(document.validity.valid_from)),
                (labels.valid_until, day(until) if until else labels.no_time_limit),
            ]
    elif granted:
        heading = (
            labels.certified if document.result_kind in CERTIFIED_KINDS else labels.particulars
        )
    return Content(
        labels=labels,
        title=labels.kinds[document.result_kind] if approved else labels.refusal,
        subtitle=document.service_name,
        outcome_text=labels.approved if approved else labels.rejected,
        lead=None
        if approved
        else labels.refused.format(
            tracking=document.tracking_number, service=document.service_name
        ),
        header=(document.agency_parent_name, document.agency_name),
        rows=rows,
        granted_heading=heading if granted else None,
        granted=granted,
    )
