"""Tamper evidence on PostgreSQL: alter the stored events directly with SQL and see each
alteration detected and located, by case and over the whole store.

One module container builds a case per test (submitted, paid, accepted, approved) with its
workers running, seals the chain heads, then stops the workers so that nothing follows the
forged rows; each test tampers with its own case only.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from uuid import UUID

from psycopg import sql
from typer.testing import CliRunner

from api.cli import app as cli
from domain.audit_chain import (
    CHAIN_REWRITTEN,
    INSERTED,
    MISSING,
    MODIFIED,
    REORDERED,
    SEAL_MISMATCH,
    SEALS_BROKEN,
)
from infrastructure.container import Container
from tests.integration.tampering import (
    YAGONA,
    Store,
    case,
    cli_env,
    connect,
    events_table,
    links_table,
    only_finding,
    rewrite_chain,
    set_event,
    store,
    stored,
    verify,
)

__all__ = ["case", "store"]  # fixtures used here


def test_an_untouched_case_verifies_intact_across_its_aggregates(
    case: tuple[Container, UUID],
) -> None:
    container, application_id = case
    report = verify(container, application_id)
    assert report.intact, report.findings
    # the application, its tracking index, its decision, its payment and the payment's
    # provider index
    assert report.aggregates == 5
    assert report.events >= len(stored(container, application_id)) + 3


def test_one_changed_byte_of_a_stored_event_is_found_at_its_version(
    case: tuple[Container, UUID],
) -> None:
    container, application_id = case
    version, topic, state = stored(container, application_id)[1]
    flipped = bytearray(state)
    flipped[len(flipped) // 2] ^= 0x01
    set_event(container, application_id, version, topic, bytes(flipped))

    finding = only_finding(verify(container, application_id))
    assert (finding.stream, finding.aggregate_id) == ("Cases", str(application_id))
    assert (finding.version, finding.problem) == (version, MODIFIED)


def test_a_deleted_event_is_found_missing(case: tuple[Container, UUID]) -> None:
    container, application_id = case
    with connect(container) as conn:
        conn.execute(
            sql.SQL("DELETE FROM {} WHERE originator_id = %s AND originator_version = 3").format(
                events_table(container)
            ),
            (application_id,),
        )
    finding = only_finding(verify(container, application_id))
    assert (finding.aggregate_id, finding.version, finding.problem) == (
        str(application_id),
        3,
        MISSING,
    )


def test_two_swapped_versions_are_found_reordered(case: tuple[Container, UUID]) -> None:
    container, application_id = case
    events = stored(container, application_id)
    (v2, topic2, state2), (v3, topic3, state3) = events[1], events[2]
    set_event(container, application_id, v2, topic3, state3)
    set_event(container, application_id, v3, topic2, state2)

    finding = only_finding(verify(container, application_id))
    assert (finding.aggregate_id, finding.version, finding.problem) == (
        str(application_id),
        v2,
        REORDERED,
    )
    assert f"recorded as version {v3}" in finding.detail


def test_a_forged_event_is_found_inserted(case: tuple[Container, UUID]) -> None:
    container, application_id = case
    events = stored(container, application_id)
    last, topic, state = events[-1]
    with connect(container) as conn:
        conn.execute(
            sql.SQL(
                "INSERT INTO {} (originator_id, originator_version, topic, state) "
                "VALUES (%s, %s, %s, %s)"
            ).format(events_table(container)),
            (application_id, last + 1, topic, state),
        )
    finding = only_finding(verify(container, application_id))
    assert (finding.aggregate_id, finding.version, finding.problem) == (
        str(application_id),
        last + 1,
        INSERTED,
    )


def test_a_changed_payment_event_is_found_in_the_payment_chain(
    case: tuple[Container, UUID],
) -> None:
    container, application_id = case
    payment = container.payments.attempts(application_id)[0]
    with connect(container) as conn:
        conn.execute(
            sql.SQL(
                "UPDATE {} SET state = state || '\\x00'::bytea "
                "WHERE originator_id = %s AND originator_version = 2"
            ).format(events_table(container, "payments")),
            (payment.id,),
        )
    finding = only_finding(verify(container, application_id))
    assert (finding.stream, finding.aggregate_id, finding.version, finding.problem) == (
        "Payments",
        str(payment.id),
        2,
        MODIFIED,
    )


def test_a_consistently_rewritten_chain_differs_from_its_sealed_head(
    case: tuple[Container, UUID],
) -> None:
    container, application_id = case
    head = len(stored(container, application_id))
    rewrite_chain(container, application_id, from_version=2)

    finding = only_finding(verify(container, application_id))
    assert (finding.aggregate_id, finding.problem) == (str(application_id), SEAL_MISMATCH)
    assert finding.version == head  # the version the seal holds the head of


def test_a_link_rewritten_alone_is_found_where_the_chain_breaks(
    case: tuple[Container, UUID],
) -> None:
    container, application_id = case
    with connect(container) as conn:
        conn.execute(
            sql.SQL(
                "UPDATE {} SET link = md5(link) || md5(link) WHERE stream = 'Cases' "
                "AND aggregate_id = %s AND version = 2"
            ).format(links_table(container)),
            (application_id,),
        )
    finding = only_finding(verify(container, application_id))
    assert (finding.version, finding.problem) == (2, CHAIN_REWRITTEN)


def test_the_cli_names_the_first_broken_link_of_a_case_and_seals(
    case: tuple[Container, UUID],
) -> None:
    container, application_id = case
    version, topic, state = stored(container, application_id)[0]
    set_event(container, application_id, version, topic, state[:-1])
    env = cli_env(container)

    result = CliRunner().invoke(
        cli, ["audit", "verify", "--application", str(application_id), "--json"], env=env
    )
    assert result.exit_code == 1, result.output
    body = json.loads(result.stdout)
    assert body["intact"] is False
    assert body["findings"][0] == {
        "stream": "Cases",
        "aggregate_id": str(application_id),
        "version": 1,
        "problem": MODIFIED,
        "detail": "the stored event differs from the one recorded",
    }
    sealed = CliRunner().invoke(cli, ["audit", "seal"], env=env)
    assert sealed.exit_code == 0, sealed.output
    assert "nothing to seal" in sealed.output  # no chain grew since the fixture's seal


def test_verifying_the_whole_store_locates_every_alteration(store: Store) -> None:
    """Over every stream: the alterations of the tests above (each found by its case's
    verification too) and one made here to the catalogue."""
    container = store.container
    with connect(container) as conn:
        row = conn.execute(
            sql.SQL(
                "UPDATE {} SET state = state || '\\x00'::bytea WHERE notification_id = "
                "(SELECT max(notification_id) FROM {}) RETURNING originator_id, originator_version"
            ).format(events_table(container, "catalogue"), events_table(container, "catalogue"))
        ).fetchone()
    catalogue = ("Catalogue", str(row["originator_id"]), int(row["originator_version"]), MODIFIED)
    per_case = {
        (f.stream, f.aggregate_id, f.version, f.problem)
        for key in store.keys
        for f in verify(container, UUID(key)).findings
    }

    seen: list[tuple[int, int]] = []
    report = container.verifier.verify_all(progress=lambda done, total: seen.append((done, total)))

    found = {(f.stream, f.aggregate_id, f.version, f.problem) for f in report.findings}
    assert found == per_case | {catalogue}
    assert len(report.findings) == len(found)
    with connect(container) as conn:
        total = sum(
            conn.execute(
                sql.SQL("SELECT count(*) AS n FROM {}").format(events_table(container, s))
            ).fetchone()["n"]
            for s in ("catalogue", "cases", "payments")
        )
    assert report.events == total
    assert seen[-1] == (total, total)
    assert report.rate > 0


def test_a_forged_seal_breaks_the_seal_stream(store: Store) -> None:
    container = store.container
    seals = sql.Identifier(container.settings.db_schema, "audit_seals")
    with connect(container) as conn:
        heads = conn.execute(sql.SQL("SELECT heads FROM {} WHERE seq = 1").format(seals)).fetchone()
        conn.execute(sql.SQL("UPDATE {} SET heads = '{{}}'::jsonb WHERE seq = 1").format(seals))
    try:
        report = container.verifier.verify_all()
        assert report.findings[0].problem == SEALS_BROKEN
        assert report.findings[0].version == 1
    finally:
        with connect(container) as conn:
            conn.execute(
                sql.SQL("UPDATE {} SET heads = %s WHERE seq = 1").format(seals),
                (json.dumps(heads["heads"]),),
            )


def test_the_cli_verifies_the_whole_store_and_names_each_broken_chain(store: Store) -> None:
    """``yagona audit verify`` without a case, as a process: the report names every chain
    the alterations above broke and one broken here, whole at a narrow width; exit 1."""
    container = store.container
    with connect(container) as conn:
        row = conn.execute(
            sql.SQL(
                "UPDATE {} SET state = state || '\\x01'::bytea WHERE notification_id = "
                "(SELECT min(notification_id) FROM {}) RETURNING originator_id, originator_version"
            ).format(events_table(container, "catalogue"), events_table(container, "catalogue"))
        ).fetchone()
    aggregate, version = str(row["originator_id"]), int(row["originator_version"])
    expected = container.verifier.verify_all()
    env = {**os.environ, **cli_env(container), "COLUMNS": "60"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [YAGONA, "audit", "verify", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    as_json = run("--json")
    assert as_json.returncode == 1, as_json.stderr
    body = json.loads(as_json.stdout)
    assert (body["intact"], body["events"]) == (False, expected.events)
    found = {(f["stream"], f["aggregate_id"], f["version"], f["problem"]) for f in body["findings"]}
    assert ("Catalogue", aggregate, version, MODIFIED) in found
    assert found == {(f.stream, f.aggregate_id, f.version, f.problem) for f in expected.findings}

    text = run()
    assert text.returncode == 1, text.stderr
    assert re.search(rf"Catalogue\W+{aggregate}\W+{version}\W+{MODIFIED}", text.stderr), text.stderr
    for finding in expected.findings:
        assert finding.aggregate_id in text.stderr  # whole, not cut at 60 columns
    assert re.search(
        rf"^TAMPERED: {expected.events:,} events in {expected.aggregates:,} chains",
        text.stderr,
        re.M,
    ), text.stderr
