"""Appeals (murojaat): filing, the 15-day term and its one extension, answers, disputes,
escalation to the region, ratings."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

from domain.agency import AgencyRef
from domain.appeal import (
    ANSWERED,
    ESCALATED,
    UNDER_REVIEW,
    Appeal,
)
from domain.errors import InvalidInput, InvalidTransition, NothingChanged
from tests.unit.builders import META
from tests.unit.gwt import given, history, when_created

FILED_ON = date(2026, 11, 2)
DISTRICT = AgencyRef(UUID(int=1), "hokimiyat-1703202")
REGION = AgencyRef(UUID(int=2), "hokimiyat-1703")


def filed(**changes: Any) -> Appeal:
    fields: dict[str, Any] = {
        "appeal_id": uuid4(),
        "number": "MJ-2026-0000001",
        "applicant": "31503901234567",
        "applicant_ref": "ref",
        "territory": "1703202",
        "subject": "utilities",
        "text": "No water on our street for a week.",
        "language": "uz-Latn",
        "application_id": None,
        "decision_id": None,
        "agency": DISTRICT,
        "today": FILED_ON,
        "meta": META,
    }
    fields.update(changes)
    return Appeal.file(**fields)


def answer(day: date = FILED_ON, agency: str = DISTRICT.code) -> Any:
    return lambda a: a.answer_appeal(
        officer="officer-1", agency_code=agency, text="Repaired.", today=day, meta=META
    )


def test_filing_starts_a_15_day_term_with_the_district() -> None:
    outcome = when_created(filed).then(Appeal.Filed, status=UNDER_REVIEW, due_date="2026-11-17")
    assert outcome.aggregate.handling_agency == DISTRICT


def test_filing_refuses_unknown_subjects_numbers_and_empty_texts() -> None:
    when_created(lambda: filed(subject="weather")).then_error(InvalidInput, "subject must be")
    when_created(lambda: filed(number="X-1")).then_error(InvalidInput, "MJ-2026-0000123")
    when_created(lambda: filed(text="  ")).then_error(InvalidInput, "text")


def test_the_term_extends_once_to_30_days_with_a_reason() -> None:
    events = history(filed())
    outcome = given(*events).when(
        lambda a: a.extend(officer="officer-1", reason="A site visit is needed", meta=META)
    )
    outcome.then(Appeal.Extended, due_date="2026-12-02")
    given(*outcome.aggregate_history()).when(
        lambda a: a.extend(officer="officer-1", reason="again", meta=META)
    ).then_error(InvalidTransition, "already extended once")
    given(*events).when(lambda a: a.extend(officer="officer-1", reason="", meta=META)).then_error(
        InvalidInput, "reason"
    )


def test_an_answer_records_whether_it_was_on_time() -> None:
    events = history(filed())
    given(*events).when(answer(date(2026, 11, 17))).then(
        Appeal.Answered, on_time=True, status=ANSWERED
    )
    given(*events).when(answer(date(2026, 11, 18))).then(Appeal.Answered, on_time=False)
    answered = given(*events).when(answer()).aggregate_history()
    given(*answered).when(answer()).then_error(InvalidTransition, "is answered")


def test_an_overdue_appeal_is_recorded_once_and_escalates_to_the_region() -> None:
    events = history(filed())
    given(*events).when(
        lambda a: a.check_deadline(today=date(2026, 11, 17), escalate_to=REGION, meta=META)
    ).then_error(NothingChanged)
    overdue = given(*events).when(
        lambda a: a.check_deadline(today=date(2026, 11, 18), escalate_to=REGION, meta=META)
    )
    overdue.then(
        Appeal.DeadlineBreached,
        Appeal.Escalated,
        to_agency_code=REGION.code,
        reason="overdue",
        due_date="2026-12-03",  # a new 15-day term at the region
        status=ESCALATED,
    )
    escalated = overdue.aggregate_history()
    outcome = given(*escalated).when(answer(date(2026, 11, 20), REGION.code))
    outcome.then(Appeal.Answered, agency_code=REGION.code, on_time=True)
    assert outcome.aggregate.handling_agency == REGION
    # Overdue again at the region, with nowhere higher: recorded, not escalated.
    given(*escalated).when(
        lambda a: a.check_deadline(today=date(2026, 12, 4), escalate_to=None, meta=META)
    ).then(Appeal.DeadlineBreached)


def test_a_disputed_answer_escalates_once_and_a_rating_ends_disputes() -> None:
    answered = given(*history(filed())).when(answer()).aggregate_history()
    disputed = given(*answered).when(
        lambda a: a.dispute(
            reason="Still no water", today=date(2026, 11, 5), escalate_to=REGION, meta=META
        )
    )
    disputed.then(Appeal.Disputed, Appeal.Escalated, reason="disputed", status=ESCALATED)
    regional = given(*disputed.aggregate_history()).when(answer(date(2026, 11, 9), REGION.code))
    given(*regional.aggregate_history()).when(
        lambda a: a.dispute(reason="again", today=date(2026, 11, 10), escalate_to=None, meta=META)
    ).then_error(InvalidTransition, "already disputed")
    rated = given(*answered).when(lambda a: a.rate(rating=4, meta=META))
    rated.then(Appeal.Rated, rating=4)
    given(*rated.aggregate_history()).when(
        lambda a: a.dispute(reason="x", today=FILED_ON, escalate_to=REGION, meta=META)
    ).then_error(InvalidTransition, "rated")
    given(*rated.aggregate_history()).when(lambda a: a.rate(rating=5, meta=META)).then_error(
        InvalidTransition, "already rated"
    )


def test_ratings_are_1_to_5_and_only_for_answers() -> None:
    answered = given(*history(filed())).when(answer()).aggregate_history()
    for bad in (0, 6, True):
        given(*answered).when(lambda a, bad=bad: a.rate(rating=bad, meta=META)).then_error(
            InvalidInput, "1 to 5"
        )
    given(*history(filed())).when(lambda a: a.rate(rating=3, meta=META)).then_error(
        InvalidTransition, "is under_review"
    )


def test_no_dispute_before_an_answer_nor_without_a_higher_level() -> None:
    events = history(filed())
    given(*events).when(
        lambda a: a.dispute(reason="x", today=FILED_ON, escalate_to=REGION, meta=META)
    ).then_error(InvalidTransition, "under_review")
    answered = given(*events).when(answer()).aggregate_history()
    given(*answered).when(
        lambda a: a.dispute(reason="x", today=FILED_ON, escalate_to=None, meta=META)
    ).then_error(InvalidTransition, "highest level")


def test_every_history_replays_to_the_same_state() -> None:
    outcome = given(*history(filed())).when(
        lambda a: a.check_deadline(
            today=FILED_ON + timedelta(days=16), escalate_to=REGION, meta=META
        )
    )
    replayed = given(*outcome.aggregate_history()).aggregate
    assert replayed.escalated_to == REGION
    assert replayed.status == ESCALATED
    assert replayed.due_date == FILED_ON + timedelta(days=31)
