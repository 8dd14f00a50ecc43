"""What mutation testing found the inter-agency tests left unchecked (docs/testing.md):
the term's edges, the legal basis's length limit, refusals by field name and state, and
what answers, refusals and escalations record."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.errors import InvalidInput, InvalidTransition
from domain.inter_agency import MAX_TERM_WORKING_DAYS, InterAgencyRequest
from tests.unit.builders import META
from tests.unit.gwt import given, history, when_created
from tests.unit.test_inter_agency_request import (
    CADASTRE,
    CADASTRE_REGION,
    MONDAY,
    answer,
    requested,
)


@pytest.mark.parametrize("term", [1, MAX_TERM_WORKING_DAYS])
def test_a_term_of_one_to_thirty_working_days_is_accepted(term: int) -> None:
    when_created(lambda: requested(term_working_days=term)).then(
        InterAgencyRequest.Requested, term_working_days=term
    )


@pytest.mark.parametrize("term", [0, MAX_TERM_WORKING_DAYS + 1, True, 5.0, "5"])
def test_other_terms_are_refused(term: Any) -> None:
    when_created(lambda: requested(term_working_days=term)).then_error(
        InvalidInput, "term_working_days must be a whole number from 1 to 30"
    )


def test_the_legal_basis_may_be_1000_characters_and_no_more() -> None:
    when_created(lambda: requested(legal_basis="x" * 1000)).then(InterAgencyRequest.Requested)
    when_created(lambda: requested(legal_basis="x" * 1001)).then_error(
        InvalidInput, "legal_basis is longer than 1000 characters"
    )
    when_created(lambda: requested(requested_data=" ")).then_error(
        InvalidInput, "requested_data must be a non-empty text"
    )


def test_an_answer_records_who_answered_what_and_when() -> None:
    given(*history(requested())).when(answer(date(2026, 12, 2))).then(
        InterAgencyRequest.Answered,
        officer="clerk-9",
        agency_code=CADASTRE.code,
        data={"address": "Oltinkoʻl, 12"},
        answered_on="2026-12-02",
        meta=META,
    )


def refuse(reason: str = "Not ours") -> Any:
    return lambda r: r.refuse(
        officer="clerk-9", agency_code=CADASTRE.code, reason=reason, today=MONDAY, meta=META
    )


def test_a_refusal_records_who_refused_and_when() -> None:
    given(*history(requested())).when(refuse()).then(
        InterAgencyRequest.Refused,
        officer="clerk-9",
        agency_code=CADASTRE.code,
        refused_on="2026-11-30",
        meta=META,
    )


@pytest.mark.parametrize(("command", "action"), [(answer(), "an answer"), (refuse(), "a refusal")])
def test_a_closed_request_refuses_answers_and_refusals_naming_its_state(
    command: Any, action: str
) -> None:
    refused = given(*history(requested())).when(refuse()).aggregate_history()
    outcome = given(*refused).when(command).then_error(InvalidTransition, action)
    assert isinstance(outcome.error, InvalidTransition)
    assert outcome.error.state == "refused"


def test_an_escalation_records_the_parent_and_the_day() -> None:
    given(*history(requested())).when(
        lambda r: r.check_deadline(today=date(2026, 12, 9), escalate_to=CADASTRE_REGION, meta=META)
    ).then(
        InterAgencyRequest.Escalated,
        to_agency_id=CADASTRE_REGION.id,
        detected_on="2026-12-09",
        meta=META,
    )
