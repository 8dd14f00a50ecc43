"""Territories: SOATO codes nest by level; names change on effective dates."""

from __future__ import annotations

from datetime import date

from domain.errors import (
    InvalidCode,
    InvalidEffectiveDate,
    InvalidLevel,
    InvalidParent,
    MissingTranslation,
    NothingChanged,
)
from domain.territory import Territory, ancestor_codes
from tests.unit.builders import DAY, META, names
from tests.unit.gwt import given, history, when_created


def republic() -> Territory:
    return Territory.register(
        code="17",
        level="republic",
        parent=None,
        names=names("Oʻzbekiston"),
        effective_from=DAY,
        meta=META,
    )


def region(parent: Territory | None = None, code: str = "1703") -> Territory:
    return Territory.register(
        code=code,
        level="region",
        parent=parent or republic(),
        names=names("Andijon viloyati"),
        effective_from=DAY,
        meta=META,
    )


def test_registering_a_region_under_the_republic_records_registered() -> None:
    root = republic()
    when_created(lambda: region(root)).then(
        Territory.Registered, code="1703", level="region", parent="17", meta=META
    )


def test_a_district_code_must_extend_its_region_code() -> None:
    parent = region()
    when_created(
        lambda: Territory.register(
            code="1706202",
            level="district",
            parent=parent,
            names=names(),
            effective_from=DAY,
            meta=META,
        )
    ).then_error(InvalidCode, "extends its parent's code 1703")


def test_a_code_has_the_length_of_its_level() -> None:
    when_created(
        lambda: Territory.register(
            code="170",
            level="region",
            parent=republic(),
            names=names(),
            effective_from=DAY,
            meta=META,
        )
    ).then_error(InvalidCode, "4 digits")


def test_a_district_cannot_sit_directly_under_the_republic() -> None:
    when_created(
        lambda: Territory.register(
            code="1703202",
            level="district",
            parent=republic(),
            names=names(),
            effective_from=DAY,
            meta=META,
        )
    ).then_error(InvalidParent, "parent is a region")


def test_only_the_republic_has_no_parent() -> None:
    when_created(
        lambda: Territory.register(
            code="1703", level="region", parent=None, names=names(), effective_from=DAY, meta=META
        )
    ).then_error(InvalidParent)


def test_unknown_level_is_refused() -> None:
    when_created(
        lambda: Territory.register(
            code="1703",
            level="province",
            parent=republic(),
            names=names(),
            effective_from=DAY,
            meta=META,
        )
    ).then_error(InvalidLevel)


def test_names_need_all_four_languages() -> None:
    partial = {"uz-Latn": "Andijon", "ru": "Андижан"}
    when_created(
        lambda: Territory.register(
            code="1703",
            level="region",
            parent=republic(),
            names=partial,
            effective_from=DAY,
            meta=META,
        )
    ).then_error(MissingTranslation, "uz-Cyrl, en")


def test_rename_records_new_names_from_their_effective_date() -> None:
    created = history(region())
    outcome = given(*created).when(
        lambda t: t.rename(names=names("Yangi nom"), effective_from=date(2025, 1, 1), meta=META)
    )
    outcome.then(Territory.Renamed, effective_from="2025-01-01")
    territory = outcome.aggregate
    assert territory.names_on(date(2024, 6, 1))["uz-Latn"] == "Andijon viloyati"
    assert territory.names_on(date(2025, 1, 1))["uz-Latn"] == "Yangi nom"
    assert territory.names["uz-Latn"] == "Yangi nom"


def test_rename_to_the_same_names_is_refused() -> None:
    given(*history(region())).when(
        lambda t: t.rename(names=names("Andijon viloyati"), effective_from=DAY, meta=META)
    ).then_error(NothingChanged)


def test_rename_cannot_take_effect_before_the_current_names() -> None:
    given(*history(region())).when(
        lambda t: t.rename(names=names("Boshqa"), effective_from=date(2023, 1, 1), meta=META)
    ).then_error(InvalidEffectiveDate)


SOURCE = {
    "act": "Resolution of the Senate",
    "number": None,
    "date": "2024-01-01",
    "article": None,
    "url": None,
}


def district(level: str = "district") -> Territory:
    return Territory.register(
        code="1703209",
        level=level,
        parent=region(),
        names=names("Boʻz tumani"),
        effective_from=DAY,
        meta=META,
    )


def test_rename_carries_its_source_and_keeps_the_old_names_as_former() -> None:
    outcome = given(*history(district())).when(
        lambda t: t.rename(
            names=names("Boʻston tumani"), effective_from=DAY, meta=META, source=SOURCE
        )
    )
    outcome.then(Territory.Renamed, source=SOURCE, effective_from=DAY.isoformat())
    territory = outcome.aggregate
    assert territory.names["uz-Latn"] == "Boʻston tumani"
    assert [(n["uz-Latn"], until) for n, until in territory.former_names] == [("Boʻz tumani", DAY)]


def test_a_rename_recorded_before_sources_were_kept_has_none() -> None:
    assert Territory.Renamed.source is None  # an old stored event lacks the field


def test_a_city_becomes_a_district_and_back() -> None:
    outcome = given(*history(district("city"))).when(
        lambda t: t.reclassify(level="district", effective_from=DAY, meta=META)
    )
    outcome.then(Territory.Reclassified, level="district", source=None)
    assert outcome.aggregate.level == "district"
    given(*history(district())).when(
        lambda t: t.reclassify(level="city", effective_from=DAY, meta=META)
    ).then(Territory.Reclassified, level="city")


def test_only_districts_and_cities_are_reclassified() -> None:
    given(*history(region())).when(
        lambda t: t.reclassify(level="district", effective_from=DAY, meta=META)
    ).then_error(InvalidLevel, "only a district and a city")
    given(*history(district())).when(
        lambda t: t.reclassify(level="region", effective_from=DAY, meta=META)
    ).then_error(InvalidLevel)
    given(*history(district())).when(
        lambda t: t.reclassify(level="district", effective_from=DAY, meta=META)
    ).then_error(NothingChanged)


def test_ids_are_derived_from_the_code() -> None:
    assert region().id == Territory.create_id("1703")
    assert Territory.create_id("1703") != Territory.create_id("1706")


def test_ancestor_codes_follow_soato_prefixes() -> None:
    assert ancestor_codes("1703202") == ["17", "1703", "1703202"]
    assert ancestor_codes("1726") == ["17", "1726"]
