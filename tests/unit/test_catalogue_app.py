"""Catalogue use cases on in-memory persistence: lookups that need the event store."""

from __future__ import annotations

from datetime import date

import pytest

from application.catalogue import Catalogue
from application.seeding import (
    AgencyKindSpec,
    ReferenceData,
    ServiceSpec,
    TerritorySpec,
    expand_agencies,
    seed,
    synthetic_services,
)
from domain.errors import (
    AlreadyExists,
    ParentAgencyNotFound,
    ServiceNotFound,
    ServiceRetired,
    TerritoryNotFound,
)
from domain.service import Service
from tests.unit.builders import CTX, DAY, names, terms

TERRITORIES = [
    TerritorySpec("17", "republic", None, names("Oʻzbekiston")),
    TerritorySpec("1703", "region", "17", names("Andijon viloyati")),
    TerritorySpec("1703202", "district", "1703", names("Oltinkoʻl tumani")),
    TerritorySpec("1703401", "city", "1703", names("Andijon shahri")),
    TerritorySpec("1726", "region", "17", names("Toshkent shahri")),
    TerritorySpec("1726262", "district", "1726", names("Uchtepa tumani")),
]


def template(text: str) -> dict[str, str]:
    return dict.fromkeys(("uz-Latn", "uz-Cyrl", "ru", "en"), "{territory} " + text)


KINDS = [
    AgencyKindSpec(
        "hokimiyat",
        names("Vazirlar Mahkamasi"),
        {"region": template("hokimligi"), "district": template("hokimligi")},
    ),
    AgencyKindSpec("justice", names("Adliya vazirligi"), {"region": template("adliya")}),
    AgencyKindSpec("health", names("Sogʻliqni saqlash vazirligi")),
]


def data(services: list[ServiceSpec] | None = None) -> ReferenceData:
    return ReferenceData(
        territories=TERRITORIES,
        agency_kinds=KINDS,
        services=services if services is not None else [ServiceSpec("birth-registration", terms())],
        bhm_rates=[(date(2024, 10, 1), 37_500_000), (date(2025, 8, 1), 41_200_000)],
        effective_from=DAY,
    )


@pytest.fixture
def catalogue() -> Catalogue:
    return Catalogue()  # in-memory (POPO) persistence


def test_registering_a_territory_under_a_missing_parent_is_refused(catalogue: Catalogue) -> None:
    with pytest.raises(TerritoryNotFound, match="'17'"):
        catalogue.register_territory(
            CTX, code="1703", level="region", parent="17", names=names(), effective_from=DAY
        )
    assert catalogue.find_territory("1703") is None


def test_an_agency_under_a_missing_parent_is_refused(catalogue: Catalogue) -> None:
    catalogue.register_territory(
        CTX, code="17", level="republic", parent=None, names=names(), effective_from=DAY
    )
    with pytest.raises(ParentAgencyNotFound, match="'justice'"):
        catalogue.register_agency(
            CTX,
            code="justice-17",
            kind="justice",
            level="republic",
            territory="17",
            parent="justice",
            names=names(),
            effective_from=DAY,
        )
    assert catalogue.find_agency("justice-17") is None


def test_an_agency_in_a_missing_territory_is_refused(catalogue: Catalogue) -> None:
    with pytest.raises(TerritoryNotFound):
        catalogue.register_agency(
            CTX,
            code="justice",
            kind="justice",
            level="republic",
            territory="17",
            parent=None,
            names=names(),
            effective_from=DAY,
        )


def test_publishing_twice_is_a_conflict(catalogue: Catalogue) -> None:
    catalogue.publish_service(CTX, code="birth-registration", terms=terms(), effective_from=DAY)
    with pytest.raises(AlreadyExists):
        catalogue.publish_service(CTX, code="birth-registration", terms=terms(), effective_from=DAY)


