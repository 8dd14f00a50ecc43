"""What mutation testing found untested in small rules (docs/testing.md): the case of
transliterated capitals, how a verification code is compared, names and service terms in
force before their first date, and the natural ids that stored data is found by."""

from __future__ import annotations

from datetime import date
from uuid import uuid5

import pytest

from domain.decision import Decision, normalize_code
from domain.errors import InvalidEffectiveDate
from domain.ids import YAGONA_NAMESPACE
from domain.names import NameHistory
from domain.service import Service
from domain.transliteration import to_latin
from tests.unit.builders import names


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("ШАҲАР", "SHAHAR"),  # a word in capitals: every letter of a digraph upper
        ("Шаҳар", "Shahar"),  # a capitalised word: only the first letter
        ("ЁШ", "YOSH"),  # the last letter of a word in capitals
        ("Ш ТОШКЕНТ", "Sh TOSHKENT"),  # a one-letter capital word is capitalised
        ("ЎзШ", "OʻzSh"),  # a capital after a small letter starts a new capitalised part
        ("Ш1А", "Sh1A"),  # what follows a digit does not make the letter a word in capitals
    ],
)
def test_capitals_keep_their_case_in_latin(cyrillic: str, latin: str) -> None:
    assert to_latin(cyrillic) == latin


def test_a_verification_code_is_compared_without_dashes_spaces_or_case() -> None:
    assert normalize_code("ab-c d\tE") == "ABCDE"
    assert normalize_code("ABCDE") == "ABCDE"


def test_decision_ids_are_derived_from_the_registration_number() -> None:
    assert Decision.create_id("ADL-2026-000001") == uuid5(
        YAGONA_NAMESPACE, "/decisions/ADL-2026-000001"
    )


def test_service_ids_are_derived_from_the_code() -> None:
    assert Service.create_id("birth-registration") == uuid5(
        YAGONA_NAMESPACE, "/services/birth-registration"
    )


def test_the_first_names_hold_before_their_date_and_each_later_set_from_its_own() -> None:
    history = NameHistory.starting(names("Eski"), "2024-01-01")
    history.add(names("Yangi"), "2025-01-01")
    assert history.on(date(2023, 6, 1)) == names("Eski")
    assert history.on(date(2024, 12, 31)) == names("Eski")
    assert history.on(date(2025, 1, 1)) == names("Yangi")


def test_a_rename_may_take_effect_on_the_day_the_current_names_did() -> None:
    history = NameHistory.starting(names("Eski"), "2024-01-01")
    assert history.check_rename("agency x", names("Yangi"), date(2024, 1, 1)) == names("Yangi")
    with pytest.raises(InvalidEffectiveDate) as refused:
        history.check_rename("agency x", names("Yangi"), date(2023, 12, 31))
    assert refused.value.detail == (
        "a rename of agency x cannot take effect before its current names (2024-01-01)"
    )
