"""What mutation testing found the PINFL tests left unchecked (docs/testing.md): the birth
date is read from digits 2-7 as DDMMYY, each part from its own two digits (a month of 10 or
more, a 29 February only in a leap year). The PINFLs are made up."""

from __future__ import annotations

import pytest

from domain.errors import InvalidPinfl
from domain.identity import validate_pinfl


@pytest.mark.parametrize(
    "pinfl",
    [
        "31210880000017",  # 12 October 1988: the month's both digits
        "32902960000017",  # 29 February 1996, a leap year
        "52902040000017",  # 29 February 2004
    ],
)
def test_a_valid_birth_date_is_read_from_its_own_digits(pinfl: str) -> None:
    assert validate_pinfl(pinfl) == pinfl


@pytest.mark.parametrize(
    "pinfl",
    [
        "31213880000017",  # month 13
        "32902140000017",  # 29 February 1914: not a leap year (1904 was)
        "32902970000017",  # 29 February 1997
    ],
)
def test_a_birth_date_that_does_not_exist_is_refused(pinfl: str) -> None:
    with pytest.raises(InvalidPinfl, match="valid birth date"):
        validate_pinfl(pinfl)
