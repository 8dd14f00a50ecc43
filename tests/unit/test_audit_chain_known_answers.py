"""The audit hash chain without PostgreSQL: known answers for its hashes, and every finding
``verify_chain`` and ``verify_seals`` can report, from in-memory links, events and seals.

The literal hex values below were computed outside Python, with coreutils' ``sha256sum``
over the documented canonical strings (bash, Z = 64 zeros, ID = UUID(int=1)):

    S1=$(printf '%s' '{"amount":100}' | sha256sum | cut -d' ' -f1)
    E1=$(printf '%s' "$ID|1|domain.payment:Payment.Requested|$S1" | sha256sum | cut -d' ' -f1)
    L1=$(printf '%s' "$Z|$E1" | sha256sum | cut -d' ' -f1)
    S2=$(printf '%s' '{"amount":100,"status":"succeeded"}' | sha256sum | cut -d' ' -f1)
    E2=$(printf '%s' "$ID|2|domain.payment:Payment.Succeeded|$S2" | sha256sum | cut -d' ' -f1)
    L2=$(printf '%s' "$L1|$E2" | sha256sum | cut -d' ' -f1)
    EEMPTY=$(printf '%s' "$ID|1|domain.payment:Payment.Requested|$(printf '' | sha256sum \
        | cut -d' ' -f1)" | sha256sum | cut -d' ' -f1)
    SEAL1=$(printf '%s' "$Z|{\\"Payments:$ID\\":[2,\\"$L2\\"]}" | sha256sum | cut -d' ' -f1)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Any

import pytest

from domain.audit_chain import (
    CHAIN_REWRITTEN,
    GENESIS,
    INSERTED,
    MISSING,
    MODIFIED,
    REORDERED,
    SEAL_MISMATCH,
    SEALS_BROKEN,
    StoredLink,
    chain,
    event_hash,
    event_hash_of_digest,
    link,
    seal_hash,
    verify_chain,
    verify_seals,
)

ID = "00000000-0000-0000-0000-000000000001"
REQUESTED = "domain.payment:Payment.Requested"
SUCCEEDED = "domain.payment:Payment.Succeeded"
STATE_1 = b'{"amount":100}'
STATE_2 = b'{"amount":100,"status":"succeeded"}'

S1 = "4d4bbe59c6aad22442cde199a6a8a5f034405fcd78fb5a81c24ef249de1c45f1"
E1 = "a91fe0473e6fdc8abac8ab235959e47a6fd98764c79e1490db09643c0e8be61f"
L1 = "15b6edb1869463dc270f5c5a8453a10fec202e5ec783cfc86af318d231655345"
S2 = "d3f2f6cc5b8eb223e8b25a5d0f81dc04c2583429ff991d05ee35caae45df2166"
E2 = "3eb08fc87d99b270480e3fb46feee117a0e47d654449621b1ca05d41428dce69"
L2 = "a0c6027c2e6b73a615e2da4c3fee4f1f24df034058afec8d2307687fbc660aaa"
E_EMPTY = "0350555d870911874a4dea33a0fc8049c66a6e92439c6eabf5abd07da1ec6a19"
SEAL_1 = "6f88c9915ecab51e6d2e87cc9e2d65532ba7e0f191d6cc0676d418428a7c75bb"


# --- known answers ---------------------------------------------------------------------------


def test_genesis_is_64_zeros() -> None:
    assert GENESIS == "0" * 64


def test_event_hash_known_answers() -> None:
    assert event_hash(ID, 1, REQUESTED, STATE_1) == E1
    assert event_hash(ID, 2, SUCCEEDED, STATE_2) == E2
    assert event_hash(ID, 1, REQUESTED, b"") == E_EMPTY
    assert event_hash_of_digest(ID, 1, REQUESTED, S1) == E1  # as the database streams it


@pytest.mark.parametrize(
    "changed",
    [
        ("00000000-0000-0000-0000-000000000002", 1, REQUESTED, STATE_1),
        (ID, 2, REQUESTED, STATE_1),
        (ID, 1, SUCCEEDED, STATE_1),
        (ID, 1, REQUESTED, STATE_1 + b" "),
    ],
    ids=["aggregate", "version", "topic", "state"],
)
def test_every_part_of_an_event_is_in_its_hash(changed: tuple[str, int, str, bytes]) -> None:
    assert event_hash(*changed) != E1


def test_link_known_answers() -> None:
    assert link(GENESIS, E1) == L1
    assert link(L1, E2) == L2
    assert chain([E1, E2]) == [L1, L2]
    assert chain([E2], previous=L1) == [L2]


def test_a_link_depends_on_the_previous_link() -> None:
    assert link(L1, E2) != link(GENESIS, E2)
    assert link(GENESIS, E2) != hashlib.sha256(E2.encode()).hexdigest()


def test_seal_hash_known_answer() -> None:
    assert seal_hash(GENESIS, {f"Payments:{ID}": [2, L2]}) == SEAL_1


# --- verify_chain: every finding -------------------------------------------------------------


def recorded() -> list[StoredLink]:
    """The links recorded when the two events were appended (the known answers)."""
    return [StoredLink(1, E1, L1), StoredLink(2, E2, L2)]


def stored_now(*states: tuple[str, bytes]) -> dict[int, tuple[str, str]]:
    """The events as stored now: version -> (topic, sha256 of the stored state)."""
    return {
        version: (topic, hashlib.sha256(state).hexdigest())
        for version, (topic, state) in enumerate(states, start=1)
    }


AS_STORED = ((REQUESTED, STATE_1), (SUCCEEDED, STATE_2))


def verify(
    stored: list[StoredLink],
    recomputed: dict[int, tuple[str, str]],
    sealed_head: tuple[int, str] | None = None,
) -> Any:
    return verify_chain("Payments", ID, stored, recomputed, sealed_head)


def test_an_untouched_chain_is_intact_sealed_or_not() -> None:
    assert verify(recorded(), stored_now(*AS_STORED)) is None
    assert verify(recorded(), stored_now(*AS_STORED), (2, L2)) is None
    assert verify(recorded(), stored_now(*AS_STORED), (1, L1)) is None  # grew since the seal
    assert verify(list(reversed(recorded())), stored_now(*AS_STORED)) is None  # any order


def test_a_modified_event_is_located() -> None:
    finding = verify(recorded(), stored_now((REQUESTED, STATE_1), (SUCCEEDED, b'{"amount":1}')))
    assert finding is not None
    assert (finding.stream, finding.aggregate_id, finding.version, finding.problem) == (
        "Payments",
        ID,
        2,
        MODIFIED,
    )


def test_a_changed_topic_is_a_modification() -> None:
    finding = verify(recorded(), stored_now((SUCCEEDED, STATE_1), (SUCCEEDED, STATE_2)))
    assert (finding.version, finding.problem) == (1, MODIFIED)


def test_a_deleted_event_is_missing() -> None:
    finding = verify(recorded(), stored_now((REQUESTED, STATE_1)))
    assert (finding.version, finding.problem) == (2, MISSING)


def test_an_event_never_chained_is_inserted() -> None:
    extra = stored_now(*AS_STORED, (SUCCEEDED, b'{"forged":true}'))
    finding = verify(recorded(), extra)
    assert (finding.version, finding.problem) == (3, INSERTED)


def test_swapped_events_are_reordered() -> None:
    # Two events of the same topic swapped between versions 2 and 3.
    states = ((REQUESTED, STATE_1), (SUCCEEDED, b'{"n":2}'), (SUCCEEDED, b'{"n":3}'))
    digests = [event_hash(ID, v, t, s) for v, (t, s) in enumerate(states, start=1)]
    links = chain(digests)
    chained = [
        StoredLink(v, d, lk) for v, (d, lk) in enumerate(zip(digests, links, strict=True), start=1)
    ]
    assert verify(chained, stored_now(*states)) is None
    swapped = stored_now(states[0], states[2], states[1])
    finding = verify(chained, swapped)
    assert (finding.version, finding.problem) == (2, REORDERED)
    assert "recorded as version 3" in finding.detail


def test_links_that_do_not_follow_are_a_rewritten_chain() -> None:
    """The events match their recorded hashes, but a recorded link was replaced: only the
    links-follow check sees it (no seal is given)."""
    forged = [StoredLink(1, E1, L1), StoredLink(2, E2, "f" * 64)]
    finding = verify(forged, stored_now(*AS_STORED))
    assert finding is not None
    assert (finding.version, finding.problem) == (2, CHAIN_REWRITTEN)


def test_a_first_link_not_from_genesis_is_a_rewritten_chain() -> None:
    start_elsewhere = chain([E1, E2], previous="1" * 64)
    forged = [StoredLink(1, E1, start_elsewhere[0]), StoredLink(2, E2, start_elsewhere[1])]
    finding = verify(forged, stored_now(*AS_STORED))
    assert (finding.version, finding.problem) == (1, CHAIN_REWRITTEN)


def test_a_consistently_rewritten_chain_differs_from_its_seal() -> None:
    """Event 2 altered and its hash and link recomputed: consistent in itself, so only the
    sealed head shows it."""
    altered = b'{"amount":1,"status":"succeeded"}'
    new_hash = event_hash(ID, 2, SUCCEEDED, altered)
    rewritten = [StoredLink(1, E1, L1), StoredLink(2, new_hash, link(L1, new_hash))]
    states = stored_now((REQUESTED, STATE_1), (SUCCEEDED, altered))
    assert verify(rewritten, states) is None  # without the seal it looks intact
    finding = verify(rewritten, states, (2, L2))
    assert finding is not None
    assert (finding.version, finding.problem) == (2, SEAL_MISMATCH)


def test_a_sealed_version_that_is_gone_differs_from_its_seal() -> None:
    """Both the last event and its link deleted: the chain is consistent, the seal is not."""
    finding = verify([StoredLink(1, E1, L1)], stored_now((REQUESTED, STATE_1)), (2, L2))
    assert (finding.version, finding.problem) == (2, SEAL_MISMATCH)


def test_the_first_problem_in_check_order_is_reported() -> None:
    """A rewritten link comes before a modified event, which comes before a seal."""
    forged = [StoredLink(1, E1, L1), StoredLink(2, E2, "f" * 64)]
    finding = verify(forged, stored_now((REQUESTED, b"x"), (SUCCEEDED, STATE_2)), (2, "e" * 64))
    assert finding.problem == CHAIN_REWRITTEN
    finding = verify(recorded(), stored_now((REQUESTED, b"x"), (SUCCEEDED, STATE_2)), (2, "e" * 64))
    assert (finding.version, finding.problem) == (1, MODIFIED)


# --- verify_seals ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeSeal:
    seq: int
    heads: dict[str, list[Any]]
    previous_hash: str
    hash: str


def sealed(*heads: dict[str, list[Any]]) -> list[FakeSeal]:
    """A seal stream as the sealer writes it: each seal hashes the previous one."""
    seals, previous = [], GENESIS
    for seq, these in enumerate(heads, start=1):
        digest = seal_hash(previous, these)
        seals.append(FakeSeal(seq, these, previous, digest))
        previous = digest
    return seals


OTHER = "00000000-0000-0000-0000-000000000002"
STREAM = [
    {f"Payments:{ID}": [1, L1]},
    {f"Payments:{ID}": [2, L2], f"Cases:{OTHER}": [1, "c" * 64]},
]


def test_an_intact_seal_stream_gives_the_latest_head_of_every_chain() -> None:
    seals = sealed(*STREAM)
    assert seals[0].hash != SEAL_1  # (heads differ from the known answer's)
    assert sealed({f"Payments:{ID}": [2, L2]})[0].hash == SEAL_1
    finding, heads = verify_seals(seals)
    assert finding is None
    assert heads == {f"Payments:{ID}": (2, L2), f"Cases:{OTHER}": (1, "c" * 64)}
    assert verify_seals([]) == (None, {})


def test_a_seal_whose_heads_were_edited_breaks_the_seals() -> None:
    seals = sealed(*STREAM)
    seals[1] = replace(seals[1], heads={**seals[1].heads, f"Payments:{ID}": [2, "e" * 64]})
    finding, heads = verify_seals(seals)
    assert finding is not None
    assert (finding.stream, finding.aggregate_id, finding.version, finding.problem) == (
        "audit_seals",
        "2",
        2,
        SEALS_BROKEN,
    )
    assert heads == {f"Payments:{ID}": (1, L1)}  # the heads before the broken seal


def test_a_seal_that_does_not_name_the_previous_one_breaks_the_seals() -> None:
    seals = sealed(*STREAM)
    restarted = seal_hash(GENESIS, seals[1].heads)  # re-sealed as if it were the first
    seals[1] = replace(seals[1], previous_hash=GENESIS, hash=restarted)
    finding, _ = verify_seals(seals)
    assert finding is not None
    assert (finding.version, finding.problem) == (2, SEALS_BROKEN)


def test_a_seal_with_a_wrong_hash_breaks_the_seals() -> None:
    seals = sealed(*STREAM)
    seals[0] = replace(seals[0], hash="d" * 64)
    finding, heads = verify_seals(seals)
    assert finding is not None
    assert (finding.version, finding.problem) == (1, SEALS_BROKEN)
    assert heads == {}


def test_a_deleted_seal_breaks_the_seals() -> None:
    seals = sealed(*STREAM, {f"Cases:{OTHER}": [2, "b" * 64]})
    finding, _ = verify_seals([seals[0], seals[2]])
    assert finding is not None
    assert (finding.version, finding.problem) == (3, SEALS_BROKEN)
