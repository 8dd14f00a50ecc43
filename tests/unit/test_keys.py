"""The cipher key: configured, or created once per data folder in development."""

from __future__ import annotations

import base64
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from infrastructure.keys import cipher_key, new_key, pseudonym_key
from infrastructure.settings import Settings, UnsafeConfiguration, check_production_safety


def test_development_creates_one_key_even_when_processes_race(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = set(pool.map(lambda _: cipher_key(settings), range(16)))
    assert len(keys) == 1
    assert len(base64.b64decode(keys.pop())) == 32
    assert (tmp_path / "cipher.key").stat().st_mode & 0o077 == 0  # readable by its owner only
    assert [p.name for p in tmp_path.iterdir()] == ["cipher.key"]


def test_a_configured_key_must_be_a_valid_aes_key(tmp_path: Path) -> None:
    good = new_key()
    assert cipher_key(Settings(data_dir=tmp_path, cipher_key=good)) == good  # type: ignore[arg-type]
    for bad in ("not base64!", base64.b64encode(b"short").decode()):
        with pytest.raises(UnsafeConfiguration):
            cipher_key(Settings(data_dir=tmp_path, cipher_key=bad))  # type: ignore[arg-type]


def test_production_refuses_to_start_without_a_key_or_with_a_weak_secret() -> None:
    secret = "x" * 40
    with pytest.raises(UnsafeConfiguration, match="YAGONA_CIPHER_KEY"):
        check_production_safety(Settings(env="production", jwt_secret=secret))  # type: ignore[arg-type]
    with pytest.raises(UnsafeConfiguration, match="32 bytes"):
        check_production_safety(
            Settings(env="production", jwt_secret="short", cipher_key=new_key())  # type: ignore[arg-type]
        )
    with pytest.raises(UnsafeConfiguration, match="sandbox"):
        check_production_safety(
            Settings(env="production", jwt_secret=secret, cipher_key=new_key())  # type: ignore[arg-type]
        )
    check_production_safety(
        Settings(  # type: ignore[call-arg]
            env="production",
            database_url="postgresql://yagona@db.internal:5432/yagona",
            public_base_url="https://yagona.example.uz",
            jwt_secret=secret,
            cipher_key=new_key(),  # type: ignore[arg-type]
            payment_provider="stripe",
            stripe_api_key="sk_live_x",
            stripe_webhook_secret="whsec_x",  # type: ignore[arg-type]
            metrics_allow="10.0.0.0/8",
            jwt_jwks_url="https://oneid.example.uz/jwks",
        )
    )


def test_the_pseudonym_key_differs_from_the_cipher_key() -> None:
    key = new_key()
    assert pseudonym_key(key) != base64.b64decode(key)
    assert pseudonym_key(key) == pseudonym_key(key)


def test_production_names_every_missing_setting_at_once() -> None:
    with pytest.raises(UnsafeConfiguration) as refused:
        check_production_safety(Settings(env="production"))
    for name in (
        "YAGONA_JWT_SECRET",
        "YAGONA_CIPHER_KEY",
        "YAGONA_DATABASE_URL",
        "YAGONA_PUBLIC_BASE_URL",
        "YAGONA_PAYMENT_PROVIDER",
        "YAGONA_STRIPE_API_KEY",
        "YAGONA_STRIPE_WEBHOOK_SECRET",
        "YAGONA_METRICS_TOKEN or YAGONA_METRICS_ALLOW",
    ):
        assert name in str(refused.value)


def test_an_empty_setting_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YAGONA_CIPHER_KEY", "")
    monkeypatch.setenv("YAGONA_PORT", "")
    settings = Settings()
    assert settings.cipher_key is None
    assert settings.port == 8000


def test_the_public_address_follows_the_bound_one_unless_set() -> None:
    assert Settings(port=9100).public_base_url == "http://127.0.0.1:9100"  # type: ignore[call-arg]
    wildcard = "0.0.0.0"  # noqa: S104 - the address a container binds
    assert Settings().bound_to(wildcard, 9200).public_base_url == "http://127.0.0.1:9200"
    assert Settings().bound_to("::1", 9300).public_base_url == "http://[::1]:9300"
    fixed = Settings(public_base_url="https://my.gov.uz")  # type: ignore[call-arg]
    assert fixed.bound_to("127.0.0.1", 9400).public_base_url == "https://my.gov.uz"
    assert fixed.bound_to("127.0.0.1", 9400).bound_to("::1", 1).public_base_url == (
        "https://my.gov.uz"
    )
    assert Settings().bound_to("::1", 1).bound_to("127.0.0.1", 2).public_base_url == (
        "http://127.0.0.1:2"
    )


def test_production_refuses_loopback_webhook_receivers_and_would_ignore_the_setting() -> None:
    safe: dict[str, object] = {
        "env": "production",
        "database_url": "postgresql://yagona@db.internal:5432/yagona",
        "public_base_url": "https://yagona.example.uz",
        "jwt_secret": "x" * 40,
        "cipher_key": new_key(),
        "payment_provider": "stripe",
        "stripe_api_key": "sk_live_x",
        "stripe_webhook_secret": "whsec_x",
        "metrics_allow": "127.0.0.1",
        "jwt_jwks_url": "https://oneid.example.uz/jwks",
    }
    check_production_safety(Settings(**safe))  # type: ignore[arg-type]
    loopback = Settings(**safe, webhooks_allow_loopback=True)  # type: ignore[arg-type]
    with pytest.raises(UnsafeConfiguration, match="YAGONA_WEBHOOKS_ALLOW_LOOPBACK"):
        check_production_safety(loopback)
    assert not loopback.webhooks_to_loopback  # and were the check skipped: ignored
    assert Settings(webhooks_allow_loopback=True).webhooks_to_loopback  # type: ignore[call-arg]
    assert not Settings().webhooks_to_loopback
