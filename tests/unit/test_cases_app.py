"""The cases use cases on in-memory persistence: authorization lives here, not in routes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest

from application.attachments import AttachmentUpload
from application.cases import CaseDependencies, Cases
from application.catalogue import Catalogue
from application.ports import AgencyDetails
from application.principal import Principal
from application.seeding import AgencySpec, ReferenceData, ServiceSpec, expand_agencies, seed
from domain.agency import Agency, AgencyRef
from domain.errors import (
    ApplicationNotFound,
    InvalidAttachment,
    InvalidForm,
    InvalidInput,
    MissingDocuments,
    NoResponsibleAgency,
    NotYourAgency,
    RoleNotAllowed,
    ServiceNotActive,
)
from infrastructure.access_log import MemoryAccessLog
from infrastructure.blobs import MemoryBlobStore
from infrastructure.clock import FixedClock
from infrastructure.result_renderer import DocumentRenderer
from infrastructure.sequences import MemorySequences
from tests.unit.builders import CTX, DAY, names, terms
from tests.unit.test_catalogue_app import KINDS, TERRITORIES

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
A = Principal("31503901234567", "citizen", name="Aziza")
B = Principal("42207951234561", "citizen")
CLERK = Principal("officer-1", "officer", agency="justice-1703")
STRANGER = Principal("officer-9", "officer", agency="justice-1726")
FORM = {"child_name": "Aziz", "birth_date": "2026-11-01"}


class Directory:
    """The agency directory over the expanded reference agencies."""

    def __init__(self, agencies: list[AgencySpec]) -> None:
        self.by_code = {a.code: a for a in agencies}

    def _ref(self, code: str) -> AgencyRef:
        spec = self.by_code[code]
        parent = self.by_code.get(spec.parent) if spec.parent else None
        return AgencyRef(
            _id(code), code, _id(parent.code) if parent else None, parent.code if parent else None
        )

    def responsible_agency(self, kind: str, level: str, territory: str) -> AgencyRef | None:
        for prefix in (territory[:7], territory[:4], territory[:2]):
            spec = self.by_code.get(kind if level == "republic" else f"{kind}-{prefix}")
            if spec is not None and spec.level == level:
                return self._ref(spec.code)
        return None

    def agency_ref(self, agency_id: UUID) -> AgencyRef | None:
        return next((self._ref(c) for c in self.by_code if _id(c) == agency_id), None)

    def agency_by_code(self, code: str) -> AgencyRef | None:
        return self._ref(code) if code in self.by_code else None

    def agency_names(self, agency_id: UUID) -> dict[str, str] | None:
        return next((a.names for c, a in self.by_code.items() if _id(c) == agency_id), None)

    def agency_details(self, agency_id: UUID) -> AgencyDetails | None:
        spec = next((a for c, a in self.by_code.items() if _id(c) == agency_id), None)
        if spec is None:
            return None
        parent = self.by_code.get(spec.parent) if spec.parent else None
        territory = next(t for t in TERRITORIES if t.code == spec.territory)
        return AgencyDetails(
            spec.names, parent.names if parent else None, territory.code, territory.names
        )


def _id(code: str) -> UUID:
    return Agency.create_id(code)


def make_cases() -> Cases:
    """Cases on in-memory persistence over a small seeded catalogue."""
    catalogue = Catalogue()
    services = [
        ServiceSpec("birth-registration", terms(jurisdiction="region")),
        ServiceSpec(
            "paid-licence",
            terms(form=4, jurisdiction="region", fee={"kind": "bhm_multiple", "multiple": "0.5"}),
        ),
        ServiceSpec(
            "repeat-certificate",
            terms(
                jurisdiction="region",
                required_documents=[
                    {"code": "medical-certificate", "names": names("Ma'lumotnoma")},
                    {"code": "power-of-attorney", "names": names("Ishonchnoma"), "optional": True},
                ],
            ),
        ),
    ]
    data = ReferenceData(TERRITORIES, KINDS, services, [(date(2025, 8, 1), 41_200_000)], DAY)
    seed(catalogue, data, CTX, today=NOW.date())
    return Cases(
        deps=CaseDependencies(
            catalogue=catalogue,
            directory=Directory(expand_agencies(KINDS, TERRITORIES)),
            clock=FixedClock(NOW),
            sequences=MemorySequences(),
            blobs=MemoryBlobStore(),
            renderer=DocumentRenderer("https://portal.example"),
            access_log=MemoryAccessLog(),
            pseudonym_key=b"k" * 32,
        )
    )


@pytest.fixture
def cases() -> Cases:
    return make_cases()


# The builders' services require one document, the medical certificate.
MEDICAL = AttachmentUpload("medical-certificate", "m.pdf", "application/pdf", b"%PDF-1.7 m")


def submit(cases: Cases, who: Principal = A, **changes: Any) -> Any:
    fields: dict[str, Any] = {
        "service_code": "birth-registration",
        "territory": "1703202",
        "form": dict(FORM),
        "attachments": [MEDICAL],
    }
    fields.update(changes)
    return cases.submit(who, CTX, **fields)


def test_submission_routes_to_the_regional_office_and_starts_the_term(cases: Cases) -> None:
    application = submit(cases)
    assert application.agency.code == "justice-1703"
    assert application.status == "queued"
    assert application.tracking_number == "AR-2026-0000001"
    assert application.due_date == date(2026, 12, 2)  # Fri + 3 working days
    assert cases.applicant_ref(A.subject) == application.applicant_ref != A.subject


def test_only_citizens_submit(cases: Cases) -> None:
    with pytest.raises(RoleNotAllowed):
        submit(cases, who=CLERK)


def test_the_applicant_sees_it_others_do_not_know_it_exists(cases: Cases) -> None:
    application = submit(cases)
    assert cases.view(A, CTX, application.tracking_number, purpose="own").id == application.id
    with pytest.raises(ApplicationNotFound):
        cases.view(B, CTX, application.tracking_number, purpose="curiosity")
    with pytest.raises(ApplicationNotFound):
        cases.withdraw(B, CTX, str(application.id), reason="not mine")


def test_officers_act_only_for_their_agency(cases: Cases) -> None:
    application = submit(cases)
    with pytest.raises(NotYourAgency):
        cases.accept(STRANGER, CTX, str(application.id))
    with pytest.raises(NotYourAgency):
        cases.view(STRANGER, CTX, str(application.id), purpose="x")
    assert cases.accept(CLERK, CTX, str(application.id)).assignee == "officer-1"
    with pytest.raises(RoleNotAllowed):
        cases.accept(A, CTX, str(application.id))


def test_officer_reads_are_recorded_with_their_purpose(cases: Cases) -> None:
    application = submit(cases)
    cases.view(CLERK, CTX, str(application.id), purpose="review")
    cases.view(A, CTX, str(application.id), purpose="own")
    log = cases.deps.access_log
    assert isinstance(log, MemoryAccessLog)
    assert [(e.actor, e.purpose) for e in log.entries] == [("officer-1", "review")]


def test_the_form_is_validated_against_the_pinned_schema(cases: Cases) -> None:
    with pytest.raises(InvalidForm) as caught:
        submit(cases, form={"child_name": "A", "extra": 1})
    pointers = {pointer for pointer, _ in caught.value.errors}
    assert pointers == {"/", "/child_name"}


def test_no_responsible_agency_records_nothing(cases: Cases) -> None:
    with pytest.raises(NoResponsibleAgency, match="1799"):
        submit(cases, territory="1799")
    assert cases.recorder.max_notification_id() is None


def test_attachments_are_stored_by_hash(cases: Cases) -> None:
    pdf = b"%PDF-1.7 tiny"
    application = submit(
        cases,
        attachments=[AttachmentUpload("medical-certificate", "m.pdf", "application/pdf", pdf)],
    )
    stored = application.attachments[0]
    assert cases.deps.blobs.get(stored.sha256) == pdf
    with pytest.raises(InvalidAttachment, match="is not a image/png file"):
        submit(cases, attachments=[MEDICAL, AttachmentUpload("other", "x.png", "image/png", pdf)])


def test_every_required_document_must_be_attached(cases: Cases) -> None:
    other = AttachmentUpload("other", "x.pdf", "application/pdf", b"%PDF-1.7 x")
    for attachments in ([], [other]):  # nothing, or something that is not the document
        with pytest.raises(MissingDocuments, match="medical-certificate") as raised:
            submit(cases, attachments=attachments)
        assert raised.value.missing == ["medical-certificate"]
    assert cases.recorder.max_notification_id() is None  # nothing was recorded
    assert submit(cases, attachments=[MEDICAL, other]).status == "queued"


def test_an_optional_document_may_be_left_out(cases: Cases) -> None:
    proxy = AttachmentUpload("power-of-attorney", "p.pdf", "application/pdf", b"%PDF-1.7 p")
    assert submit(cases, service_code="repeat-certificate").status == "queued"
    assert submit(cases, service_code="repeat-certificate", attachments=[MEDICAL, proxy])
    with pytest.raises(MissingDocuments) as raised:
        submit(cases, service_code="repeat-certificate", attachments=[proxy])
    assert raised.value.missing == ["medical-certificate"]


def test_a_fee_is_assessed_at_todays_bhm(cases: Cases) -> None:
    application = submit(cases, service_code="paid-licence")
    assert application.fee == (20_600_000, "UZS")
    assert application.status == "awaiting_payment"


def test_a_suspended_service_takes_no_applications(cases: Cases) -> None:
    cases.deps.catalogue.suspend_service(CTX, code="birth-registration", reason="audit")
    with pytest.raises(ServiceNotActive):
        submit(cases)


def test_the_same_idempotency_key_returns_the_same_application(cases: Cases) -> None:
    first = submit(cases, idempotency_key="key-1")
    again = submit(cases, idempotency_key="key-1")
    assert again.id == first.id
    assert submit(cases, who=B, idempotency_key="key-1").id != first.id


def test_decide_issues_a_verifiable_result_in_one_save(cases: Cases) -> None:
    application = submit(cases)
    cases.accept(CLERK, CTX, str(application.id))
    head = cases.recorder.max_notification_id()
    decision = cases.decide(
        CLERK,
        CTX,
        str(application.id),
        outcome="rejected",
        reasons="Incomplete",
        legal_basis="Art. 5",
    )
    notifications = cases.recorder.select_notifications(start=(head or 0) + 1, limit=10)
    assert [n.topic.rsplit(".", 1)[-1] for n in notifications] == [
        "Decided",
        "ResultIssued",
        "Issued",
        "Started",  # the agency's registration counter for 2026
        "NumberIssued",
    ]
    assert decision.registration_number == "ADL-1703-2026-000001"
    assert cases.verify(CTX, decision.registration_number, decision.verification_code) == decision
    pdf = cases.result(A, CTX, str(application.id), file_format="pdf")
    assert pdf.content.startswith(b"%PDF-")


def decide(cases: Cases, application: Any, officer: Principal = CLERK, **changes: str) -> Any:
    fields = {"outcome": "approved", "reasons": "In order", "legal_basis": "Art. 5"} | changes
    return cases.decide(officer, CTX, str(application.id), **fields)


def test_each_agency_numbers_its_decisions_of_a_year_from_one_without_gaps(
    cases: Cases,
) -> None:
    first, second, third = (submit(cases) for _ in range(3))
    for application in (first, second, third):
        cases.accept(CLERK, CTX, str(application.id))
    assert decide(cases, first).registration_number == "ADL-1703-2026-000001"
    with pytest.raises(InvalidInput):  # refused after the number was drawn: none is lost
        decide(cases, second, reasons=" ")
    assert decide(cases, second).registration_number == "ADL-1703-2026-000002"
    # Tashkent city's office has its own series; so has every new year.
    tashkent = Principal("officer-2", "officer", agency="justice-1726")
    elsewhere = submit(cases, territory="1726262")
    cases.accept(tashkent, CTX, str(elsewhere.id))
    assert decide(cases, elsewhere, tashkent).registration_number == "ADL-1726-2026-000001"
    cases.deps.clock.at = datetime(2027, 1, 4, 7, 0, tzinfo=UTC)  # type: ignore[attr-defined]
    assert decide(cases, third).registration_number == "ADL-1703-2027-000001"
