"""What mutation testing found no unit test checked in the index aggregates
(docs/testing.md): their ids are derived from the key (stored indexes are found by them, so
the derivation cannot change), and a request key's scope is the digest of the caller and
the key, each kept apart."""

from __future__ import annotations

import hashlib
from uuid import UUID, uuid5

from domain.ids import YAGONA_NAMESPACE
from domain.indexes import RequestKeyIndex, TrackingNumberIndex


def test_a_tracking_number_index_is_found_by_the_number() -> None:
    assert TrackingNumberIndex.create_id("AR-2026-0000123") == uuid5(
        YAGONA_NAMESPACE, "/tracking-numbers/AR-2026-0000123"
    )


def test_a_request_key_index_is_found_by_its_kind_and_scope() -> None:
    scope = RequestKeyIndex.scope_of("officer-1", "key-1")
    assert RequestKeyIndex.create_id("appeal", scope) == uuid5(
        YAGONA_NAMESPACE, f"/request-keys/appeal:{scope}"
    )
    assert RequestKeyIndex.create_id("appeal", scope) != RequestKeyIndex.create_id(
        "inter-agency", scope
    )


def test_a_scope_is_the_digest_of_the_caller_and_the_key() -> None:
    scope = RequestKeyIndex.scope_of("officer-1", "key-1")
    assert scope == hashlib.sha256(b"officer-1\x00key-1").hexdigest()
    assert "officer-1" not in scope
    assert scope != RequestKeyIndex.scope_of("officer-2", "key-1")
    assert scope != RequestKeyIndex.scope_of("officer-1", "key-2")


def test_an_index_records_what_it_points_to() -> None:
    target = UUID(int=3)
    scope = RequestKeyIndex.scope_of("officer-1", "key-1")
    index = RequestKeyIndex(kind="appeal", scope=scope, target_id=target)
    assert index.id == RequestKeyIndex.create_id("appeal", scope)
    assert (index.kind, index.scope, index.target_id) == ("appeal", scope, target)
