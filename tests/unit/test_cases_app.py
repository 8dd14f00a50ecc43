"""The cases use cases on in-memory persistence: authorization lives here, not in routes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest

from application.attachments import AttachmentUpload
from application.cases import CaseDependencies, Cases
from application.catalogue import Catalogue
from application.decisions import Decisions
from application.officer_handling import OfficerHandling
from application.principal import Principal
from application.seeding import ReferenceData, ServiceSpec, seed
from application.submissions import Submissions
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
from infrastructure.result_renderer import DocumentRenderer
from tests.fakes.adapters import FixedClock, MemoryAccessLog, MemoryBlobStore, MemorySequences
from tests.unit.builders import CTX, DAY, names, terms
from tests.unit.test_catalogue_app import KINDS, TERRITORIES

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
A = Principal("31503901234567", "citizen", name="Aziza")
B = Principal("42207951234561", "citizen")
CLERK = Principal("officer-1", "officer", agency="justice-1703")
STRANGER = Principal("officer-9", "officer", agency="justice-1726")
FORM = {"child_name": "Aziz", "birth_date": "2026-11-01"}


@dataclass
class CaseCore:
    """The case store and the use cases over it, wired to in-memory adapters."""

    cases: Cases
    catalogue: Catalogue
    submissions: Submissions
    handling: OfficerHandling
    decisions: Decisions
    clock: FixedClock
    blobs: MemoryBlobStore
    access_log: MemoryAccessLog


def make_cases() -> CaseCore:
    """Cases on in-memory persistence over a small seeded catalogue (which is also the
    agency directory the commands route by)."""
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
    clock, blobs, access_log = FixedClock(NOW), MemoryBlobStore(), MemoryAccessLog()
    cases = Cases(
        deps=CaseDependencies(catalogue=catalogue, access_log=access_log, pseudonym_key=b"k" * 32)
    )
    return CaseCore(
        cases=cases,
        catalogue=catalogue,
        submissions=Submissions(
            cases, directory=catalogue, clock=clock, sequences=MemorySequences(), blobs=blobs
        ),
        handling=OfficerHandling(cases, clock=clock),
        decisions=Decisions(
            cases,
            directory=catalogue,
            clock=clock,
            blobs=blobs,
            renderer=DocumentRenderer("https://portal.example"),
        ),
        clock=clock,
        blobs=blobs,
        access_log=access_log,
    )


@pytest.fixture
def core() -> CaseCore:
    return make_cases()


# The builders' services require one document, the medical certificate.
MEDICAL = AttachmentUpload("medical-certificate", "m.pdf", "application/pdf", b"%PDF-1.7 m")


def submit(core: CaseCore, who: Principal = A, **changes: Any) -> Any:
    fields: dict[str, Any] = {
        "service_code": "birth-registration",
        "territory": "1703202",
        "form": dict(FORM),
        "attachments": [MEDICAL],
    }
    fields.update(changes)
    return core.submissions.submit(who, CTX, **fields)


def test_submission_routes_to_the_regional_office_and_starts_the_term(core: CaseCore) -> None:
    application = submit(core)
    assert application.agency.code == "justice-1703"
    assert application.status == "queued"
    assert application.tracking_number == "AR-2026-0000001"
    assert application.due_date == date(2026, 12, 2)  # Fri + 3 working days
    assert core.cases.applicant_ref(A.subject) == application.applicant_ref != A.subject


def test_only_citizens_submit(core: CaseCore) -> None:
    with pytest.raises(RoleNotAllowed):
        submit(core, who=CLERK)


def test_the_applicant_sees_it_others_do_not_know_it_exists(core: CaseCore) -> None:
    application = submit(core)
    assert core.cases.view(A, CTX, application.tracking_number, purpose="own").id == application.id
    with pytest.raises(ApplicationNotFound):
        core.cases.view(B, CTX, application.tracking_number, purpose="curiosity")
    with pytest.raises(ApplicationNotFound):
        core.submissions.withdraw(B, CTX, str(application.id), reason="not mine")


def test_officers_act_only_for_their_agency(core: CaseCore) -> None:
    application = submit(core)
    with pytest.raises(NotYourAgency):
        core.handling.accept(STRANGER, CTX, str(application.id))
    with pytest.raises(NotYourAgency):
        core.cases.view(STRANGER, CTX, str(application.id), purpose="x")
    assert core.handling.accept(CLERK, CTX, str(application.id)).assignee == "officer-1"
    with pytest.raises(RoleNotAllowed):
        core.handling.accept(A, CTX, str(application.id))


def test_officer_reads_are_recorded_with_their_purpose(core: CaseCore) -> None:
    application = submit(core)
    core.cases.view(CLERK, CTX, str(application.id), purpose="review")
    core.cases.view(A, CTX, str(application.id), purpose="own")
    log = core.access_log
    assert isinstance(log, MemoryAccessLog)
    assert [(e.actor, e.purpose) for e in log.entries] == [("officer-1", "review")]


def test_the_form_is_validated_against_the_pinned_schema(core: CaseCore) -> None:
    with pytest.raises(InvalidForm) as caught:
        submit(core, form={"child_name": "A", "extra": 1})
    pointers = {pointer for pointer, _ in caught.value.errors}
    assert pointers == {"/", "/child_name"}


def test_no_responsible_agency_records_nothing(core: CaseCore) -> None:
    with pytest.raises(NoResponsibleAgency, match="1799"):
        submit(core, territory="1799")
    assert core.cases.recorder.max_notification_id() is None


def test_attachments_are_stored_by_hash(core: CaseCore) -> None:
    pdf = b"%PDF-1.7 tiny"
    application = submit(
        core,
        attachments=[AttachmentUpload("medical-certificate", "m.pdf", "application/pdf", pdf)],
    )
    stored = application.attachments[0]
    assert core.blobs.get(stored.sha256) == pdf
    with pytest.raises(InvalidAttachment, match="is not a image/png file"):
        submit(core, attachments=[MEDICAL, AttachmentUpload("other", "x.png", "image/png", pdf)])


def test_every_required_document_must_be_attached(core: CaseCore) -> None:
    other = AttachmentUpload("other", "x.pdf", "application/pdf", b"%PDF-1.7 x")
    for attachments in ([], [other]):  # nothing, or something that is not the document
        with pytest.raises(MissingDocuments, match="medical-certificate") as raised:
            submit(core, attachments=attachments)
        assert raised.value.missing == ["medical-certificate"]
    assert core.cases.recorder.max_notification_id() is None  # nothing was recorded
    assert submit(core, attachments=[MEDICAL, other]).status == "queued"


def test_an_optional_document_may_be_left_out(core: CaseCore) -> None:
    proxy = AttachmentUpload("power-of-attorney", "p.pdf", "application/pdf", b"%PDF-1.7 p")
    assert submit(core, service_code="repeat-certificate").status == "queued"
    assert submit(core, service_code="repeat-certificate", attachments=[MEDICAL, proxy])
    with pytest.raises(MissingDocuments) as raised:
        submit(core, service_code="repeat-certificate", attachments=[proxy])
    assert raised.value.missing == ["medical-certificate"]


def test_a_fee_is_assessed_at_todays_bhm(core: CaseCore) -> None:
    application = submit(core, service_code="paid-licence")
    assert application.fee == (20_600_000, "UZS")
    assert application.status == "awaiting_payment"


def test_a_suspended_service_takes_no_applications(core: CaseCore) -> None:
    core.catalogue.suspend_service(CTX, code="birth-registration", reason="audit")
    with pytest.raises(ServiceNotActive):
        submit(core)


def test_the_same_idempotency_key_returns_the_same_application(core: CaseCore) -> None:
    first = submit(core, idempotency_key="key-1")
    again = submit(core, idempotency_key="key-1")
    assert again.id == first.id
    assert submit(core, who=B, idempotency_key="key-1").id != first.id


def test_decide_issues_a_verifiable_result_in_one_save(core: CaseCore) -> None:
    application = submit(core)
    core.handling.accept(CLERK, CTX, str(application.id))
    head = core.cases.recorder.max_notification_id()
    decision = core.decisions.decide(
        CLERK,
        CTX,
        str(application.id),
        outcome="rejected",
        reasons="Incomplete",
        legal_basis="Art. 5",
    )
    notifications = core.cases.recorder.select_notifications(start=(head or 0) + 1, limit=10)
    assert [n.topic.rsplit(".", 1)[-1] for n in notifications] == [
        "Decided",
        "ResultIssued",
        "Issued",
        "Started",  # the agency's registration counter for 2026
        "NumberIssued",
    ]
    assert decision.registration_number == "ADL-1703-2026-000001"
    assert (
        core.decisions.verify(CTX, decision.registration_number, decision.verification_code)
        == decision
    )
    pdf = core.decisions.result(A, CTX, str(application.id), file_format="pdf")
    assert pdf.content.startswith(b"%PDF-")


def decide(core: CaseCore, application: Any, officer: Principal = CLERK, **changes: str) -> Any:
    fields = {"outcome": "approved", "reasons": "In order", "legal_basis": "Art. 5"} | changes
    return core.decisions.decide(officer, CTX, str(application.id), **fields)


def test_each_agency_numbers_its_decisions_of_a_year_from_one_without_gaps(
    core: CaseCore,
) -> None:
    first, second, third = (submit(core) for _ in range(3))
    for application in (first, second, third):
        core.handling.accept(CLERK, CTX, str(application.id))
    assert decide(core, first).registration_number == "ADL-1703-2026-000001"
    with pytest.raises(InvalidInput):  # refused after the number was drawn: none is lost
        decide(core, second, reasons=" ")
    assert decide(core, second).registration_number == "ADL-1703-2026-000002"
    # Tashkent city's office has its own series; so has every new year.
    tashkent = Principal("officer-2", "officer", agency="justice-1726")
    elsewhere = submit(core, territory="1726262")
    core.handling.accept(tashkent, CTX, str(elsewhere.id))
    assert decide(core, elsewhere, tashkent).registration_number == "ADL-1726-2026-000001"
    core.clock.at = datetime(2027, 1, 4, 7, 0, tzinfo=UTC)  # type: ignore[attr-defined]
    assert decide(core, third).registration_number == "ADL-1703-2027-000001"
