"""The territory corrections of issue 19 as the shipped reference data carries them: a
renamed district is renamed by an event with an effective date (once, however often a store
holding the old name is reseeded), its agencies follow, old names stay findable, and the
hokimiyat kind is described as what it is while its republic-level body stays the Cabinet
of Ministers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from application.catalogue import Catalogue
from application.seeding import (
    GOVERNMENT_KIND,
    ReferenceData,
    TerritorySpec,
    expand_agencies,
    seed,
)
from domain.agency import Agency
from domain.territory import Territory
from infrastructure.reference_data import REFERENCE_DATE, load_reference_data
from projections.catalogue.search import name_score, search_tokens
from tests.unit.builders import CTX

BOSTON, SERGELI, HAZORASP = "1703209", "1726283", "1733220"
DAVLATOBOD, YANGI_NAMANGAN, YANGI_TOSHKENT = "1714410", "1714415", "1726295"
TODAY = date(2026, 12, 2)
# The territories of the corrections with their ancestors: enough to seed them quickly.
CODES = {
    "17",
    "1703",
    "1714",
    "1726",
    "1733",
    BOSTON,
    SERGELI,
    HAZORASP,
    DAVLATOBOD,
    YANGI_NAMANGAN,
    YANGI_TOSHKENT,
}


@pytest.fixture(scope="module")
def shipped() -> ReferenceData:
    return load_reference_data()


def corrected(shipped: ReferenceData) -> ReferenceData:
    """The shipped data for the corrected territories only (and every agency kind)."""
    return replace(
        shipped,
        territories=[t for t in shipped.territories if t.code in CODES],
        services=[],
        bhm_rates=[],
        bhm_rate_specs=[],
        bhm_withdrawn=[],
        calendar=[],
    )


def as_before(data: ReferenceData) -> ReferenceData:
    """The data as it was before issue 19: old names, old levels, no Yangi Toshkent."""
    return replace(
        data,
        territories=[_old(t) for t in data.territories if t.code != YANGI_TOSHKENT],
    )


def _old(spec: TerritorySpec) -> TerritorySpec:
    names = spec.former_names[0].names if spec.former_names else spec.names
    return TerritorySpec(spec.code, spec.former_level or spec.level, spec.parent, names)


def events_of(catalogue: Catalogue, cls: type) -> list:
    notifications = catalogue.recorder.select_notifications(start=1, limit=100_000)
    found = [catalogue.mapper.to_domain_event(n) for n in notifications]
    return [e for e in found if isinstance(e, cls)]


def test_the_corrections_are_in_the_shipped_data(shipped: ReferenceData) -> None:
    by_code = {t.code: t for t in shipped.territories}
    assert by_code[BOSTON].names["uz-Latn"] == "Boʻston tumani"
    assert by_code[BOSTON].names["uz-Cyrl"] == "Бўстон тумани"
    assert by_code[BOSTON].former_names[0].names["uz-Latn"] == "Boʻz tumani"
    assert by_code[SERGELI].names["uz-Cyrl"] == "Сергели тумани"
    assert by_code[SERGELI].former_names[0].names["uz-Latn"] == "Sirgʻali tumani"
    assert by_code[HAZORASP].names["uz-Cyrl"] == "Ҳазорасп тумани"
    assert by_code[HAZORASP].former_names[0].names["uz-Latn"] == "Xazorasp tumani"
    for code in (DAVLATOBOD, YANGI_NAMANGAN):  # districts (tuman) of Namangan city
        assert (by_code[code].level, by_code[code].former_level) == ("district", "city")
        assert by_code[code].names["uz-Latn"].endswith(" tumani")
    assert by_code[YANGI_TOSHKENT].parent == "1726"
    assert by_code[YANGI_TOSHKENT].names["uz-Latn"] == "Yangi Toshkent tumani"
    # Nobody could verify the acts: the data says so rather than inventing them.
    for code in (BOSTON, SERGELI, HAZORASP, DAVLATOBOD, YANGI_NAMANGAN, YANGI_TOSHKENT):
        assert by_code[code].source is None


def test_reseeding_a_store_with_the_old_names_renames_once(shipped: ReferenceData) -> None:
    data = corrected(shipped)
    catalogue = Catalogue()
    seed(catalogue, as_before(data), CTX, today=date(2026, 1, 5))
    assert catalogue.get_territory(BOSTON).names["uz-Latn"] == "Boʻz tumani"

    report = seed(catalogue, data, CTX, today=TODAY)
    assert report.changed["territory"] == 5  # three renames, two reclassifications
    assert report.created["territory"] == 1  # Yangi Toshkent
    renamed = events_of(catalogue, Territory.Renamed)
    assert sorted(e.originator_id for e in renamed) == sorted(
        Territory.create_id(code) for code in (BOSTON, SERGELI, HAZORASP)
    )
    boston = catalogue.get_territory(BOSTON)
    event = next(e for e in renamed if e.originator_id == boston.id)
    # The act's day is not verified: the rename holds from the day the record begins, so
    # the store never shows the old name in force.
    assert date.fromisoformat(event.effective_from) == REFERENCE_DATE
    assert event.source is None
    assert boston.names["uz-Latn"] == "Boʻston tumani"
    assert boston.names_on(REFERENCE_DATE)["uz-Latn"] == "Boʻston tumani"
    assert [names["uz-Latn"] for names, _ in boston.former_names] == ["Boʻz tumani"]
    reclassified = events_of(catalogue, Territory.Reclassified)
    assert {e.originator_id for e in reclassified} == {
        Territory.create_id(DAVLATOBOD),
        Territory.create_id(YANGI_NAMANGAN),
    }
    assert catalogue.get_territory(DAVLATOBOD).level == "district"

    head = catalogue.recorder.max_notification_id()
    again = seed(catalogue, data, CTX, today=TODAY)
    assert again.is_noop
    assert catalogue.recorder.max_notification_id() == head
    assert len(events_of(catalogue, Territory.Renamed)) == 3


def test_a_fresh_store_records_the_same_history(shipped: ReferenceData) -> None:
    catalogue = Catalogue()
    seed(catalogue, corrected(shipped), CTX, today=TODAY)
    boston = catalogue.get_territory(BOSTON)
    assert boston.names["uz-Latn"] == "Boʻston tumani"
    assert [names["uz-Latn"] for names, _ in boston.former_names] == ["Boʻz tumani"]
    assert catalogue.get_territory(YANGI_NAMANGAN).level == "district"
    assert seed(catalogue, corrected(shipped), CTX, today=TODAY).is_noop


def test_agencies_follow_the_rename(shipped: ReferenceData) -> None:
    data = corrected(shipped)
    catalogue = Catalogue()
    seed(catalogue, as_before(data), CTX, today=date(2026, 1, 5))
    assert catalogue.get_agency(f"hokimiyat-{BOSTON}").names["uz-Latn"] == "Boʻz tumani hokimligi"
    seed(catalogue, data, CTX, today=TODAY)
    hokimiyat = catalogue.get_agency(f"hokimiyat-{BOSTON}")
    assert hokimiyat.names["uz-Latn"] == "Boʻston tumani hokimligi"
    assert hokimiyat.names["ru"] == "Хокимият (Бустанский район)"
    assert hokimiyat.name_history.current_since == REFERENCE_DATE
    assert catalogue.get_agency(f"justice-{SERGELI}").names["uz-Latn"].startswith("Sergeli")
    renamed = {e.originator_id for e in events_of(catalogue, Agency.Renamed)}
    branches = [
        a for a in expand_agencies(data.agency_kinds, data.territories) if a.territory == BOSTON
    ]
    assert {Agency.create_id(a.code) for a in branches} <= renamed


def test_yangi_toshkent_and_its_agencies_are_seeded(shipped: ReferenceData) -> None:
    catalogue = Catalogue()
    seed(catalogue, corrected(shipped), CTX, today=TODAY)
    territory = catalogue.get_territory(YANGI_TOSHKENT)
    assert (territory.level, territory.parent) == ("district", "1726")
    kinds_with_districts = {k.kind for k in shipped.agency_kinds if k.branches.get("district")}
    assert GOVERNMENT_KIND in kinds_with_districts
    for kind in kinds_with_districts:
        agency = catalogue.get_agency(f"{kind}-{YANGI_TOSHKENT}")
        assert agency.level == "district"
        assert agency.names["uz-Latn"].startswith("Yangi Toshkent tumani")
    hokimiyat = catalogue.get_agency(f"hokimiyat-{YANGI_TOSHKENT}")
    assert hokimiyat.parent_id == Agency.create_id("hokimiyat-1726")


def test_the_hokimiyat_kind_is_the_local_executive_its_root_the_cabinet(
    shipped: ReferenceData,
) -> None:
    kind = next(k for k in shipped.agency_kinds if k.kind == GOVERNMENT_KIND)
    assert kind.names["en"] == "Hokimiyats (local executive authorities)"
    assert kind.names["ru"] == "Хокимияты (органы местной исполнительной власти)"
    assert "Vazirlar Mahkamasi" not in kind.names["uz-Latn"]
    root = next(
        a
        for a in expand_agencies(shipped.agency_kinds, shipped.territories)
        if a.code == "hokimiyat"
    )
    assert root.parent is None
    assert root.names["en"] == "Cabinet of Ministers of the Republic of Uzbekistan"
    assert root.names["uz-Latn"] == "Oʻzbekiston Respublikasi Vazirlar Mahkamasi"


def test_counts_of_territories_and_agencies(shipped: ReferenceData) -> None:
    districts_and_cities = [t for t in shipped.territories if t.level in ("district", "city")]
    assert len(shipped.territories) == 1 + 14 + 210
    assert len(districts_and_cities) == 210
    assert len(expand_agencies(shipped.agency_kinds, shipped.territories)) == 1927


@pytest.mark.parametrize(
    "query",
    ["Boʻz", "bo'z", "Boz", "Бўз", "Бозский", "Boʻston", "Бўстон", "Бустанский", "Buston"],
)
def test_a_renamed_district_is_found_by_its_old_and_new_names(
    shipped: ReferenceData, query: str
) -> None:
    found = [t.code for t in shipped.territories if _score(t, query) is not None]
    assert BOSTON in found


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("Sirgʻali", SERGELI),
        ("Сирғали", SERGELI),
        ("Сергели", SERGELI),
        ("Xazorasp", HAZORASP),
        ("Хазорасп", HAZORASP),
        ("Ҳазорасп", HAZORASP),
        ("Hazorasp", HAZORASP),
        ("Янги Тошкент", YANGI_TOSHKENT),
    ],
)
def test_corrected_names_are_found_in_every_script(
    shipped: ReferenceData, query: str, code: str
) -> None:
    found = [t.code for t in shipped.territories if _score(t, query) is not None]
    assert code in found


def test_a_current_name_ranks_before_a_former_one(shipped: ReferenceData) -> None:
    by_code = {t.code: t for t in shipped.territories}
    current = _score(by_code[BOSTON], "Boʻston")
    former = _score(by_code[BOSTON], "Boʻz")
    assert current is not None
    assert former is not None
    assert current > former
    assert _score(by_code[BOSTON], "Sergeli") is None


def _score(spec: TerritorySpec, query: str) -> float | None:
    former = [name for f in spec.former_names for name in f.names.values()]
    return name_score(search_tokens(query), list(spec.names.values()), former)
