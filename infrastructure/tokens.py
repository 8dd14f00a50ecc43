"""Bearer tokens: HS256 with the configured secret (development and Yagona-minted tokens)
and RS256 against an external identity provider's JWKS (e.g. OneID) in production.

With an identity provider configured, its tokens say who the caller is and nothing more:
the role, agency and position claims are ignored and the staff directory decides
(``resolve``); tokens signed with the local secret are refused unless
``allow_local_tokens`` (a development setting production refuses) lets them through."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jwt

from application.ports import Clock
from application.principal import Identity, Principal
from domain.errors import DomainError, InvalidPinfl
from domain.identity import CITIZEN, OFFICER, validate_pinfl

LEEWAY_SECONDS = 30  # clock skew tolerated between the identity provider and us
STAFF_MAX_LIFETIME_SECONDS = 12 * 3600  # officers, auditors, admins (and integrators' JWTs)
CITIZEN_MAX_LIFETIME_SECONDS = 3600


class InvalidToken(Exception):
    """The token is malformed, expired, or not signed by a key we trust."""


class IdentityRefused(InvalidToken):
    """A valid token of the identity provider whose subject Yagona does not admit: neither
    a citizen nor appointed to the staff directory (answered with 403, not 401)."""

    code = "not-appointed"


def citizens_only(identity: Identity) -> Principal:
    """The resolution without a staff directory: a PINFL is a citizen; nobody is staff."""
    try:
        validate_pinfl(identity.subject)
    except InvalidPinfl:
        raise IdentityRefused(
            "the identity provider's subject is not a citizen's PINFL, and no staff "
            "directory is configured"
        ) from None
    return Principal(subject=identity.subject, role=CITIZEN, name=identity.name)


LOCAL_REFUSED = (
    "local tokens are refused when an identity provider is configured "
    "(YAGONA_JWT_JWKS_URL); sign in with the identity provider"
)


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
        max_staff_seconds: int = STAFF_MAX_LIFETIME_SECONDS,
        max_citizen_seconds: int = CITIZEN_MAX_LIFETIME_SECONDS,
        resolve: Callable[[Identity], Principal] = citizens_only,
        allow_local_tokens: bool = False,
    ) -> None:
        self._resolve = resolve
        self._allow_local = allow_local_tokens
        self._max_staff = max_staff_seconds
        self._max_citizen = max_citizen_seconds
        self._secret = secret
        self._issuer = issuer
        self._ttl = timedelta(seconds=ttl_seconds)
        self._clock = clock
        self._audience = audience
        self._jwks = _jwks_source(jwks_url) if jwks_url else None

    @property
    def identity_provider(self) -> bool:
        """Whether an external identity provider is configured (its JWKS)."""
        return self._jwks is not None

    def max_lifetime(self, role: str) -> int:
        """The longest a token of ``role`` may live, in seconds (``exp - iat``): the citizen
        maximum for citizens, the staff maximum for every other role."""
        return self._max_citizen if role == CITIZEN else self._max_staff

    def mint(self, principal: Principal, *, ttl_seconds: int | None = None) -> str:
        """A token of ``principal`` living ``ttl_seconds`` (else the configured lifetime),
        capped at its role's maximum: Yagona never mints a token it would refuse."""
        now = self._clock.now()
        seconds = ttl_seconds if ttl_seconds is not None else int(self._ttl.total_seconds())
        ttl = timedelta(seconds=min(seconds, self.max_lifetime(principal.role)))
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
        if principal.position:
            claims["position"] = principal.position
        return jwt.encode(claims, self._secret, algorithm=self.algorithm)

    def verify(self, token: str) -> Principal:
        """The principal a token stands for: an identity provider's token resolved through
        the staff directory (its role claims ignored); a local one from its claims, unless
        an identity provider is configured and local tokens are not allowed."""
        algorithm, claims = self._decode(token)
        now = self._clock.now().timestamp()
        if algorithm == "RS256":  # the identity provider's (only accepted with its JWKS)
            identity = Identity(subject=str(claims["sub"]), name=_text_claim(claims, "name"))
            try:
                principal = self._resolve(identity)
            except DomainError as error:
                raise IdentityRefused(error.detail) from None
        else:
            if self._jwks is not None and not self._allow_local:
                raise InvalidToken(LOCAL_REFUSED)
            principal = self._from_claims(claims)
        self._check_lifetime(claims, principal.role, now)
        return principal

    def _decode(self, token: str) -> tuple[str, dict[str, Any]]:
        try:
            header = jwt.get_unverified_header(token)
            algorithm = header.get("alg")
            key: Any
            if algorithm == "RS256" and self._jwks is not None:
                key = self._jwks(token)
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
                options={
                    "require": ["exp", "iat", "sub", "iss"],
                    "verify_exp": False,  # checked below against the injected clock
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except (jwt.PyJWTError, jwt.PyJWKClientError) as error:
            raise InvalidToken(str(error)) from None
        now = self._clock.now().timestamp()
        if not isinstance(claims["exp"], int | float) or claims["exp"] <= now - LEEWAY_SECONDS:
            raise InvalidToken("Signature has expired")
        if isinstance(claims.get("nbf"), int | float) and claims["nbf"] > now + LEEWAY_SECONDS:
            raise InvalidToken("The token is not yet valid (nbf)")
        return str(algorithm), claims

    @staticmethod
    def _from_claims(claims: dict[str, Any]) -> Principal:
        role = str(claims.get("role", ""))
        try:
            return Principal(
                subject=str(claims["sub"]),
                role=role,
                agency=claims.get("agency"),
                scopes=frozenset(claims.get("scopes") or ()),
                name=_text_claim(claims, "name"),
                # a position is an officer's; another identity's is not ours to refuse
                position=_text_claim(claims, "position") if role == OFFICER else None,
            )
        except DomainError as error:
            raise InvalidToken(error.detail) from None

    def _check_lifetime(self, claims: dict[str, Any], role: str, now: float) -> None:
        """Whoever minted it, a token lives at most its role's maximum, counted from its
        ``iat`` (which may not lie in the future) and from now."""
        issued, expires = claims["iat"], claims["exp"]
        if not isinstance(issued, int | float) or isinstance(issued, bool):
            raise InvalidToken("the token's iat is not a time")
        if issued > now + LEEWAY_SECONDS:
            raise InvalidToken("the token is issued in the future (iat)")
        maximum = self.max_lifetime(role)
        if expires - issued > maximum:  # with iat not ahead, exp is at most that far off
            kind = "a citizen's" if role == CITIZEN else "a staff or integrator"
            raise InvalidToken(
                f"the token's lifetime (exp - iat) is {int(expires - issued)} seconds; "
                f"{kind} token may live at most {maximum} seconds"
            )


def _text_claim(claims: dict[str, Any], name: str) -> str | None:
    """An optional text claim; one that is blank or not a text counts as absent."""
    value = claims.get(name)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _jwks_source(url: str) -> Any:
    """A function giving the RS256 key a token names (by ``kid``): fetched and cached from an
    identity provider's https URL, or read once from a ``file://`` JWKS (offline setups)."""
    if url.startswith("file://"):
        key_set = jwt.PyJWKSet.from_json(Path(unquote(urlsplit(url).path)).read_text())

        def from_file(token: str) -> Any:
            kid = jwt.get_unverified_header(token).get("kid")
            for jwk in key_set.keys:
                if kid is None or jwk.key_id == kid:
                    return jwk.key
            raise InvalidToken(f"no key {kid!r} in the configured JWKS")

        return from_file
    client = jwt.PyJWKClient(url, cache_keys=True)
    return lambda token: client.get_signing_key_from_jwt(token).key
