"""Inter-agency requests: purpose and legal basis required, the term in working days,
answers (data and/or a document), refusals, overdue requests escalated to the parent."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from domain.agency import AgencyRef
from domain.calendar import WorkingCalendar
from domain.errors import InvalidInput, InvalidTransition, NothingChanged
from domain.inter_agency import ANSWERED, OPEN, OVERDUE, REFUSED, InterAgencyRequest
from tests.unit.builders import META
from tests.unit.gwt import given, history, when_created

MONDAY = date(2026, 11, 30)
CALENDAR = WorkingCalendar(holidays=frozenset({date(2026, 12, 8)}))
JUSTICE = AgencyRef(UUID(int=1), "justice-1703202")
CADASTRE = AgencyRef(UUID(int=2), "cadastre-1703202", UUID(int=3), "cadastre-1703")
CADASTRE_REGION = AgencyRef(UUID(int=3), "cadastre-1703")
SHA = "b" * 64


def requested(**changes: Any) -> InterAgencyRequest:
    fields: dict[str, Any] = {
        "request_id": uuid4(),
        "number": "IA-2026-0000001",
        "application_id": uuid4(),
        "tracking_number": "AR-2026-0000001",
        "service_code": "birth-registration",
        "territory": "1703202",
        "from_agency": JUSTICE,
        "to_agency": CADASTRE,
        "officer": "officer-1",
        "requested_data": "The applicant's registered address",
        "purpose": "Verify the place of residence",
        "legal_basis": "Regulation on inter-agency electronic interaction",
        "term_working_days": 5,
        "today": MONDAY,
        "calendar": CALENDAR,
        "meta": META,
    }
    fields.update(changes)
    return InterAgencyRequest.request(**fields)


def answer(day: date = MONDAY, agency: str = CADASTRE.code, **changes: Any) -> Any:
    fields: dict[str, Any] = {
        "officer": "clerk-9",
        "agency_code": agency,
        "data": {"address": "Oltinkoʻl, 12"},
        "document_sha256": None,
        "today": day,
        "meta": META,
    }
    fields.update(changes)
    return lambda r: r.answer_request(**fields)


def test_a_request_runs_its_term_in_working_days() -> None:
    # Mon 30 Nov + 5 working days, Tue 8 Dec a holiday: Mon 7 Dec
    outcome = when_created(requested).then(
        InterAgencyRequest.Requested, status=OPEN, due_date="2026-12-07"
    )
    request = outcome.aggregate
    assert request.involves(JUSTICE.code)
    assert request.involves(CADASTRE.code)
    assert not request.involves("justice-1706204")
    assert request.may_answer(CADASTRE.code)
    assert not request.may_answer(JUSTICE.code)


def test_purpose_legal_basis_and_a_sensible_term_are_required() -> None:
    when_created(lambda: requested(purpose="")).then_error(InvalidInput, "purpose")
    when_created(lambda: requested(legal_basis=" ")).then_error(InvalidInput, "legal_basis")
    when_created(lambda: requested(term_working_days=0)).then_error(InvalidInput, "1 to 30")
    when_created(lambda: requested(to_agency=JUSTICE)).then_error(InvalidInput, "itself")
    when_created(lambda: requested(number="IA-1")).then_error(InvalidInput, "IA-2026")


def test_answers_carry_data_or_a_document_and_say_if_on_time() -> None:
    events = history(requested())
    given(*events).when(answer(date(2026, 12, 7))).then(
        InterAgencyRequest.Answered, on_time=True, status=ANSWERED
    )
    given(*events).when(answer(date(2026, 12, 9), document_sha256=SHA)).then(
        InterAgencyRequest.Answered, on_time=False, document_sha256=SHA
    )
    given(*events).when(answer(data={})).then_error(InvalidInput, "data, a document")
    given(*events).when(answer(document_sha256="nothex")).then_error(InvalidInput, "sha256")
    answered = given(*events).when(answer()).aggregate_history()
    given(*answered).when(answer()).then_error(InvalidTransition, "is answered")


def test_a_refusal_states_its_reason_and_closes_the_request() -> None:
    events = history(requested())
    refused = given(*events).when(
        lambda r: r.refuse(
            officer="clerk-9", agency_code=CADASTRE.code, reason="Not ours", today=MONDAY, meta=META
        )
    )
    refused.then(InterAgencyRequest.Refused, status=REFUSED, reason="Not ours")
    given(*events).when(
        lambda r: r.refuse(
            officer="clerk-9", agency_code=CADASTRE.code, reason="", today=MONDAY, meta=META
        )
    ).then_error(InvalidInput, "reason")
    given(*refused.aggregate_history()).when(answer()).then_error(InvalidTransition, "refused")


def test_an_overdue_request_escalates_to_the_parent_which_may_answer() -> None:
    events = history(requested())
    given(*events).when(
        lambda r: r.check_deadline(today=date(2026, 12, 7), escalate_to=CADASTRE_REGION, meta=META)
    ).then_error(NothingChanged)
    overdue = given(*events).when(
        lambda r: r.check_deadline(today=date(2026, 12, 9), escalate_to=CADASTRE_REGION, meta=META)
    )
    overdue.then(InterAgencyRequest.Escalated, status=OVERDUE, to_agency_code="cadastre-1703")
    late = overdue.aggregate_history()
    given(*late).when(
        lambda r: r.check_deadline(today=date(2026, 12, 10), escalate_to=CADASTRE_REGION, meta=META)
    ).then_error(NothingChanged)  # recorded once
    escalated = given(*late).aggregate
    assert escalated.involves("cadastre-1703")
    assert escalated.may_answer("cadastre-1703")
    given(*late).when(answer(date(2026, 12, 10), agency="cadastre-1703")).then(
        InterAgencyRequest.Answered, on_time=False, agency_code="cadastre-1703"
    )
