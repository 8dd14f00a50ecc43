"""PINFL format and the principals tokens stand for."""

from __future__ import annotations

import pytest

from application.principal import InvalidPrincipal, Principal
from domain.errors import InvalidPinfl
from domain.identity import validate_pinfl


@pytest.mark.parametrize("pinfl", ["31503901234567", "51212051234567", "62902001234560"])
def test_valid_pinfl(pinfl: str) -> None:
    assert validate_pinfl(pinfl) == pinfl


@pytest.mark.parametrize(
    ("pinfl", "message"),
    [
        ("71503901234567", "starts with 1-6"),  # century digit out of range
        ("3150390123456", "14 digits"),
        ("3150390123456X", "14 digits"),
        ("33213901234567", "valid birth date"),  # month 13
        ("32902011234567", "valid birth date"),  # 29 Feb 1901 did not exist
    ],
)
def test_invalid_pinfl_is_named_without_echoing_it(pinfl: str, message: str) -> None:
    with pytest.raises(InvalidPinfl, match=message) as caught:
        validate_pinfl(pinfl)
    assert pinfl not in str(caught.value)


def test_principal_rules() -> None:
    assert Principal("31503901234567", "citizen").role == "citizen"
    assert Principal("off-1", "officer", agency="justice-1703").agency == "justice-1703"
    with pytest.raises(InvalidPrincipal, match="agency"):
        Principal("off-1", "officer")
    with pytest.raises(InvalidPrincipal, match="only integrators"):
        Principal("aud-1", "auditor", scopes=frozenset({"feed:read"}))
    with pytest.raises(InvalidPinfl):
        Principal("123", "citizen")
    with pytest.raises(InvalidPrincipal, match="role"):
        Principal("x", "superuser")
