"""The shipped reference data: complete, consistent, and valid under the domain's rules."""

from __future__ import annotations

from collections import Counter

import pytest
from jsonschema import Draft202012Validator

from application.catalogue import parse_terms
from application.seeding import ReferenceData, expand_agencies
from domain.i18n import LANGUAGES
from domain.sources import LegalSource
from infrastructure.reference_data import load_reference_data


@pytest.fixture(scope="module")
def data() -> ReferenceData:
    return load_reference_data()


def test_territories_cover_the_republic_its_14_regions_and_every_district(
    data: ReferenceData,
) -> None:
    levels = Counter(t.level for t in data.territories)
    assert levels["republic"] == 1
    assert levels["region"] == 14
    assert levels["district"] + levels["city"] >= 200
    codes = {t.code for t in data.territories}
    assert len(codes) == len(data.territories)
    assert {"1735", "1726"} <= codes  # Karakalpakstan and Tashkent city
    for territory in data.territories:
        assert set(territory.names) == set(LANGUAGES)
        assert all(territory.names.values())
        if territory.parent is not None:
            assert territory.parent in codes
            assert territory.code.startswith(territory.parent)
        assert "'" not in territory.names["uz-Latn"]  # official oʻ/gʻ, not ASCII apostrophes


def test_every_region_district_and_city_has_a_hokimiyat(data: ReferenceData) -> None:
    agencies = expand_agencies(data.agency_kinds, data.territories)
    hokimiyat_territories = {a.territory for a in agencies if a.kind == "hokimiyat"}
    assert hokimiyat_territories == {t.code for t in data.territories}
    assert len({a.code for a in agencies}) == len(agencies)


def test_over_100_services_covering_all_forms_and_levels(data: ReferenceData) -> None:
    assert len(data.services) > 100
    assert len({s.code for s in data.services}) == len(data.services)
    assert set(Counter(s.terms["form"] for s in data.services)) == {1, 2, 3, 4}
    assert set(Counter(s.terms["jurisdiction"] for s in data.services)) == {
        "republic",
        "region",
        "district",
    }
    fees = Counter(s.terms["fee"]["kind"] for s in data.services)
    assert set(fees) == {"free", "fixed", "bhm_multiple"}


def test_every_service_is_valid_and_its_form_examples_validate(data: ReferenceData) -> None:
    for spec in data.services:
        terms = parse_terms(spec.terms)  # the domain's rules and a full JSON Schema check
        validator = Draft202012Validator(
            terms.form_schema, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        for example in terms.form_schema["examples"]:
            assert list(validator.iter_errors(example)) == [], spec.code


def test_the_services_people_use_most_are_in_the_catalogue(data: ReferenceData) -> None:
    codes = {s.code for s in data.services}
    assert {
        "university-admission-test-registration",
        "language-certificate-test-registration",
        "student-dormitory-place",
        "biometric-passport-travel-abroad",
        "permanent-residence-registration",
        "temporary-residence-registration",
        "first-driving-licence",
        "vehicle-reregistration-on-sale",
        "vehicle-technical-inspection",
        "traffic-fines-check-payment",
        "unemployment-benefit",
        "family-composition-certificate",
        "social-protection-register-entry",
        "paternity-registration",
        "adoption-registration",
    } <= codes


def test_every_source_a_service_gives_is_a_legal_source_or_null(data: ReferenceData) -> None:
    """Fees, exemptions and terms may carry a source before the terms parse it; where one
    is given it names an act (or is null: nobody could verify it)."""
    for spec in data.services:
        terms = spec.terms
        LegalSource.optional(terms["fee"].get("source"))
        LegalSource.optional(terms.get("term_source"))
        for exemption in terms["exemptions"]:
            LegalSource.optional(exemption.get("source"))


def test_uzbek_latin_service_texts_use_the_official_apostrophes(data: ReferenceData) -> None:
    """oʻ/gʻ take ʻ (U+02BB) and the tutuq belgisi ʼ (U+02BC), never ' or ‘ ’."""
    for spec in data.services:
        terms = spec.terms
        texts = [terms["names"], terms["descriptions"], terms["legal_basis"]]
        texts += [d["names"] for d in terms["required_documents"]]
        for text in texts:
            assert not set("'‘’`") & set(text["uz-Latn"]), (spec.code, text["uz-Latn"])


def test_the_most_used_business_services_are_offered_by_their_agencies(
    data: ReferenceData,
) -> None:
    kinds = {s.code: (s.terms["agency_kind"], s.terms["form"]) for s in data.services}
    assert kinds["self-employed-registration"] == ("tax", 3)
    assert kinds["imei-registration"] == ("digital_technologies", 4)
    assert kinds["digital-signature-key"] == ("digital_technologies", 3)
    assert kinds["property-ownership-certificate"] == ("cadastre", 3)


def test_every_agency_kind_offers_a_service(data: ReferenceData) -> None:
    offered = {s.terms["agency_kind"] for s in data.services}
    idle = {k.kind for k in data.agency_kinds} - offered
    assert idle == set()


def test_every_service_reaches_an_agency_of_its_kind_at_its_level(data: ReferenceData) -> None:
    available = {(a.kind, a.level) for a in expand_agencies(data.agency_kinds, data.territories)}
    for spec in data.services:
        assert (spec.terms["agency_kind"], spec.terms["jurisdiction"]) in available, spec.code


def test_bhm_rates_ascend(data: ReferenceData) -> None:
    days = [day for day, _ in data.bhm_rates]
    assert days == sorted(days)
    assert all(amount > 0 for _, amount in data.bhm_rates)


def test_synthetic_services_scale_the_catalogue_past_500() -> None:
    scaled = load_reference_data(synthetic=500)
    assert len(scaled.services) >= 540
    assert len({s.code for s in scaled.services}) == len(scaled.services)
    parse_terms(scaled.services[-1].terms)
