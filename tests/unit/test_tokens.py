"""Bearer tokens: HS256 minted here, RS256 from an identity provider's JWKS."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from application.principal import InvalidPrincipal, Principal
from infrastructure.tokens import InvalidToken, TokenService
from tests.fakes.adapters import FixedClock

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
SECRET = "a-test-secret-of-at-least-32-bytes"


def service(clock: FixedClock, jwks_url: str | None = None) -> TokenService:
    return TokenService(SECRET, issuer="yagona", ttl_seconds=3600, clock=clock, jwks_url=jwks_url)


def test_minted_tokens_verify_into_the_principal() -> None:
    tokens = service(FixedClock(NOW))
    officer = Principal("officer-1", "officer", agency="justice-1703")
    assert tokens.verify(tokens.mint(officer)) == officer
    citizen = Principal("31503901234567", "citizen", name="Aziza")
    assert tokens.verify(tokens.mint(citizen)) == citizen


def test_an_officers_name_and_position_travel_in_the_token() -> None:
    tokens = service(FixedClock(NOW))
    officer = Principal(
        "officer-ia-mu",
        "officer",
        agency="justice-1703202",
        name="Dilnoza Rahimova",
        position="Chief specialist",
    )
    token = tokens.mint(officer)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (claims["name"], claims["position"]) == ("Dilnoza Rahimova", "Chief specialist")
    assert tokens.verify(token) == officer


def claims_token(**claims: object) -> str:
    base = {"iss": "yagona", "iat": int(NOW.timestamp()), "exp": int(NOW.timestamp()) + 60}
    return jwt.encode(base | claims, SECRET, algorithm="HS256")


def test_blank_or_non_text_names_count_as_absent_and_only_officers_hold_a_position() -> None:
    tokens = service(FixedClock(NOW))
    officer = tokens.verify(
        claims_token(sub="o-1", role="officer", agency="justice-1703", name="  ", position=7)
    )
    assert (officer.name, officer.position) == (None, None)
    citizen = tokens.verify(
        claims_token(sub="31503901234567", role="citizen", name=" Aziza ", position="CEO")
    )
    assert (citizen.name, citizen.position) == ("Aziza", None)  # an IdP's extra claim, ignored
    with pytest.raises(InvalidPrincipal, match="only officers hold a position"):
        Principal("31503901234567", "citizen", position="CEO")


def test_expiry_follows_the_clock() -> None:
    clock = FixedClock(NOW)
    tokens = service(clock)
    token = tokens.mint(Principal("a-1", "auditor"), ttl_seconds=60)
    clock.advance(timedelta(seconds=120))
    with pytest.raises(InvalidToken, match="expired"):
        tokens.verify(token)


def test_a_token_signed_with_another_key_is_refused() -> None:
    forged = jwt.encode(
        {
            "iss": "yagona",
            "sub": "x",
            "role": "admin",
            "iat": int(NOW.timestamp()),
            "exp": int(NOW.timestamp()) + 60,
        },
        "another-secret-of-thirty-two-bytes!!",
        algorithm="HS256",
    )
    with pytest.raises(InvalidToken, match="Signature"):
        service(FixedClock(NOW)).verify(forged)


def test_unsigned_tokens_are_refused() -> None:
    unsigned = jwt.encode({"iss": "yagona", "sub": "x", "role": "admin"}, None, algorithm="none")
    with pytest.raises(InvalidToken, match="not accepted"):
        service(FixedClock(NOW)).verify(unsigned)


def test_claims_must_describe_a_valid_principal() -> None:
    bad = jwt.encode(
        {
            "iss": "yagona",
            "sub": "12345",
            "role": "citizen",
            "iat": int(NOW.timestamp()),
            "exp": int(NOW.timestamp()) + 60,
        },
        SECRET,
        algorithm="HS256",
    )
    with pytest.raises(InvalidToken, match="PINFL"):
        service(FixedClock(NOW)).verify(bad)


def test_rs256_tokens_verify_against_a_jwks(tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    public.update(kid="oneid-1", use="sig", alg="RS256")
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [public]}))
    now = int(time.time())
    claims = {
        "iss": "yagona",
        "sub": "31503901234567",
        "role": "citizen",
        "iat": now,
        "exp": now + 300,
    }
    token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "oneid-1"})
    tokens = service(FixedClock(datetime.fromtimestamp(now, tz=UTC)), jwks_url=jwks.as_uri())
    assert tokens.verify(token).subject == "31503901234567"
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, other, algorithm="RS256", headers={"kid": "oneid-1"})
    with pytest.raises(InvalidToken):
        tokens.verify(forged)
