"""A case's history is listed in a total order consistent with commit order in each stream:
event timestamps are taken when an event is created, so two transactions can commit in the
other order, and the history must still list position 15 before position 16."""

from __future__ import annotations

import itertools
from datetime import timedelta
from uuid import UUID, uuid4

from hypothesis import given
from hypothesis import strategies as st

from application.audit import Audit, commit_order
from application.cases import Cases
from application.payments import Payments
from application.ports import ArchivedEvent
from tests.unit.builders import CTX
from tests.unit.test_audit_time_travel import AUDITOR, Unused
from tests.unit.test_cases_app import NOW, make_cases, submit

PAYMENT = uuid4()


def archived(stream: str, position: int, seconds: int | None) -> ArchivedEvent:
    return ArchivedEvent(
        stream=stream,
        position=position,
        aggregate_id=PAYMENT if stream == "Payments" else UUID(int=position),
        version=position,
        topic=f"x:{stream}.Event",
        type=f"{stream}.Event",
        timestamp=None if seconds is None else NOW + timedelta(seconds=seconds),
        meta={},
        payload={} if seconds is not None else None,
        stored_state=b"",
    )


# Cases position 16 was created (stamped) before 15 but committed after it; 17 no longer
# decodes, so it has no timestamp at all.
STORED = {
    "Cases": [
        archived("Cases", 14, 0),
        archived("Cases", 15, 10),
        archived("Cases", 16, 8),
        archived("Cases", 17, None),
        archived("Cases", 18, 20),
    ],
    "Payments": [archived("Payments", 3, 9), archived("Payments", 4, 12)],
}


class Archive(Unused):
    """The stored events of both streams, handed back newest first (the history must not
    depend on the order the archive returns them in)."""

    def events(self, stream: str, aggregate_ids: list[UUID]) -> list[ArchivedEvent]:
        return list(reversed(STORED[stream]))

    def members(self, case_id: UUID) -> dict[str, list[UUID]]:
        return {"Payments": [PAYMENT]}


def audit_of(cases: Cases) -> Audit:
    archive = Archive()
    return Audit(
        cases=cases,
        payments=Payments(),
        archive=archive,
        verifier=archive,
        access=archive,
        actions=archive,
        members=archive,
        cases_of_citizen=lambda ref: [],
    )


def test_the_history_keeps_each_streams_commit_order_and_merges_the_streams_by_time() -> None:
    core = make_cases()
    cases = core.cases
    key = str(submit(core).id)
    audit = audit_of(cases)

    page = audit.history(AUDITOR, CTX, key, limit=100)
    listed = [(e.stream, e.position) for e in page.items]
    assert listed == [
        ("Cases", 14),
        ("Payments", 3),  # 9 s: before Cases 15 (10 s)
        ("Cases", 15),
        ("Cases", 16),  # stamped at 8 s, but committed after 15
        ("Cases", 17),  # no timestamp: it keeps its place in its stream
        ("Payments", 4),  # 12 s
        ("Cases", 18),  # 20 s
    ]
    assert page.next is None

    # Pages of two walk the same order.
    walked: list[tuple[str, int]] = []
    offset: int | None = 0
    while offset is not None:
        part = audit.history(AUDITOR, CTX, key, offset=offset, limit=2)
        walked.extend((e.stream, e.position) for e in part.items)
        offset = part.next
    assert walked == listed


EVENTS = st.lists(
    st.tuples(
        st.sampled_from(["Cases", "Payments", "Catalogue"]),
        st.one_of(st.none(), st.integers(min_value=0, max_value=5)),  # few distinct times
    ),
    max_size=40,
)


@given(events=EVENTS, data=st.data())
def test_commit_order_is_total_and_keeps_every_streams_positions(
    events: list[tuple[str, int | None]], data: st.DataObject
) -> None:
    stored = [
        archived(stream, position, seconds) for position, (stream, seconds) in enumerate(events)
    ]
    ordered = commit_order(stored)
    assert sorted(ordered, key=id) == sorted(stored, key=id)  # a permutation
    for stream in ("Cases", "Payments", "Catalogue"):
        positions = [e.position for e in ordered if e.stream == stream]
        assert positions == sorted(positions)
    shuffled = data.draw(st.permutations(stored))
    assert commit_order(shuffled) == ordered  # the order does not depend on the input's
    # Ties in time go to the stream named first.
    for before, after in itertools.pairwise(ordered):
        if before.timestamp is not None and before.timestamp == after.timestamp:
            assert before.stream <= after.stream
