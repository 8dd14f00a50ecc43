"""The catalogue on PostgreSQL: idempotent seeding, exactly-once projection, rebuilds."""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from datetime import date

import pytest
from eventsourcing.persistence import Tracking
from psycopg import sql

from application.attachments import AttachmentUpload
from application.catalogue import Catalogue
from application.principal import Principal
from application.seeding import expand_agencies, seed
from domain.agency_index import AgencyIndexBuilt
from domain.context import CommandContext
from infrastructure.container import Container
from infrastructure.reference_data import load_reference_data
from projections.catalogue.search import similarity, trigrams
from tests.integration.helpers import count_events, dump_tables
from tests.unit.builders import terms

CTX = CommandContext(actor="system:seed", role="system", correlation_id="test-seed")
TODAY = date(2026, 11, 27)


def test_seeding_twice_is_a_no_op(container: Container) -> None:
    data = load_reference_data()
    first = seed(container.catalogue, data, CTX, today=TODAY)
    assert first.created["territory"] == len(data.territories)
    assert first.created["service"] == len(data.services)
    events_after_first = count_events(container.database, container.database.schema)
    assert events_after_first == first.events

    second = seed(container.catalogue, data, CTX, today=TODAY)

    assert second.is_noop
    assert sum(second.created.values()) == 0
    assert sum(second.changed.values()) == 0
    assert count_events(container.database, container.database.schema) == events_after_first


def test_a_seed_is_one_transaction(container: Container) -> None:
    """Everything one seed run changes commits together: one NOTIFY, consecutive positions."""
    report = seed(container.catalogue, load_reference_data(), CTX, today=TODAY)
    notifications = container.catalogue.recorder.select_notifications(start=1, limit=100000)
    assert [n.id for n in notifications] == list(range(1, report.events + 1))


def _run_projection_to_head(container: Container) -> None:
    container.start_workers()
    container.wait_for_projections(timeout=60)
    container.stop_workers()


def _change_some_things(container: Container) -> None:
    catalogue = container.catalogue
    some = sorted(s.code for s in load_reference_data().services)
    service = catalogue.get_service(some[0])
    terms = service.current.terms.to_dict()
    terms["deadline_working_days"] = terms["deadline_working_days"] + 1
    catalogue.revise_service(CTX, code=some[0], terms=terms, effective_from=TODAY)
    catalogue.suspend_service(CTX, code=some[1], reason="maintenance")
    catalogue.retire_service(CTX, code=some[2], reason="merged")
    territory = catalogue.get_territory("1703")
    renamed = dict(territory.names, en="Andijan Province")
    catalogue.rename_territory(CTX, code="1703", names=renamed, effective_from=TODAY)
    catalogue.set_bhm_rate(CTX, effective_from=date(2026, 12, 1), amount=45_000_000)


def test_projection_rebuilt_from_events_equals_the_incremental_one(container: Container) -> None:
    seed(container.catalogue, load_reference_data(), CTX, today=TODAY)
    _change_some_things(container)
    _run_projection_to_head(container)
    view = container.catalogue_view
    tables = (*view.table_names, view.tracking_table_name)
    incremental = dump_tables(container.database, view.schema, tables)
    assert len(incremental["catalogue_services"]) == len(load_reference_data().services)

    report = container.rebuild_projection("catalogue")

    assert report.events == container.catalogue.recorder.max_notification_id()
    assert dump_tables(container.database, view.schema, tables) == incremental
    assert view.get_territory("1703").names["en"] == "Andijan Province"  # type: ignore[union-attr]


def test_rebuild_while_the_live_projection_runs_and_writes_continue(container: Container) -> None:
    """Commands keep landing during a rebuild; afterwards the live view misses nothing."""
    seed(container.catalogue, load_reference_data(), CTX, today=TODAY)
    container.start_workers()
    stop = threading.Event()

    def keep_writing() -> None:
        start = date(2027, 1, 1).toordinal()
        for day in range(300):
            if stop.is_set():
                return
            container.catalogue.set_bhm_rate(
                CTX, effective_from=date.fromordinal(start + day), amount=50_000_000 + day
            )

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        container.rebuild_projection("catalogue")
    finally:
        stop.set()
        writer.join()
    container.wait_for_projections(timeout=60)
    container.stop_workers()
    view = container.catalogue_view
    tables = (*view.table_names, view.tracking_table_name)
    live = dump_tables(container.database, view.schema, tables)
    container.rebuild_projection("catalogue")
    assert dump_tables(container.database, view.schema, tables) == live


