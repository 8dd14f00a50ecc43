"""Bearer tokens: HS256 with the configured secret (development and Yagona-minted tokens)
and RS256 against an external identity provider's JWKS (e.g. OneID) in production."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jwt

from application.ports import Clock
from application.principal import Principal
from domain.errors import DomainError


class InvalidToken(Exception):
    """The token is malformed, expired, or not signed by a key we trust."""


class TokenService:
    algorithm = "HS256"

    def __init__(
        self,
        secret: str,
        *,
        issuer: str,
        ttl_seconds: int,
        clock: Clock,
        jwks_url: str | None = None,
        audience: str | None = None,
    ) -> None:
        self._secret = secret
        self._issuer = issuer
        self._ttl = timedelta(seconds=ttl_seconds)
        self._clock = clock
        self._audience = audience
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True) if jwks_url else None

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
        if self._audience:
            claims["aud"] = self._audience
        if principal.agency:
            claims["agency"] = principal.agency
        if principal.scopes:
            claims["scopes"] = sorted(principal.scopes)
        if principal.name:
            claims["name"] = principal.name
        return jwt.encode(claims, self._secret, algorithm=self.algorithm)

    def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
            algorithm = header.get("alg")
            key: Any
            if algorithm == "RS256" and self._jwks is not None:
                key = self._jwks.get_signing_key_from_jwt(token).key
            elif algorithm == self.algorithm:
                key = self._secret
            else:
                raise InvalidToken(f"tokens signed with {algorithm!r} are not accepted")
            claims = jwt.decode(
                token,
                key,
                algorithms=[str(algorithm)],
                issuer=self._issuer,
                audience=self._audience,
                options={"require": ["exp", "iat", "sub", "iss"]},
            )
        except (jwt.PyJWTError, jwt.PyJWKClientError) as error:
            raise InvalidToken(str(error)) from None
        try:
            return Principal(
                subject=str(claims["sub"]),
                role=str(claims.get("role", "")),
                agency=claims.get("agency"),
                scopes=frozenset(claims.get("scopes") or ()),
                name=claims.get("name"),
            )
        except DomainError as error:
            raise InvalidToken(error.detail) from None
