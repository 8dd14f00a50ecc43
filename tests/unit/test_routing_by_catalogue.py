"""Routing reads the catalogue's own state (its agency index), never a read model: an
agency registered and a service published take applications in the very next command.
In-memory (POPO) applications."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from application.attachments import AttachmentUpload
from application.cases import CaseDependencies, Cases
from application.catalogue import Catalogue
from application.principal import Principal
from application.seeding import seed
from application.submissions import Submissions
from domain.agency import Agency
from domain.agency_index import AgencyIndexBuilt
from tests.fakes.adapters import FixedClock, MemoryAccessLog, MemoryBlobStore, MemorySequences
from tests.unit.builders import CTX, DAY, names, terms
from tests.unit.test_catalogue_app import data

CITIZEN = Principal("31503901234567", "citizen", name="Aziza")
MEDICAL = AttachmentUpload("medical-certificate", "m.pdf", "application/pdf", b"%PDF-1.7 m")
FORM = {"child_name": "Aziz", "birth_date": "2026-11-01"}


def territories(catalogue: Catalogue) -> None:
    for code, level, parent in (
        ("17", "republic", None),
        ("1703", "region", "17"),
        ("1703202", "district", "1703"),
        ("1726", "region", "17"),
    ):
        catalogue.register_territory(
            CTX, code=code, level=level, parent=parent, names=names(code), effective_from=DAY
        )


def agency(catalogue: Catalogue, code: str, level: str, territory: str, kind: str = "tax") -> None:
    catalogue.register_agency(
        CTX,
        code=code,
        kind=kind,
        level=level,
        territory=territory,
        parent=None,
        names=names(code),
        effective_from=DAY,
    )


def submissions(catalogue: Catalogue) -> Submissions:
    cases = Cases(
        deps=CaseDependencies(
            catalogue=catalogue, access_log=MemoryAccessLog(), pseudonym_key=b"k" * 32
        )
    )
    return Submissions(
        cases,
        directory=catalogue,
        clock=FixedClock(datetime(2026, 11, 27, 7, 0, tzinfo=UTC)),
        sequences=MemorySequences(),
        blobs=MemoryBlobStore(),
    )


def test_an_agency_registered_and_a_service_published_take_an_application_at_once() -> None:
    catalogue = Catalogue()
    territories(catalogue)
    agency(catalogue, "justice-1703", "region", "1703", kind="justice")
    catalogue.publish_service(
        CTX, code="birth", terms=terms(jurisdiction="region"), effective_from=DAY
    )

    application = submissions(catalogue).submit(
        CITIZEN, CTX, service_code="birth", territory="1703202", form=FORM, attachments=[MEDICAL]
    )

    assert application.agency is not None
    assert application.agency.code == "justice-1703"
    assert application.agency.id == Agency.create_id("justice-1703")


def test_routing_takes_the_nearest_territory_then_the_first_code() -> None:
    catalogue = Catalogue()
    territories(catalogue)
    agency(catalogue, "tax-b-1703", "region", "1703")
    agency(catalogue, "tax-a-1703", "region", "1703")
    agency(catalogue, "tax-republic", "republic", "17")
    agency(catalogue, "tax-1703202", "district", "1703202")

    def routed(level: str, territory: str) -> str | None:
        found = catalogue.responsible_agency("tax", level, territory)
        return found.code if found is not None else None

    assert routed("region", "1703202") == "tax-a-1703"  # up from the district to its region
    assert routed("region", "1703") == "tax-a-1703"
    assert routed("district", "1703202") == "tax-1703202"
    assert routed("district", "1703999") is None  # no district body there, none higher up
    assert routed("republic", "1726") == "tax-republic"
    assert routed("region", "1726") is None
    assert catalogue.responsible_agency("justice", "region", "1703") is None


def test_the_directory_answers_with_parents_and_names() -> None:
    catalogue = Catalogue()
    seed(catalogue, data(), CTX, today=DAY)
    region = catalogue.agency_by_code("justice-1703")
    assert region is not None
    assert region.parent_code == "justice"
    assert region.parent_id == Agency.create_id("justice")
    assert catalogue.agency_ref(region.id) == region
    details = catalogue.agency_details(region.id)
    assert details is not None
    assert details.territory_code == "1703"
    assert details.parent_names == catalogue.get_agency("justice").names
    assert details.territory_names == catalogue.get_territory("1703").names
    assert catalogue.agency_names(region.id) == catalogue.get_agency("justice-1703").names
    assert catalogue.agency_by_code("nobody") is None
    assert catalogue.agency_ref(Agency.create_id("nobody")) is None


def old_catalogue() -> Catalogue:
    """A catalogue whose agencies were saved before the agency index existed."""
    catalogue = Catalogue()
    territories(catalogue)
    for code, territory in (("tax-1703", "1703"), ("tax-1726", "1726")):
        catalogue.save(
            Agency.register(
                code=code,
                kind="tax",
                level="region",
                territory=territory,
                parent=None,
                names=names(code),
                effective_from=DAY,
                meta=CTX.meta(),
            )
        )
    return catalogue


def test_agencies_registered_before_the_index_are_indexed_on_first_use() -> None:
    catalogue = old_catalogue()
    assert catalogue.find(AgencyIndexBuilt, AgencyIndexBuilt.create_id()) is None

    found = catalogue.responsible_agency("tax", "region", "1703202")

    assert found is not None
    assert found.code == "tax-1703"
    assert catalogue.find(AgencyIndexBuilt, AgencyIndexBuilt.create_id()) is not None
    head = catalogue.recorder.max_notification_id()
    assert catalogue.responsible_agency("tax", "region", "1726") is not None
    assert catalogue.recorder.max_notification_id() == head  # built once


def test_registering_on_an_old_catalogue_indexes_the_stored_agencies_with_it() -> None:
    catalogue = old_catalogue()
    agency(catalogue, "tax-1703202", "district", "1703202")
    head = catalogue.recorder.max_notification_id()
    assert catalogue.find(AgencyIndexBuilt, AgencyIndexBuilt.create_id()) is not None
    assert catalogue.responsible_agency("tax", "region", "1726") is not None
    assert catalogue.responsible_agency("tax", "district", "1703202") is not None
    assert catalogue.recorder.max_notification_id() == head  # built with the registration


def test_seeding_an_old_catalogue_builds_the_index_then_seeding_again_is_a_no_op() -> None:
    catalogue = Catalogue()
    seed(catalogue, data(), CTX, today=DAY)
    # As if the index had not existed: a catalogue with the same agencies and no index.
    old = Catalogue()
    old.save(
        *(
            catalogue.repository.get(n.originator_id)
            for n in catalogue.recorder.select_notifications(start=None, limit=10_000)
            if ":Agency." in n.topic or ":Territory." in n.topic
        )
    )
    assert old.find(AgencyIndexBuilt, AgencyIndexBuilt.create_id()) is None

    seed(old, data(), CTX, today=DAY)

    assert old.find(AgencyIndexBuilt, AgencyIndexBuilt.create_id()) is not None
    routed = old.responsible_agency("justice", "region", "1703202")
    assert routed is not None
    assert routed.code == "justice-1703"
    assert seed(old, data(), CTX, today=DAY).is_noop


@pytest.mark.parametrize("territory", ["1703202", "1703401", "1726262"])
def test_seeded_routing_matches_the_reference_agencies(territory: str) -> None:
    catalogue = Catalogue()
    seed(catalogue, data(), CTX, today=DAY)
    found = catalogue.responsible_agency("justice", "region", territory)
    assert found is not None
    assert found.code == f"justice-{territory[:4]}"
    hokimiyat = catalogue.responsible_agency("hokimiyat", "district", territory)
    assert hokimiyat is not None
    assert hokimiyat.code == f"hokimiyat-{territory}"
    assert catalogue.responsible_agency("health", "republic", territory) is not None
