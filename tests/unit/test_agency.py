"""Agencies form a tree tied to territories."""

from __future__ import annotations

from datetime import date

from domain.agency import Agency
from domain.errors import InvalidCode, InvalidLevel, InvalidParent, NothingChanged
from tests.unit.builders import DAY, META, names
from tests.unit.gwt import given, history, when_created


def ministry() -> Agency:
    return Agency.register(
        code="justice",
        kind="justice",
        level="republic",
        territory="17",
        parent=None,
        names=names("Adliya vazirligi"),
        effective_from=DAY,
        meta=META,
    )


def branch(
    parent: Agency, code: str = "justice-1703", level: str = "region", territory: str = "1703"
) -> Agency:
    return Agency.register(
        code=code,
        kind="justice",
        level=level,
        territory=territory,
        parent=parent,
        names=names("Adliya boshqarmasi"),
        effective_from=DAY,
        meta=META,
    )


def test_a_regional_branch_reports_to_its_ministry() -> None:
    head = ministry()
    when_created(lambda: branch(head)).then(
        Agency.Registered, code="justice-1703", parent_id=head.id, territory="1703"
    )


def test_a_branch_cannot_report_to_a_lower_level_body() -> None:
    district = branch(branch(ministry()), "justice-1703202", "district", "1703202")
    when_created(lambda: branch(district, "justice-1703x", "region", "1703")).then_error(
        InvalidParent, "cannot report to"
    )


def test_a_branch_serves_a_territory_inside_its_parents() -> None:
    regional = branch(ministry())
    when_created(lambda: branch(regional, "justice-1706202", "district", "1706202")).then_error(
        InvalidParent, "outside its parent"
    )


def test_level_and_territory_code_must_agree() -> None:
    when_created(lambda: branch(ministry(), territory="1703202")).then_error(InvalidCode, "4-digit")


def test_unknown_level_is_refused() -> None:
    when_created(lambda: branch(ministry(), level="province")).then_error(InvalidLevel)


def test_agency_codes_are_slugs() -> None:
    when_created(lambda: branch(ministry(), code="Justice 1703")).then_error(InvalidCode)


def test_rename_changes_names_from_a_date() -> None:
    given(*history(ministry())).when(
        lambda a: a.rename(names=names("Yangi"), effective_from=date(2025, 2, 1), meta=META)
    ).then(Agency.Renamed, effective_from="2025-02-01")


def test_rename_to_same_names_is_refused() -> None:
    given(*history(ministry())).when(
        lambda a: a.rename(names=names("Adliya vazirligi"), effective_from=DAY, meta=META)
    ).then_error(NothingChanged)