def test_service_lifecycle_through_the_application(catalogue: Catalogue) -> None:
    catalogue.publish_service(CTX, code="birth-registration", terms=terms(), effective_from=DAY)
    catalogue.revise_service(
        CTX,
        code="birth-registration",
        terms=terms(deadline_working_days=2),
        effective_from=date(2025, 1, 1),
    )
    catalogue.retire_service(CTX, code="birth-registration", reason="merged")
    with pytest.raises(ServiceRetired):
        catalogue.revise_service(
            CTX,
            code="birth-registration",
            terms=terms(deadline_working_days=4),
            effective_from=date(2025, 2, 1),
        )
    stored = catalogue.get_service("birth-registration")
    assert [v.number for v in stored.versions] == [1, 2]
    assert stored.status == "retired"
    with pytest.raises(ServiceNotFound):
        catalogue.get_service("no-such-service")


def test_events_carry_actor_and_correlation_id(catalogue: Catalogue) -> None:
    catalogue.publish_service(CTX, code="birth-registration", terms=terms(), effective_from=DAY)
    (notification,) = catalogue.notification_log.select(start=1, limit=10)
    event = catalogue.mapper.to_domain_event(notification)
    assert isinstance(event, Service.Published)
    assert event.meta == {"actor": "officer-7", "role": "admin", "correlation_id": "corr-1"}


def test_expand_agencies_builds_the_tree_from_kinds() -> None:
    specs = {spec.code: spec for spec in expand_agencies(KINDS, TERRITORIES)}
    assert specs["hokimiyat"].parent is None
    assert specs["justice"].parent == "hokimiyat"
    assert specs["hokimiyat-1703"].parent == "hokimiyat"
    assert specs["hokimiyat-1703202"].parent == "hokimiyat-1703"
    assert specs["hokimiyat-1726262"].level == "district"
    assert specs["hokimiyat-1703401"].names["en"] == "Andijon shahri (en) hokimligi"
    assert "justice-1703202" not in specs  # no district template for justice
    assert "health-1703" not in specs


def test_seeding_twice_changes_nothing(catalogue: Catalogue) -> None:
    first = seed(catalogue, data(), CTX, today=date(2026, 11, 27))
    assert first.created["territory"] == 6
    assert first.created["agency"] == (1 + 2 + 3) + (1 + 2) + 1  # hokimiyat, justice, health
    assert first.created["service"] == 1
    assert first.created["bhm_rate"] == 2
    head = catalogue.recorder.max_notification_id()
    second = seed(catalogue, data(), CTX, today=date(2026, 11, 27))
    assert second.is_noop
    assert sum(second.created.values()) == sum(second.changed.values()) == 0
    assert catalogue.recorder.max_notification_id() == head


def test_seeding_changed_data_revises_only_what_differs(catalogue: Catalogue) -> None:
    seed(catalogue, data(), CTX, today=date(2026, 11, 27))
    changed = [ServiceSpec("birth-registration", terms(deadline_working_days=1))]
    report = seed(catalogue, data(changed), CTX, today=date(2026, 11, 27))
    assert report.changed == {"service": 1}
    assert report.events == 1
    service = catalogue.get_service("birth-registration")
    assert service.current.number == 2
    assert service.current.effective_from == date(2026, 11, 27)


def test_a_source_changing_alone_is_a_revision_on_reseed(catalogue: Catalogue) -> None:
    seed(catalogue, data(), CTX, today=date(2026, 11, 27))
    sourced = terms()
    sourced["fee"] = {**sourced["fee"], "source": {"act": "Law", "date": "2020-01-06"}}
    sourced["term_source"] = {"act": "Law", "number": "ZRU-1", "date": "2020-01-06"}
    report = seed(
        catalogue, data([ServiceSpec("birth-registration", sourced)]), CTX, today=date(2026, 11, 28)
    )
    assert report.changed == {"service": 1}
    current = catalogue.get_service("birth-registration").current
    assert current.number == 2
    assert current.terms.fee.source is not None
    assert current.terms.term_source is not None
    again = seed(
        catalogue, data([ServiceSpec("birth-registration", sourced)]), CTX, today=date(2026, 11, 28)
    )
    assert again.is_noop


def test_synthetic_services_are_numbered_and_deterministic() -> None:
    templates = [ServiceSpec("birth-registration", terms())]
    made = synthetic_services(3, templates)
    assert [s.code for s in made] == ["synthetic-00001", "synthetic-00002", "synthetic-00003"]
    assert made[1].terms["names"]["en"].endswith("(#2)")
    assert synthetic_services(3, templates) == made
