"""Deterministic aggregate ids derived from natural keys.

Reference data (territories, agencies, services, the BHM schedule) is identified by its
natural code; hashing the code into a UUID makes seeding idempotent and lets any process
find an aggregate without a lookup table.
"""

from __future__ import annotations

from uuid import UUID, uuid5

YAGONA_NAMESPACE = UUID("5b0a6c2e-8f47-4c55-9a57-3f0b1d6e2a91")


def natural_id(kind: str, code: str) -> UUID:
    return uuid5(YAGONA_NAMESPACE, f"/{kind}/{code}")
