"""What mutation testing found the audit chain's known-answer tests left unchecked
(docs/testing.md): a finding's dictionary (what the verify report shows an auditor) has its
documented keys, and a seal's hash does not depend on the order of its heads (a seal read
back from the database, whose JSON keeps no key order, must verify)."""

from __future__ import annotations

from domain.audit_chain import GENESIS, MODIFIED, Finding, seal_hash


def test_a_finding_as_a_dictionary() -> None:
    finding = Finding("Payments", "id-1", 2, MODIFIED, "the stored event differs")
    assert finding.to_dict() == {
        "stream": "Payments",
        "aggregate_id": "id-1",
        "version": 2,
        "problem": MODIFIED,
        "detail": "the stored event differs",
    }


def test_a_seal_hash_does_not_depend_on_the_order_of_the_heads() -> None:
    one_way = {"Payments:b": [2, "b" * 64], "Cases:a": [1, "a" * 64]}
    other_way = {"Cases:a": [1, "a" * 64], "Payments:b": [2, "b" * 64]}
    assert list(one_way) != list(other_way)
    assert seal_hash(GENESIS, one_way) == seal_hash(GENESIS, other_way)
