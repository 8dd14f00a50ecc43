"""Integrator clients: other state systems, banks and dashboards that read the feed and the
read models and receive webhooks. Each client has scopes and an API key, shown once and kept
only as a hash; an administrator creates and revokes them."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID, uuid4

from application.authorization import authorize
from application.ports import Clock
from application.principal import Principal
from domain.context import CommandContext
from domain.errors import (
    AmbiguousIntegrator,
    IntegratorNotFound,
    InvalidInput,
    InvalidScope,
)
from domain.identity import INTEGRATOR, SCOPES
from domain.quoting import quoted

KEY_PREFIX = "yk_"
ID_PREFIX_MIN = 4  # the fewest hex digits of an id that name a client (as git's short ids)
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class IntegratorClient:
    id: UUID
    name: str
    scopes: frozenset[str]
    key_sha256: str
    created_at: datetime
    created_by: str
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    revoke_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class IntegratorStore(Protocol):
    def add(self, client: IntegratorClient) -> None: ...

    def get(self, client_id: UUID) -> IntegratorClient | None: ...

    def all(self) -> list[IntegratorClient]: ...

    def with_id_prefix(self, hex_prefix: str, *, limit: int) -> list[IntegratorClient]:
        """Up to ``limit`` clients whose id, as 32 hex digits, starts with ``hex_prefix``."""
        ...

    def revoke(self, client_id: UUID, *, at: datetime, by: str, reason: str) -> bool:
        """False when it was already revoked (the first revocation stands)."""
        ...


@dataclass(frozen=True)
class IssuedKey:
    client: IntegratorClient
    api_key: str  # shown once


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_scopes(scopes: list[str] | tuple[str, ...] | frozenset[str]) -> frozenset[str]:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise InvalidScope(f"unknown scopes {unknown}; known: {', '.join(SCOPES)}")
    if not scopes:
        raise InvalidScope(f"give at least one scope: {', '.join(SCOPES)}")
    return frozenset(scopes)


class Integrators:
    def __init__(self, store: IntegratorStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    @staticmethod
    def _admin(principal: Principal) -> None:
        authorize(principal, "integrators.manage")

    def create(
        self, principal: Principal, ctx: CommandContext, *, name: str, scopes: list[str]
    ) -> IssuedKey:
        self._admin(principal)
        name = name.strip()
        if not 1 <= len(name) <= 200:
            raise InvalidInput("an integrator client needs a name of 1 to 200 characters")
        client_id = uuid4()
        secret = secrets.token_urlsafe(32)
        client = IntegratorClient(
            id=client_id,
            name=name,
            scopes=parse_scopes(scopes),
            key_sha256=_digest(secret),
            created_at=self.clock.now(),
            created_by=ctx.actor,
        )
        self.store.add(client)
        return IssuedKey(client, f"{KEY_PREFIX}{client_id.hex}_{secret}")

    def revoke(
        self, principal: Principal, ctx: CommandContext, client_id: UUID, *, reason: str
    ) -> IntegratorClient:
        """Revoke a client: its key and tokens stop working at once. Revoking twice keeps
        the first revocation."""
        self._admin(principal)
        if not reason.strip():
            raise InvalidInput("say why the client is revoked")
        if self.store.get(client_id) is None:
            raise IntegratorNotFound(f"no integrator client {client_id}")
        self.store.revoke(client_id, at=self.clock.now(), by=ctx.actor, reason=reason.strip())
        client = self.store.get(client_id)
        assert client is not None
        return client

    def client(self, principal: Principal, key: str) -> IntegratorClient:
        """The client an administrator names by its id or by a unique prefix of it (at
        least ``ID_PREFIX_MIN`` hex digits; dashes and case do not matter)."""
        self._admin(principal)
        digits = key.strip().lower().replace("-", "")
        if not digits or not set(digits) <= _HEX or len(digits) > 32:
            raise InvalidInput(
                f"{quoted(key)} is not an integrator client's id or the start of one (hex digits)"
            )
        if len(digits) < ID_PREFIX_MIN:
            raise InvalidInput(
                f"give at least {ID_PREFIX_MIN} characters of the client's id, not {quoted(key)}"
            )
        found = self.store.with_id_prefix(digits, limit=6)
        if not found:
            what = key if len(digits) == 32 else f"whose id starts with {key}"
            raise IntegratorNotFound(f"no integrator client {what}")
        if len(found) > 1:
            shown = ", ".join(str(c.id) for c in found[:5]) + (", …" if len(found) > 5 else "")
            raise AmbiguousIntegrator(
                f"{key} is the start of more than one client's id ({shown}); give more of it"
            )
        return found[0]

    def clients(self, principal: Principal) -> list[IntegratorClient]:
        self._admin(principal)
        return self.store.all()

    def authenticate(self, api_key: str) -> Principal | None:
        """The principal an API key stands for, or None (unknown, malformed or revoked)."""
        if not api_key.startswith(KEY_PREFIX):
            return None
        client_hex, _, secret = api_key[len(KEY_PREFIX) :].partition("_")
        try:
            client_id = UUID(hex=client_hex)
        except ValueError:
            return None
        client = self.store.get(client_id)
        if client is None or not client.active:
            return None
        if not hmac.compare_digest(client.key_sha256, _digest(secret)):
            return None
        return Principal(subject=str(client.id), role=INTEGRATOR, scopes=client.scopes)

    def admit(self, principal: Principal) -> Principal | None:
        """An integrator's token is honoured only for a registered, active client, and only
        for scopes the client holds (all of them when the token names none)."""
        if principal.role != INTEGRATOR:
            return principal
        try:
            client = self.store.get(UUID(principal.subject))
        except ValueError:
            return None
        if client is None or not client.active:
            return None
        if principal.scopes and not principal.scopes <= client.scopes:
            return None
        return Principal(
            subject=principal.subject,
            role=INTEGRATOR,
            scopes=principal.scopes or client.scopes,
        )