def test_an_event_is_applied_at_most_once(container: Container) -> None:
    view = container.catalogue_view
    tracking = Tracking(container.catalogue.name, 1)
    writes = []

    def write(_: object) -> None:
        writes.append(1)

    assert view.apply(tracking, write) is True
    assert view.apply(tracking, write) is False
    assert view.apply(Tracking(container.catalogue.name, 1), write) is False
    assert writes == [1]
    assert view.position(container.catalogue.name) == 1


def test_an_agency_is_described_with_its_parent_and_territory_for_documents(
    container: Container,
) -> None:
    data = load_reference_data()
    seed(container.catalogue, data, CTX, today=TODAY)
    container.rebuild_projection("catalogue")
    view = container.catalogue_view
    agency = view.get_agency("justice-1703202")
    assert agency is not None
    details = view.agency_details(agency.id)
    assert details is not None
    assert details.names == agency.names
    parent = view.agencies_by_id([agency.parent_id])[agency.parent_id]  # type: ignore[list-item]
    assert details.parent_names == parent.names
    territory = view.get_territory("1703202")
    assert territory is not None
    assert (details.territory_code, details.territory_names) == ("1703202", territory.names)
    head = view.get_agency("justice")
    assert head is not None
    head_details = view.agency_details(head.id)
    assert head_details is not None
    assert head_details.parent_names == view.get_agency("hokimiyat").names  # type: ignore[union-attr]
    # a service's validity is seeded and projected with its terms
    service = view.get_service("driving-licence-replacement")
    assert service is not None
    assert service.terms["validity"] == {"months": 120}


def test_the_search_words_are_the_projections_and_score_as_pg_trgm_does(
    container: Container,
) -> None:
    """The table of the catalogue's words (what a misspelt word is matched through) is
    filled by the projection, so a rebuild fills it too; its trigrams and similarities are
    pg_trgm's, checked against the extension where the server has it (PostgreSQL 15 here;
    the embedded server's wheel ships without it)."""
    seed(container.catalogue, load_reference_data(), CTX, today=TODAY)
    _run_projection_to_head(container)
    view = container.catalogue_view
    words = {
        row["word"]: row["trigrams"]
        for row in view.fetch_all("SELECT word, trigrams FROM {schema}.catalogue_search_words")
    }
    assert {"litsenziya", "licence", "pharmaceutical", "tugilish"} <= set(words)
    assert not any(re.search(r"[а-яёўқғҳ]", word) for word in words)  # all in Latin
    assert words["licence"] == trigrams("licence")

    with container.database.connect() as conn:
        available = conn.execute(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'"
        ).fetchone()
        if available is None:
            pytest.skip("this server has no pg_trgm to compare with")
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        pairs = [
            ("license", "licence"),
            ("lisenziya", "litsenziya"),
            ("xaydovchilik", "haydovchilik"),
        ]
        pairs += [("pasport", word) for word in sorted(words)[:200]]
        for a, b in pairs:
            expected, grams = conn.execute(
                "SELECT similarity(%s, %s), show_trgm(%s)", (a, b, b)
            ).fetchone()  # type: ignore[misc]
            assert similarity(a, b) == pytest.approx(expected, abs=1e-6), (a, b)
            assert trigrams(b) == sorted(grams), b


