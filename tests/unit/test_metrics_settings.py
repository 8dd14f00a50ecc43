"""Who may read /metrics in production: a bearer token, an address allow-list or both
(security issue, item 7)."""

from __future__ import annotations

from ipaddress import ip_network
from typing import Any

import pytest
from pydantic import ValidationError

from infrastructure.keys import new_key
from infrastructure.settings import Settings, UnsafeConfiguration, check_production_safety


def _production(**metrics: Any) -> Settings:
    return Settings(
        env="production",
        database_url="postgresql://yagona@db.internal:5432/yagona",
        public_base_url="https://yagona.example.uz",
        jwt_secret="x" * 40,
        cipher_key=new_key(),
        payment_provider="stripe",
        stripe_api_key="sk_live_x",
        stripe_webhook_secret="whsec_x",
        jwt_jwks_url="https://oneid.example.uz/jwks",
        **metrics,
    )


def test_production_refuses_metrics_open_to_anyone() -> None:
    with pytest.raises(UnsafeConfiguration, match="YAGONA_METRICS_TOKEN or YAGONA_METRICS_ALLOW"):
        check_production_safety(_production())


@pytest.mark.parametrize(
    "metrics",
    [
        {"metrics_token": "t" * 32},
        {"metrics_allow": "10.0.0.0/8"},
        {"metrics_token": "t" * 32, "metrics_allow": "192.0.2.7, ::1"},
    ],
)
def test_production_accepts_a_token_or_an_allow_list(metrics: dict[str, str]) -> None:
    check_production_safety(_production(**metrics))


def test_development_keeps_metrics_open() -> None:
    settings = Settings()
    assert settings.metrics_token is None
    assert settings.metrics_networks == ()
    check_production_safety(settings)


def test_the_allow_list_parses_addresses_and_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YAGONA_METRICS_ALLOW", " 10.0.0.0/8, 192.0.2.7 ,2001:db8::/32,")
    assert Settings().metrics_networks == (
        ip_network("10.0.0.0/8"),
        ip_network("192.0.2.7/32"),
        ip_network("2001:db8::/32"),
    )


@pytest.mark.parametrize("bad", ["10.0.0.0/33", "localhost", "10.0.0.1; 10.0.0.2"])
def test_a_malformed_allow_list_is_refused(bad: str) -> None:
    with pytest.raises(ValidationError, match="metrics_allow"):
        Settings(metrics_allow=bad)


def test_a_short_token_is_refused_and_a_token_is_never_shown() -> None:
    with pytest.raises(ValidationError, match="16 characters"):
        Settings(metrics_token="short")
    settings = Settings(metrics_token="s3cret-" * 4)
    assert "s3cret" not in repr(settings)
    assert "s3cret" not in str(settings.model_dump())
