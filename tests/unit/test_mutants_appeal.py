"""What mutation testing found the appeal tests left unchecked (docs/testing.md).

Events record who acted, when and with what text; the texts' limits hold at their edge and
are refused by field name; refusals name the state they were refused in; escalation
happens at most once, and never without a higher level; ratings start at 1.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.appeal import ANSWERED, ESCALATED, UNDER_REVIEW, Appeal
from domain.errors import InvalidInput, InvalidTransition
from tests.unit.builders import META
from tests.unit.gwt import Outcome, given, history, when_created
from tests.unit.test_appeal import FILED_ON, REGION, answer, filed

LATE = date(2026, 11, 18)


def overdue_and_escalated() -> list[Any]:
    return (
        given(*history(filed()))
        .when(lambda a: a.check_deadline(today=LATE, escalate_to=REGION, meta=META))
        .aggregate_history()
    )


def answered() -> list[Any]:
    return given(*history(filed())).when(answer()).aggregate_history()


def refused_in(outcome: Outcome, state: str, match: str) -> None:
    outcome.then_error(InvalidTransition, match)
    assert isinstance(outcome.error, InvalidTransition)
    assert outcome.error.state == state


def test_an_appeal_text_may_be_10000_characters_and_no_more() -> None:
    when_created(lambda: filed(text="x" * 10_000)).then(Appeal.Filed)
    when_created(lambda: filed(text="x" * 10_001)).then_error(
        InvalidInput, "text is longer than 10000 characters"
    )
    when_created(lambda: filed(text=" ")).then_error(InvalidInput, "text must be a non-empty")


def test_an_unknown_language_is_refused_naming_the_languages() -> None:
    when_created(lambda: filed(language="fr")).then_error(InvalidInput, "uz-Latn")


def test_an_answer_records_the_officer_text_and_day() -> None:
    given(*history(filed())).when(answer(date(2026, 11, 10))).then(
        Appeal.Answered,
        officer="officer-1",
        text="Repaired.",
        answered_on="2026-11-10",
        meta=META,
        status=ANSWERED,
    )


def test_an_answer_may_be_10000_characters_and_no_more() -> None:
    def answer_with(text: str) -> Any:
        return lambda a: a.answer_appeal(
            officer="officer-1", agency_code="x", text=text, today=FILED_ON, meta=META
        )

    events = history(filed())
    given(*events).when(answer_with("y" * 10_000)).then(Appeal.Answered)
    given(*events).when(answer_with("y" * 10_001)).then_error(
        InvalidInput, "text is longer than 10000 characters"
    )
    given(*events).when(answer_with("")).then_error(InvalidInput, "text must be")


def test_an_extension_records_the_officer_and_meta() -> None:
    given(*history(filed())).when(
        lambda a: a.extend(officer="officer-1", reason="A site visit", meta=META)
    ).then(Appeal.Extended, officer="officer-1", reason="A site visit", meta=META)


def test_refusals_name_the_state_they_were_refused_in() -> None:
    events = history(filed())
    extended = (
        given(*events)
        .when(lambda a: a.extend(officer="o", reason="visit", meta=META))
        .aggregate_history()
    )
    refused_in(
        given(*extended).when(lambda a: a.extend(officer="o", reason="again", meta=META)),
        UNDER_REVIEW,
        "already extended once",
    )
    refused_in(
        given(*overdue_and_escalated()).when(
            lambda a: a.extend(officer="o", reason="visit", meta=META)
        ),
        ESCALATED,
        "was escalated; its new term cannot be extended",
    )
    refused_in(given(*events).when(lambda a: a.rate(rating=3, meta=META)), UNDER_REVIEW, "a rating")
    rated = given(*answered()).when(lambda a: a.rate(rating=4, meta=META)).aggregate_history()
    refused_in(given(*rated).when(lambda a: a.rate(rating=5, meta=META)), ANSWERED, "already rated")
    refused_in(
        given(*rated).when(
            lambda a: a.dispute(reason="x", today=FILED_ON, escalate_to=REGION, meta=META)
        ),
        ANSWERED,
        "rated",
    )
    refused_in(
        given(*answered()).when(
            lambda a: a.dispute(reason="x", today=FILED_ON, escalate_to=None, meta=META)
        ),
        ANSWERED,
        "highest level",
    )


def test_a_second_dispute_is_refused_in_the_answered_state() -> None:
    disputed = (
        given(*answered())
        .when(
            lambda a: a.dispute(
                reason="Still", today=date(2026, 11, 5), escalate_to=REGION, meta=META
            )
        )
        .aggregate_history()
    )
    again = given(*disputed).when(answer(date(2026, 11, 9), REGION.code)).aggregate_history()
    refused_in(
        given(*again).when(
            lambda a: a.dispute(reason="x", today=date(2026, 11, 10), escalate_to=REGION, meta=META)
        ),
        ANSWERED,
        "already disputed once",
    )


def test_an_overdue_appeal_records_its_days_and_escalation() -> None:
    outcome = given(*history(filed())).when(
        lambda a: a.check_deadline(today=LATE, escalate_to=REGION, meta=META)
    )
    outcome.then(Appeal.DeadlineBreached, Appeal.Escalated, escalated_on="2026-11-18", meta=META)
    breach = outcome.events[0]
    assert (breach.due_date, breach.detected_on, breach.meta) == (
        "2026-11-17",
        "2026-11-18",
        META,
    )


def test_an_overdue_appeal_with_no_higher_level_is_recorded_not_escalated() -> None:
    outcome = given(*history(filed())).when(
        lambda a: a.check_deadline(today=LATE, escalate_to=None, meta=META)
    )
    outcome.then(Appeal.DeadlineBreached)
    assert outcome.aggregate.escalated_to is None


def test_an_escalated_appeal_overdue_again_is_not_escalated_again() -> None:
    given(*overdue_and_escalated()).when(
        lambda a: a.check_deadline(today=date(2026, 12, 4), escalate_to=REGION, meta=META)
    ).then(Appeal.DeadlineBreached)


def test_a_dispute_records_its_reason_day_and_meta() -> None:
    outcome = given(*answered()).when(
        lambda a: a.dispute(
            reason=" Still no water ", today=date(2026, 11, 5), escalate_to=REGION, meta=META
        )
    )
    outcome.then(Appeal.Disputed, Appeal.Escalated, escalated_on="2026-11-05", meta=META)
    disputed = outcome.events[0]
    assert (disputed.reason, disputed.disputed_on, disputed.meta) == (
        "Still no water",
        "2026-11-05",
        META,
    )
    given(*answered()).when(
        lambda a: a.dispute(reason=" ", today=FILED_ON, escalate_to=REGION, meta=META)
    ).then_error(InvalidInput, "reason must be")


@pytest.mark.parametrize("rating", [1, 5])
def test_ratings_from_1_to_5_are_recorded(rating: int) -> None:
    given(*answered()).when(lambda a: a.rate(rating=rating, meta=META)).then(
        Appeal.Rated, rating=rating, meta=META
    )