def test_an_agency_and_a_service_just_registered_take_an_application_at_once(
    container: Container,
) -> None:
    """Routing reads the catalogue's own state: no read model has seen the new agency (no
    worker runs here), and the application is routed to it in the very next command."""
    catalogue, names = container.catalogue, dict.fromkeys(("uz-Latn", "uz-Cyrl", "ru", "en"), "N")
    for code, level, parent in (("17", "republic", None), ("1703", "region", "17")):
        catalogue.register_territory(
            CTX, code=code, level=level, parent=parent, names=names, effective_from=TODAY
        )
    catalogue.register_territory(
        CTX, code="1703202", level="district", parent="1703", names=names, effective_from=TODAY
    )
    catalogue.register_agency(
        CTX,
        code="justice-1703",
        kind="justice",
        level="region",
        territory="1703",
        parent=None,
        names=names,
        effective_from=TODAY,
    )
    catalogue.publish_service(
        CTX, code="birth", terms=terms(jurisdiction="region"), effective_from=TODAY
    )
    assert container.catalogue_view.agency_by_code("justice-1703") is None  # not projected

    application = container.submissions.submit(
        Principal("31503901234567", "citizen"),
        CTX,
        service_code="birth",
        territory="1703202",
        form={"child_name": "Aziz", "birth_date": "2026-11-01"},
        attachments=[
            AttachmentUpload("medical-certificate", "m.pdf", "application/pdf", b"%PDF-1.7 m")
        ],
    )

    assert application.agency is not None
    assert application.agency.code == "justice-1703"
    # Another process (a catalogue of its own over the same tables) routes the same way.
    other = Catalogue(env=container.env)
    try:
        routed = other.responsible_agency("justice", "region", "1703202")
        assert routed is not None
        assert routed.code == "justice-1703"
    finally:
        other.close()


def test_a_catalogue_seeded_before_the_agency_index_still_routes(container: Container) -> None:
    """A database whose agencies predate the index: its first lookup indexes them."""
    data = load_reference_data()
    seed(container.catalogue, data, CTX, today=TODAY)
    schema = sql.Identifier(container.database.schema)
    with container.database.connect() as conn:  # as if the index had never been written
        conn.execute(
            sql.SQL(
                "DELETE FROM {schema}.audit_links WHERE stream = 'Catalogue' AND aggregate_id IN "
                "(SELECT originator_id FROM {schema}.catalogue_events WHERE topic LIKE %s)"
            ).format(schema=schema),
            ("domain.agency_index:%",),
        )
        conn.execute(
            sql.SQL("DELETE FROM {}.catalogue_events WHERE topic LIKE %s").format(schema),
            ("domain.agency_index:%",),
        )
    fresh = Catalogue(env=container.env)
    try:
        agency = next(a for a in expand_agencies(data.agency_kinds, data.territories))
        routed = fresh.responsible_agency(agency.kind, agency.level, agency.territory)
        assert routed is not None
        assert routed.code == agency.code
        assert fresh.find(AgencyIndexBuilt, AgencyIndexBuilt.create_id()) is not None
        assert seed(fresh, data, CTX, today=TODAY).is_noop
    finally:
        fresh.close()


def test_reseeding_a_store_with_old_names_keeps_them_searchable(container: Container) -> None:
    """A store seeded before issue 19 (Boʻz tumani) is renamed once; the read model keeps
    the old name, so a search by it still finds the district."""
    data = load_reference_data()
    boston = next(t for t in data.territories if t.code == "1703209")
    old = replace(boston, names=boston.former_names[0].names, former_names=(), source=None)
    before = replace(data, territories=[old if t is boston else t for t in data.territories])
    seed(container.catalogue, before, CTX, today=date(2026, 1, 5))
    _run_projection_to_head(container)
    view = container.catalogue_view
    assert view.search_territories("Boʻz", level="district")[0].code == "1703209"

    report = seed(container.catalogue, data, CTX, today=TODAY)
    assert report.changed["territory"] == 1
    assert seed(container.catalogue, data, CTX, today=TODAY).is_noop
    _run_projection_to_head(container)
    row = view.get_territory("1703209")
    assert row is not None
    assert row.names["uz-Latn"] == "Boʻston tumani"
    assert [(f.names["uz-Latn"], f.until) for f in row.former_names] == [
        ("Boʻz tumani", date(2024, 1, 1))
    ]
    for query in ("Boʻz", "Бўз", "Boʻston", "Бўстон"):
        assert "1703209" in [t.code for t in view.search_territories(query)], query
