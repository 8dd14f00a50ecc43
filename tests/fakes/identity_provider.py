"""An identity provider for tests: an RSA key whose public half is a ``file://`` JWKS, and
the RS256 tokens it signs (as OneID would)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.conftest import TEST_NOW

T = int(TEST_NOW.timestamp())


class Provider:
    """An OneID-like identity provider: an RSA key, published as a ``file://`` JWKS."""

    def __init__(self, folder: Path) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        public.update(kid="oneid-1", use="sig", alg="RS256")
        self.jwks = folder / "jwks.json"
        self.jwks.write_text(json.dumps({"keys": [public]}))

    def token(self, sub: str, lifetime: int = 300, **claims: Any) -> str:
        body = {"iss": "yagona", "sub": sub, "iat": T, "exp": T + lifetime} | claims
        return jwt.encode(body, self.key, algorithm="RS256", headers={"kid": "oneid-1"})

    @property
    def url(self) -> str:
        return self.jwks.as_uri()

    def bearer(self, sub: str, **claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(sub, **claims)}"}
