"""What a result document grants: facts drawn from the form, a permit's validity."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from application.catalogue import parse_terms
from application.result_facts import GrantedFact, ValidityPeriod, granted_facts, what_is_granted
from domain.errors import InvalidForm, InvalidServiceTerms
from domain.service import ServiceTerms
from domain.validity import months_later
from infrastructure.reference_data import load_reference_data
from tests.unit.builders import terms

DECIDED_ON = date(2026, 11, 27)


def service(code: str) -> dict[str, Any]:
    spec = next(s for s in load_reference_data().services if s.code == code)
    return copy.deepcopy(spec.terms)


def example(code: str) -> dict[str, Any]:
    return dict(service(code)["form_schema"]["examples"][0])


def facts(code: str, language: str, form: dict[str, Any] | None = None) -> dict[str, str]:
    schema = service(code)["form_schema"]
    return {f.label: f.value for f in granted_facts(schema, form or example(code), language)}


def test_a_birth_certificate_certifies_the_form_in_the_documents_language() -> None:
    assert facts("birth-registration", "ru") == {
        "Фамилия ребёнка": "Karimov",
        "Имя ребёнка": "Jasur",
        "Отчество ребёнка": "Alisher oʻgʻli",
        "Пол ребёнка": "male",  # enum values carry no titles in the reference data
        "Дата рождения": "2026-11-10",
        "Место рождения (код СОАТО района, города)": "1726266",
        "ПИНФЛ матери": "4220******4561",
        "ПИНФЛ отца": "3150******4567",
        "Номер медицинской справки": "TM-2026-004512",
    }  # the phone number is how to reach the applicant, not a certified fact


def test_the_schema_order_is_kept_and_titles_follow_the_language() -> None:
    english = list(facts("birth-registration", "en"))
    assert english[:3] == ["Child's surname", "Child's first name", "Child's patronymic"]
    assert next(iter(facts("birth-registration", "uz-Cyrl"))) == "Боланинг фамилияси"


def test_nested_objects_and_lists_give_a_line_each_and_pinfls_are_masked_at_any_depth() -> None:
    llc = facts("llc-registration", "en")
    assert llc["Founders"] == (
        "1. Founder type: individual; PINFL or TIN: 3060******4569; Share (%): 60\n"
        "2. Founder type: legal_entity; PINFL or TIN: 305123456; Share (%): 40"
    )
    assert llc["Director's PINFL"] == "3060******4569"
    assert llc["Registered address"].splitlines() == [
        "District (city) SOATO code: 1718401",
        "Street, building, apartment: Samarqand shahri, Registon koʻchasi, 12-uy",
    ]
    assert llc["Charter capital (UZS)"] == "20000000"
    assert "Email" not in llc
    assert "Phone" not in llc
    assert "30604881234569" not in repr(llc)


def test_yes_no_lists_of_values_and_empty_or_undeclared_fields() -> None:
    form = example("residence-certificate") | {"purpose": "", "unknown": "x"}
    residence = facts("residence-certificate", "uz-Latn", form)
    assert residence["Birga yashovchi oila aʼzolarini koʻrsatish"] == "Ha"
    assert not any(value == "x" for value in residence.values())
    assert all(value for value in residence.values())  # the empty purpose is left out
    form["include_household"] = False
    assert "Нет" in facts("residence-certificate", "ru", form).values()
    school = facts("private-education-licence", "en")
    assert school["Languages of instruction"] == "uz, en"


def test_a_field_without_titles_falls_back_to_its_title_then_its_name() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string", "title": "Sarlavha"}, "b": {"type": "string"}},
    }
    assert granted_facts(schema, {"a": "1", "b": "2"}, "en") == (
        GrantedFact("Sarlavha", "1"),
        GrantedFact("b", "2"),
    )


def parsed(code: str, **changes: Any) -> ServiceTerms:
    return parse_terms(service(code) | changes)


def test_a_refusal_grants_nothing() -> None:
    granted = what_is_granted(
        parsed("birth-registration"),
        example("birth-registration"),
        "en",
        outcome="rejected",
        decided_on=DECIDED_ON,
    )
    assert granted.facts == ()
    assert granted.validity is None


def test_a_certificate_has_facts_but_no_validity() -> None:
    granted = what_is_granted(
        parsed("birth-registration"),
        example("birth-registration"),
        "en",
        outcome="approved",
        decided_on=DECIDED_ON,
    )
    assert granted.facts[0] == GrantedFact("Child's surname", "Karimov")
    assert granted.validity is None


@pytest.mark.parametrize(
    ("code", "form_changes", "until"),
    [
        ("driving-licence-replacement", {}, date(2036, 11, 27)),  # 120 months
        ("outdoor-advertising-permit", {"placement_months": 3}, date(2027, 2, 27)),
        ("hunting-permit", {"period_to": "2026-12-20"}, date(2026, 12, 20)),
        ("building-permit", {}, date(2027, 10, 30)),  # the planned end of the works
        ("pharmaceutical-licence", {}, None),  # no time limit
    ],
)
def test_a_permit_or_licence_is_valid_from_the_decision_until_its_terms_say(
    code: str, form_changes: dict[str, Any], until: date | None
) -> None:
    granted = what_is_granted(
        parsed(code),
        example(code) | form_changes,
        "en",
        outcome="approved",
        decided_on=DECIDED_ON,
    )
    assert granted.validity == ValidityPeriod(DECIDED_ON, until)
    assert granted.facts  # and its terms are the form's fields


def test_months_are_counted_to_the_same_day_or_the_months_last() -> None:
    assert months_later(date(2026, 11, 27), 120) == date(2036, 11, 27)
    assert months_later(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert months_later(date(2027, 12, 31), 2) == date(2028, 2, 29)
    assert months_later(date(2026, 12, 15), 1) == date(2027, 1, 15)


def test_a_form_without_the_field_its_validity_is_counted_by_is_refused() -> None:
    form = example("hunting-permit")
    del form["period_to"]
    with pytest.raises(InvalidForm, match="period_to"):
        what_is_granted(
            parsed("hunting-permit"), form, "en", outcome="approved", decided_on=DECIDED_ON
        )


@pytest.mark.parametrize(
    ("validity", "message"),
    [
        ({"months": 0}, "from 1 to 1200"),
        ({"months": True}, "from 1 to 1200"),
        ({"months": 12, "until_field": "birth_date"}, "exactly one"),
        ({"weeks": 2}, "exactly one"),
        ({"until_field": "nope"}, "required field"),
        ({"until_field": "child_name"}, "date field"),
        ({"months_field": "birth_date"}, "integer field"),
    ],
)
def test_validity_rules_are_checked_against_the_form(validity: object, message: str) -> None:
    with pytest.raises(InvalidServiceTerms, match=message):
        ServiceTerms.from_dict(terms(result_kind="permit", validity=validity))


def test_only_permits_and_licences_have_a_validity() -> None:
    with pytest.raises(InvalidServiceTerms, match="only a permit or licence"):
        ServiceTerms.from_dict(terms(validity={"months": 12}))


def test_a_validity_round_trips_and_its_absence_leaves_the_terms_as_they_were() -> None:
    with_validity = ServiceTerms.from_dict(terms(result_kind="licence", validity={"months": 60}))
    assert ServiceTerms.from_dict(with_validity.to_dict()) == with_validity
    assert with_validity.to_dict()["validity"] == {"months": 60}
    assert "validity" not in ServiceTerms.from_dict(terms()).to_dict()
