"""A token lives at most its role's maximum, whoever minted it (security issue: a token
could live 31 years)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from application.principal import Principal
from infrastructure.tokens import InvalidToken, TokenService
from tests.fakes.adapters import FixedClock

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
T = int(NOW.timestamp())
SECRET = "a-test-secret-of-at-least-32-bytes"
HOUR, YEARS_31 = 3600, 31 * 365 * 24 * 3600


def service(jwks_url: str | None = None) -> TokenService:
    return TokenService(
        SECRET, issuer="yagona", ttl_seconds=HOUR, clock=FixedClock(NOW), jwks_url=jwks_url
    )


def token(role: str, lifetime: int, *, issued: int = T, **extra: object) -> str:
    subject = "31503901234567" if role == "citizen" else "s-1"
    claims = {"iss": "yagona", "sub": subject, "role": role, "iat": issued}
    claims |= {"exp": issued + lifetime, **extra}
    if role == "officer":
        claims["agency"] = "justice-1703"
    return jwt.encode(claims, SECRET, algorithm="HS256")


@pytest.mark.parametrize(
    ("role", "longest"),
    [("citizen", HOUR), ("officer", 12 * HOUR), ("auditor", 12 * HOUR), ("admin", 12 * HOUR)],
)
def test_a_token_up_to_its_roles_maximum_is_accepted_and_one_second_more_refused(
    role: str, longest: int
) -> None:
    tokens = service()
    assert tokens.verify(token(role, longest)).role == role
    with pytest.raises(InvalidToken, match=f"may live at most {longest} seconds"):
        tokens.verify(token(role, longest + 1))


def test_a_31_year_token_is_refused() -> None:
    with pytest.raises(InvalidToken, match="lifetime"):
        service().verify(token("admin", YEARS_31))


def test_an_integrators_jwt_has_the_staff_maximum() -> None:
    tokens = service()
    assert tokens.max_lifetime("integrator") == 12 * HOUR
    with pytest.raises(InvalidToken, match="at most 43200 seconds"):
        tokens.verify(token("integrator", 12 * HOUR + 1, scopes=["feed:read"]))


def test_a_token_issued_in_the_future_is_refused() -> None:
    """Else iat far ahead and exp an hour after it would live for years from now."""
    with pytest.raises(InvalidToken, match="future"):
        service().verify(token("citizen", HOUR, issued=T + YEARS_31))
    assert service().verify(token("citizen", HOUR, issued=T + 20)).role == "citizen"


@pytest.mark.parametrize("missing", ["iat", "exp"])
def test_a_token_without_iat_or_exp_is_refused(missing: str) -> None:
    claims = {"iss": "yagona", "sub": "s-1", "role": "citizen", "iat": T, "exp": T + 60}
    del claims[missing]
    with pytest.raises(InvalidToken, match=missing):
        service().verify(jwt.encode(claims, SECRET, algorithm="HS256"))


def test_the_maximums_are_settings() -> None:
    tokens = TokenService(
        SECRET,
        issuer="yagona",
        ttl_seconds=HOUR,
        clock=FixedClock(NOW),
        max_staff_seconds=2 * HOUR,
        max_citizen_seconds=600,
    )
    assert tokens.max_lifetime("citizen") == 600
    with pytest.raises(InvalidToken):
        tokens.verify(token("citizen", 601))
    with pytest.raises(InvalidToken):
        tokens.verify(token("admin", 2 * HOUR + 1))


def test_minting_caps_the_lifetime_at_the_roles_maximum() -> None:
    tokens = service()
    for principal, longest in [
        (Principal("31503901234567", "citizen"), HOUR),
        (Principal("admin-1", "admin"), 12 * HOUR),
    ]:
        minted = tokens.mint(principal, ttl_seconds=YEARS_31)
        claims = jwt.decode(minted, options={"verify_signature": False})
        assert claims["exp"] - claims["iat"] == longest
        assert tokens.verify(minted) == principal


def test_an_identity_providers_token_is_held_to_the_same_maximum(tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(RSAAlgorithm.to_jwk(key.public_key())) | {"kid": "oneid-1"}
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [public]}))
    tokens = service(jwks_url=jwks.as_uri())
    claims = {"iss": "yagona", "sub": "31503901234567", "role": "citizen", "iat": T}
    for lifetime, accepted in [(HOUR, True), (int(timedelta(days=1).total_seconds()), False)]:
        signed = jwt.encode(
            claims | {"exp": T + lifetime}, key, algorithm="RS256", headers={"kid": "oneid-1"}
        )
        if accepted:
            assert tokens.verify(signed).role == "citizen"
        else:
            with pytest.raises(InvalidToken, match="at most 3600 seconds"):
                tokens.verify(signed)
