"""Bearer tokens: HS256 JWTs signed with the configured secret."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jwt

from application.ports import Clock
from application.principal import Principal
from domain.errors import DomainError


class InvalidToken(Exception):
    """The token is malformed, expired, or not signed with our key."""


class TokenService:
    algorithm = "HS256"

    def __init__(self, secret: str, *, issuer: str, ttl_seconds: int, clock: Clock) -> None:
        self._secret = secret
        self._issuer = issuer
        self._ttl = timedelta(seconds=ttl_seconds)
        self._clock = clock

    def mint(self, principal: Principal, *, ttl_seconds: int | None = None) -> str:
        now = self._clock.now()
        ttl = timedelta(seconds=ttl_seconds) if ttl_seconds is not None else self._ttl
        claims: dict[str, Any] = {
            "iss": self._issuer,
            "sub": principal.subject,
            "role": principal.role,
            "iat": int(now.timestamp()),
            "exp": int((now + ttl).timestamp()),
        }
        if principal.agency:
            claims["agency"] = principal.agency
        if principal.scopes:
            claims["scopes"] = sorted(principal.scopes)
        return jwt.encode(claims, self._secret, algorithm=self.algorithm)

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[self.algorithm],
                issuer=self._issuer,
                options={"require": ["exp", "iat", "sub", "iss"]},
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from None
        try:
            return Principal(
                subject=str(claims["sub"]),
                role=str(claims.get("role", "")),
                agency=claims.get("agency"),
                scopes=frozenset(claims.get("scopes") or ()),
            )
        except DomainError as error:
            raise InvalidToken(error.detail) from None
