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
            jwt_secret=secret,
            cipher_key=new_key(),  # type: ignore[arg-type]
            payment_provider="stripe",
            stripe_api_key="sk_live_x",
            stripe_webhook_secret="whsec_x",  # type: ignore[arg-type]
        )
    )


def test_the_pseudonym_key_differs_from_the_cipher_key() -> None:
    key = new_key()
    assert pseudonym_key(key) != base64.b64decode(key)
    assert pseudonym_key(key) == pseudonym_key(key)
