"""In-memory adapters and a settable clock, for tests and benchmarks on in-memory
persistence (moved out of the production modules: nothing in production uses them)."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from application.integrators import IntegratorClient
from application.ports import AccessEntry, AccessRecord
from infrastructure.clock import UZBEKISTAN


class FixedClock:
    """A clock that reads what it is set to (tests and demos); ``advance`` moves it."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def advance(self, delta: timedelta) -> None:
        self.at += delta

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.at.astimezone(UZBEKISTAN).date()


class MemoryBlobStore:
    def __init__(self) -> None:
        self._blobs: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def put(self, content: bytes) -> str:
        sha256 = hashlib.sha256(content).hexdigest()
        with self._lock:
            self._blobs[sha256] = content
        return sha256

    def get(self, sha256: str) -> bytes | None:
        return self._blobs.get(sha256)


class MemoryAccessLog:
    def __init__(self, clock: Any = None) -> None:
        self.entries: list[AccessEntry] = []
        self.records: list[AccessRecord] = []
        self._clock = clock
        self._lock = threading.Lock()

    def record(self, entry: AccessEntry) -> None:
        at = self._clock.now() if self._clock is not None else datetime.now(tz=UTC)
        with self._lock:
            self.entries.append(entry)
            self.records.append(AccessRecord(at, entry, len(self.records) + 1))

    def for_subjects(self, subject_ids: list[str], *, after: int, limit: int) -> list[AccessRecord]:
        wanted = set(subject_ids)
        found = [r for r in self.records if r.entry.subject_id in wanted and r.id > after]
        return found[:limit]

    def by_actor(self, actor: str, *, after: int, limit: int) -> list[AccessRecord]:
        return [r for r in self.records if r.entry.actor == actor and r.id > after][:limit]


class MemorySequences:
    """In-process sequences, for tests on in-memory persistence."""

    def __init__(self) -> None:
        self._values: dict[str, int] = {}
        self._lock = threading.Lock()

    def next_value(self, name: str) -> int:
        with self._lock:
            self._values[name] = self._values.get(name, 0) + 1
            return self._values[name]


class MemoryIntegratorStore:
    def __init__(self) -> None:
        self.clients: dict[UUID, IntegratorClient] = {}
        self._lock = threading.Lock()

    def add(self, client: IntegratorClient) -> None:
        with self._lock:
            self.clients[client.id] = client

    def get(self, client_id: UUID) -> IntegratorClient | None:
        return self.clients.get(client_id)

    def all(self) -> list[IntegratorClient]:
        return sorted(self.clients.values(), key=lambda c: (c.created_at, str(c.id)))

    def with_id_prefix(self, hex_prefix: str, *, limit: int) -> list[IntegratorClient]:
        found = sorted(
            (c for c in self.clients.values() if c.id.hex.startswith(hex_prefix)),
            key=lambda c: c.id,
        )
        return found[:limit]

    def revoke(self, client_id: UUID, *, at: datetime, by: str, reason: str) -> bool:
        with self._lock:
            client = self.clients.get(client_id)
            if client is None or not client.active:
                return False
            self.clients[client_id] = replace(
                client, revoked_at=at, revoked_by=by, revoke_reason=reason
            )
            return True
