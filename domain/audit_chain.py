"""Tamper evidence: each aggregate's stored events form a hash chain.

    event_hash(n) = sha256(originator_id | version | topic | sha256(stored state bytes))
    link(n)       = sha256(link(n-1) | event_hash(n)),  link(0) = 64 zeros

The chain is over the stored bytes (ciphertext included), so it is checked without the
key. Links are recorded as events are appended; verification recomputes them from the
events table and locates the first difference. Chain heads are sealed periodically: a seal
holds heads and the hash of the previous seal, so rewriting a whole chain consistently
still differs from its sealed head.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

GENESIS = "0" * 64

MODIFIED = "modified"
MISSING = "missing"
REORDERED = "reordered"
INSERTED = "inserted"
CHAIN_REWRITTEN = "chain_rewritten"  # links inconsistent among themselves
SEAL_MISMATCH = "seal_mismatch"  # a consistent chain that differs from its sealed head
SEALS_BROKEN = "seals_broken"  # a seal does not follow from the one before


def event_hash(originator_id: str, version: int, topic: str, state: bytes) -> str:
    return event_hash_of_digest(originator_id, version, topic, hashlib.sha256(state).hexdigest())


def event_hash_of_digest(originator_id: str, version: int, topic: str, state_sha256: str) -> str:
    """The same hash from the state's sha256 (as a database computes it, for streaming)."""
    canonical = f"{originator_id}|{version}|{topic}|{state_sha256}".encode()
    return hashlib.sha256(canonical).hexdigest()


def link(previous: str, event_digest: str) -> str:
    return hashlib.sha256(f"{previous}|{event_digest}".encode()).hexdigest()


@dataclass(frozen=True)
class StoredLink:
    version: int
    event_hash: str
    link: str


@dataclass(frozen=True)
class Finding:
    """The first broken link of a chain: where, and what differs."""

    stream: str  # e.g. "Cases"
    aggregate_id: str
    version: int
    problem: str
    detail: str

    def to_dict(self) -> dict[str, object]:
        return {
            "stream": self.stream,
            "aggregate_id": self.aggregate_id,
            "version": self.version,
            "problem": self.problem,
            "detail": self.detail,
        }


def chain(digests: Iterable[str], previous: str = GENESIS) -> list[str]:
    links = []
    for digest in digests:
        previous = link(previous, digest)
        links.append(previous)
    return links


def verify_chain(
    stream: str,
    aggregate_id: str,
    stored: Sequence[StoredLink],
    recomputed: dict[int, tuple[str, str]],
    sealed_head: tuple[int, str] | None = None,
) -> Finding | None:
    """Compare the recorded links of one aggregate with its events as stored now
    (``recomputed``: version -> (topic, sha256 of the stored state)). None when intact."""
    where = (stream, aggregate_id)
    return (
        _links_follow(where, stored)
        or _events_match(where, stored, recomputed)
        or _sealed_head_matches(where, stored, sealed_head)
    )


def _links_follow(where: tuple[str, str], stored: Sequence[StoredLink]) -> Finding | None:
    previous = GENESIS
    for recorded in sorted(stored, key=lambda s: s.version):
        if link(previous, recorded.event_hash) != recorded.link:
            return Finding(
                *where,
                recorded.version,
                CHAIN_REWRITTEN,
                "the recorded link does not follow from the one before",
            )
        previous = recorded.link
    return None


def _events_match(
    where: tuple[str, str], stored: Sequence[StoredLink], recomputed: dict[int, tuple[str, str]]
) -> Finding | None:
    aggregate_id = where[1]
    by_version = {s.version: s for s in stored}
    for version in sorted(set(by_version) | set(recomputed)):
        if version not in recomputed:
            return Finding(*where, version, MISSING, "a recorded event is no longer in the store")
        if version not in by_version:
            return Finding(
                *where,
                version,
                INSERTED,
                "an event is in the store that was never recorded in the chain",
            )
        topic, digest = recomputed[version]
        if event_hash_of_digest(aggregate_id, version, topic, digest) == (
            by_version[version].event_hash
        ):
            continue
        elsewhere = _recorded_as(aggregate_id, topic, digest, by_version)
        if elsewhere is not None:
            return Finding(
                *where,
                version,
                REORDERED,
                f"the event stored as version {version} was recorded as version {elsewhere}",
            )
        return Finding(*where, version, MODIFIED, "the stored event differs from the one recorded")
    return None


def _recorded_as(
    aggregate_id: str, topic: str, digest: str, by_version: dict[int, StoredLink]
) -> int | None:
    """The version whose recorded hash this stored content has, if any (a moved event)."""
    for other, recorded in by_version.items():
        if event_hash_of_digest(aggregate_id, other, topic, digest) == recorded.event_hash:
            return other
    return None


def _sealed_head_matches(
    where: tuple[str, str], stored: Sequence[StoredLink], sealed_head: tuple[int, str] | None
) -> Finding | None:
    if sealed_head is None:
        return None
    sealed_version, sealed_link = sealed_head
    recorded = {s.version: s.link for s in stored}.get(sealed_version)
    if recorded != sealed_link:
        return Finding(
            *where,
            sealed_version,
            SEAL_MISMATCH,
            "the chain differs from the head sealed for this version",
        )
    return None


def seal_hash(previous_hash: str, heads: dict[str, list[object]]) -> str:
    """The hash of a seal: the previous seal's hash and the heads, canonically serialised."""
    canonical = json.dumps(heads, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{previous_hash}|{canonical}".encode()).hexdigest()


class SealRecord(Protocol):
    """What a stored seal holds (the infrastructure's seal rows have these fields)."""

    @property
    def seq(self) -> int: ...
    @property
    def heads(self) -> dict[str, list[Any]]: ...
    @property
    def previous_hash(self) -> str: ...
    @property
    def hash(self) -> str: ...


def verify_seals(
    seals: Iterable[SealRecord],
) -> tuple[Finding | None, dict[str, tuple[int, str]]]:
    """Check that each seal (in ``seq`` order) follows from the one before: it names the
    previous seal's hash and its own hash is that of the previous hash and its heads. The
    first seal that does not is the finding; the heads are the latest sealed head of every
    chain up to it ("stream:aggregate_id" -> (version, link))."""
    previous = GENESIS
    heads: dict[str, tuple[int, str]] = {}
    for seal in seals:
        if seal.previous_hash != previous or seal_hash(previous, seal.heads) != seal.hash:
            return Finding(
                "audit_seals",
                str(seal.seq),
                seal.seq,
                SEALS_BROKEN,
                "a seal does not follow from the one before",
            ), heads
        previous = seal.hash
        heads.update({k: (int(v[0]), str(v[1])) for k, v in seal.heads.items()})
    return None, heads
