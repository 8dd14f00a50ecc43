"""Over HTTP, a token lives at most its role's maximum, whoever signed it (security issue:
a token could live 31 years)."""

from __future__ import annotations

import jwt
from fastapi.testclient import TestClient

from infrastructure.container import Container
from tests.conftest import TEST_NOW
from tests.e2e.cases import CITIZEN_A

NOW = int(TEST_NOW.timestamp())
YEARS_31 = 31 * 365 * 24 * 3600


def signed(container: Container, lifetime: int, role: str = "citizen") -> dict[str, str]:
    """A token signed with the deployment's own secret, issued now."""
    claims = {"iss": container.settings.jwt_issuer, "sub": CITIZEN_A, "role": role}
    claims |= {"iat": NOW, "exp": NOW + lifetime}
    secret = container.settings.jwt_secret.get_secret_value()
    return {"Authorization": f"Bearer {jwt.encode(claims, secret, algorithm='HS256')}"}


def test_a_31_year_token_is_refused_and_a_one_hour_citizen_token_works(
    client: TestClient, seeded: Container
) -> None:
    refused = client.get("/v1/applications", headers=signed(seeded, YEARS_31))
    assert refused.status_code == 401, refused.text
    problem = refused.json()
    assert problem["type"] == "urn:yagona:problem:invalid-token"
    assert "may live at most 3600 seconds" in problem["detail"]
    assert refused.headers["www-authenticate"].startswith("Bearer")

    accepted = client.get("/v1/applications", headers=signed(seeded, 3600))
    assert accepted.status_code == 200, accepted.text


def test_a_citizen_token_of_two_hours_is_refused(client: TestClient, seeded: Container) -> None:
    response = client.get("/v1/applications", headers=signed(seeded, 7200))
    assert response.status_code == 401, response.text
