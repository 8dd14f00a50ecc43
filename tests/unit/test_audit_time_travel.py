"""Time travel, as a property: for any valid history of an application, the state an auditor
reads at version n is the fold of its first n events, and the state `at` an instant is the
state at the last version recorded at or before it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.audit import Audit, aggregate_state
from application.cases import Cases
from application.payments import Payments
from application.ports import AccessRecord, ArchivedEvent
from application.principal import Principal
from domain.errors import ApplicationNotFound, DomainError, RoleNotAllowed
from tests.unit.builders import CTX
from tests.unit.test_cases_app import CLERK, A, CaseCore, make_cases, submit

AUDITOR = Principal("auditor-1", "auditor")

# What the applicant and the officer may try next; those the state refuses are skipped,
# so every history generated is one the domain allows.
STEPS: dict[str, Any] = {
    "accept": lambda c, key: c.handling.accept(CLERK, CTX, key),
    "release": lambda c, key: c.handling.release(CLERK, CTX, key),
    "request": lambda c, key: c.handling.request_information(
        CLERK, CTX, key, message="Need a copy."
    ),
    "provide": lambda c, key: c.submissions.provide_information(
        A, CTX, key, message="Here.", form=None
    ),
    "decide": lambda c, key: c.decisions.decide(
        CLERK, CTX, key, outcome="approved", reasons="In order.", legal_basis="Art. 1"
    ),
    "withdraw": lambda c, key: c.submissions.withdraw(A, CTX, key, reason="Changed my mind."),
}


class Unused:
    """Ports time travel does not touch."""

    def events(self, stream: str, aggregate_ids: list[UUID]) -> list[ArchivedEvent]:
        raise AssertionError("not used")

    def verify_case(self, aggregates: dict[str, list[UUID]]) -> Any:
        raise AssertionError("not used")

    def for_subjects(self, subject_ids: list[str], *, after: int, limit: int) -> list[Any]:
        return []

    def by_actor(self, actor: str, *, after: int, limit: int) -> list[AccessRecord]:
        return []

    def actions(self, actor: str, *, cursor: str | None = None, limit: int = 50) -> Any:
        raise AssertionError("not used")

    def members(self, case_id: UUID) -> dict[str, list[UUID]]:
        return {}

    def case_of(self, aggregate_id: UUID) -> UUID | None:
        return None


def audit_of(cases: Cases) -> Audit:
    unused = Unused()
    return Audit(
        cases=cases,
        payments=Payments(),
        archive=unused,
        verifier=unused,
        access=unused,
        actions=unused,
        members=unused,
        cases_of_citizen=lambda ref: [],
    )


# Long histories cross the snapshot interval (50): the case ends, if at all, last.
HISTORIES = st.builds(
    lambda middle, end: middle + ([end] if end else []),
    st.lists(st.sampled_from(["accept", "release", "request", "provide"]), max_size=140),
    st.sampled_from([None, "decide", "withdraw"]),
)


def history(core: CaseCore, steps: list[str]) -> str:
    key = str(submit(core).id)
    for step in steps:
        try:
            STEPS[step](core, key)
        except DomainError:
            continue
    return key


def fold(events: list[Any]) -> dict[str, Any]:
    aggregate = None
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate_state(aggregate)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=HISTORIES)
def test_the_state_at_version_n_is_the_fold_of_the_first_n_events(steps: list[str]) -> None:
    core = make_cases()
    cases = core.cases
    audit = audit_of(cases)
    key = history(core, steps)
    events = list(cases.repository.event_store.get(UUID(key)))

    assert len(events) >= 3
    for n in range(1, len(events) + 1):
        at_version = audit.state(AUDITOR, CTX, key, version=n)
        assert at_version.version == n
        assert at_version.state == fold(events[:n])
        assert at_version.recorded_at == events[n - 1].timestamp


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=HISTORIES,
    offsets=st.lists(st.integers(min_value=-5, max_value=5_000), min_size=1, max_size=8),
)
def test_the_state_at_an_instant_is_the_state_at_the_last_version_recorded_by_then(
    steps: list[str], offsets: list[int]
) -> None:
    core = make_cases()
    cases = core.cases
    audit = audit_of(cases)
    key = history(core, steps)
    events = list(cases.repository.event_store.get(UUID(key)))
    first = events[0].timestamp

    for offset in offsets:
        instant = first + timedelta(microseconds=offset)
        recorded = [e for e in events if e.timestamp <= instant]
        if not recorded:
            with pytest.raises(ApplicationNotFound, match="did not exist yet"):
                audit.state(AUDITOR, CTX, key, at=instant)
            continue
        state = audit.state(AUDITOR, CTX, key, at=instant)
        assert state.version == len(recorded)
        assert state.state == fold(events[: len(recorded)])
    for event in events:  # at each recorded instant exactly
        state = audit.state(AUDITOR, CTX, key, at=event.timestamp)
        assert state.state == fold([e for e in events if e.timestamp <= event.timestamp])


def test_two_versions_compare_field_by_field() -> None:
    core = make_cases()
    cases = core.cases
    key = history(core, ["accept", "request"])
    compared = audit_of(cases).state(AUDITOR, CTX, key, version=3, compare=1)
    assert compared.compared_with == 1
    assert compared.changes is not None
    assert compared.changes["version"] == {"from": 1, "to": 3}
    assert set(compared.changes) < set(compared.state)
    assert all(change["from"] != change["to"] for change in compared.changes.values())


def test_versions_that_do_not_exist_and_non_auditors_are_refused() -> None:
    core = make_cases()
    cases = core.cases
    key = history(core, [])
    audit = audit_of(cases)
    latest = len(list(cases.repository.event_store.get(UUID(key))))
    with pytest.raises(ApplicationNotFound, match=f"has no version {latest + 1}"):
        audit.state(AUDITOR, CTX, key, version=latest + 1)
    with pytest.raises(RoleNotAllowed):
        audit.state(A, CTX, key, version=1)
    with pytest.raises(RoleNotAllowed):
        audit.state(CLERK, CTX, key, version=1)
