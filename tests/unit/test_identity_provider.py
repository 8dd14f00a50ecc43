"""With an identity provider configured (its JWKS), its tokens say who the caller is and the
staff directory says what they are: role, agency and position claims are ignored, and
tokens signed with the local secret are refused unless a development setting allows them
(production refuses that setting)."""

from __future__ import annotations

from typing import Any

import pytest

from application.principal import Principal
from application.staff_directory import StaffDirectory
from infrastructure.settings import Settings, UnsafeConfiguration, check_production_safety
from infrastructure.tokens import IdentityRefused, InvalidToken, TokenService
from tests.conftest import TEST_NOW
from tests.fakes.adapters import FixedClock
from tests.fakes.identity_provider import Provider
from tests.unit.test_staff_directory import ADMIN, AGENCY, CTX, PINFL, Agencies

SECRET = "a-test-secret-of-at-least-32-bytes"
HOUR = 3600


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Provider:
    return Provider(tmp_path_factory.mktemp("oneid"))


@pytest.fixture
def staff() -> StaffDirectory:
    return StaffDirectory(
        env={"PERSISTENCE_MODULE": "eventsourcing.popo"},
        agencies=Agencies(),  # type: ignore[arg-type]
        clock=FixedClock(TEST_NOW),
    )


def tokens(
    staff: StaffDirectory, provider: Provider | None, *, allow_local: bool = False
) -> TokenService:
    return TokenService(
        SECRET,
        issuer="yagona",
        ttl_seconds=HOUR,
        clock=FixedClock(TEST_NOW),
        jwks_url=provider.jwks.as_uri() if provider else None,
        resolve=staff.resolve,
        allow_local_tokens=allow_local,
    )


def test_a_provider_token_claiming_admin_is_never_an_admin(
    staff: StaffDirectory, provider: Provider
) -> None:
    service = tokens(staff, provider)
    claimed = {"role": "admin", "name": "Aziza Karimova"}
    citizen = service.verify(provider.token(PINFL, **claimed))
    assert citizen == Principal(PINFL, "citizen", name="Aziza Karimova")
    with pytest.raises(IdentityRefused, match="holds no appointment"):
        service.verify(provider.token("admin-1", **claimed))
    with pytest.raises(IdentityRefused):
        service.verify(provider.token("officer-17", role="officer", agency=AGENCY))


def test_an_appointed_officer_acts_for_the_directorys_agency(
    staff: StaffDirectory, provider: Provider
) -> None:
    staff.appoint(
        ADMIN, CTX, subject="officer-17", role="officer", agency=AGENCY, position="Specialist"
    )
    service = tokens(staff, provider)
    plain = service.verify(provider.token("officer-17", name="Dilnoza Rahimova"))
    assert plain == Principal(
        "officer-17", "officer", agency=AGENCY, name="Dilnoza Rahimova", position="Specialist"
    )
    claims = {"role": "admin", "agency": "justice-1706204", "position": "Minister"}
    assert service.verify(provider.token("officer-17", name="Dilnoza Rahimova", **claims)) == plain
    # a staff token lives up to the staff maximum, which a citizen's may not
    assert service.verify(provider.token("officer-17", lifetime=8 * HOUR)).role == "officer"
    with pytest.raises(InvalidToken, match="at most 3600 seconds"):
        service.verify(provider.token(PINFL, lifetime=8 * HOUR))


def test_a_revoked_appointment_counts_from_the_next_request(
    staff: StaffDirectory, provider: Provider
) -> None:
    service = tokens(staff, provider)
    staff.appoint(ADMIN, CTX, subject="auditor-1", role="auditor")
    token = provider.token("auditor-1")
    assert service.verify(token).role == "auditor"
    staff.revoke(ADMIN, CTX, "auditor-1", reason="Left the inspectorate")
    with pytest.raises(IdentityRefused, match="not appointed, or revoked"):
        service.verify(token)


def test_local_tokens_are_refused_beside_an_identity_provider(
    staff: StaffDirectory, provider: Provider
) -> None:
    local = tokens(staff, None).mint(Principal("admin-1", "admin"))
    with pytest.raises(InvalidToken, match="local tokens are refused") as refused:
        tokens(staff, provider).verify(local)
    assert not isinstance(refused.value, IdentityRefused)  # 401, not 403
    allowed = tokens(staff, provider, allow_local=True)
    assert allowed.verify(local) == Principal("admin-1", "admin")
    assert tokens(staff, None).verify(local).role == "admin"  # development: as before


def test_without_a_staff_directory_a_provider_admits_citizens_only(provider: Provider) -> None:
    service = TokenService(
        SECRET, issuer="yagona", ttl_seconds=HOUR, clock=FixedClock(TEST_NOW),
        jwks_url=provider.jwks.as_uri(),
    )  # fmt: skip
    assert service.verify(provider.token(PINFL, role="admin")).role == "citizen"
    with pytest.raises(IdentityRefused, match="no staff directory"):
        service.verify(provider.token("admin-1", role="admin"))


def production(**settings: Any) -> Settings:
    values: dict[str, Any] = {
        "env": "production",
        "jwt_secret": "p" * 40,
        "cipher_key": "q3r7Yk0pX8Vb2LmN4sD6fG9hJ1kL3zX5cV7bN9mQ2wE=",
        "database_url": "postgresql://yagona@db/yagona",
        "public_base_url": "https://yagona.example.uz",
        "metrics_token": "m" * 20,
        "payment_provider": "stripe",
        "stripe_api_key": "sk_test_x",
        "stripe_webhook_secret": "whsec_x",
        "jwt_jwks_url": "https://oneid.example.uz/jwks",
    }
    return Settings(**{**values, **settings})


def test_production_refuses_to_accept_local_tokens() -> None:
    check_production_safety(production())
    with pytest.raises(UnsafeConfiguration, match="YAGONA_ALLOW_LOCAL_TOKENS"):
        check_production_safety(production(allow_local_tokens=True))
    assert not production(allow_local_tokens=True).local_tokens_allowed
    assert Settings(allow_local_tokens=True).local_tokens_allowed  # type: ignore[call-arg]


def test_production_authenticates_only_through_an_identity_provider() -> None:
    with pytest.raises(UnsafeConfiguration, match="YAGONA_JWT_JWKS_URL: production authent"):
        check_production_safety(production(jwt_jwks_url=None))
    with pytest.raises(UnsafeConfiguration, match="https:// only"):
        check_production_safety(production(jwt_jwks_url="http://oneid.example.uz/jwks"))
    check_production_safety(production(jwt_jwks_url="file:///etc/yagona/oneid-jwks.json"))
