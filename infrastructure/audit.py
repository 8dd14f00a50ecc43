"""Audit adapters: the raw event archive, chain verification and seals (exports are in
``application.case_export``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from time import perf_counter
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresDatastore
from psycopg import sql

from application.ports import ArchivedEvent
from domain.audit_chain import (
    Finding,
    StoredLink,
    seal_hash,
    verify_chain,
    verify_seals,
)

_BASE_FIELDS = {"originator_id", "originator_version", "timestamp", "originator_topic", "meta"}


class EventArchive:
    """Stored events with their positions, decoded when they still decode."""

    def __init__(self, apps: dict[str, Application[Any]]) -> None:
        self.apps = apps

    def events(self, stream: str, aggregate_ids: list[UUID]) -> list[ArchivedEvent]:
        app = self.apps[stream]
        datastore: PostgresDatastore = app.recorder.datastore  # type: ignore[attr-defined]
        table = sql.Identifier(datastore.schema, f"{stream.lower()}_events")
        with datastore.get_connection() as conn:
            rows = conn.execute(
                sql.SQL(
                    "SELECT originator_id, originator_version, topic, state, notification_id "
                    "FROM {} WHERE originator_id = ANY(%s) ORDER BY notification_id"
                ).format(table),
                (aggregate_ids,),
            ).fetchall()
        return [self._archived(app, stream, row) for row in rows]

    def _archived(self, app: Application[Any], stream: str, row: dict[str, Any]) -> ArchivedEvent:
        state = bytes(row["state"])
        stored = StoredEvent(row["originator_id"], row["originator_version"], row["topic"], state)
        topic = str(row["topic"])
        try:
            event = app.mapper.to_domain_event(stored)
        except Exception:
            return ArchivedEvent(
                stream=stream,
                position=int(row["notification_id"]),
                aggregate_id=row["originator_id"],
                version=int(row["originator_version"]),
                topic=topic,
                type=topic.rsplit(":", 1)[-1],
                timestamp=None,
                meta={},
                payload=None,
                stored_state=state,
            )
        payload = {k: v for k, v in vars(event).items() if k not in _BASE_FIELDS}
        return ArchivedEvent(
            stream=stream,
            position=int(row["notification_id"]),
            aggregate_id=row["originator_id"],
            version=int(row["originator_version"]),
            topic=topic,
            type=topic.rsplit(":", 1)[-1],
            timestamp=getattr(event, "timestamp", None),
            meta=dict(getattr(event, "meta", {}) or {}),
            payload=payload,
            stored_state=state,
        )


@dataclass(frozen=True)
class Seal:
    seq: int
    sealed_at: datetime
    heads: dict[str, list[Any]]
    previous_hash: str
    hash: str


class Seals:
    """The audit seal stream: periodically, the heads of chains that grew, hash-linked."""

    def __init__(self, datastore: PostgresDatastore, streams: tuple[str, ...]) -> None:
        self.datastore = datastore
        self.streams = streams
        self._seals = sql.Identifier(datastore.schema, "audit_seals")
        self._links = sql.Identifier(datastore.schema, "audit_links")

    def create_table(self) -> None:
        with self.datastore.get_connection() as conn:
            conn.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (seq bigint PRIMARY KEY, "
                    "sealed_at timestamptz NOT NULL DEFAULT now(), "
                    "through_link_id bigint NOT NULL, "
                    "heads jsonb NOT NULL, previous_hash text NOT NULL, hash text NOT NULL)"
                ).format(self._seals)
            )

    def seal(self) -> Seal | None:
        """Seal the heads of every chain that grew since the last seal (None if none did)."""
        with self.datastore.get_connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('yagona:audit-seal'))")
            # Recorders write links while holding their events table's EXCLUSIVE lock; a
            # SHARE lock waits for those in flight, so no link with a lower id than the
            # ones sealed here can commit later (and be skipped by the next seal).
            conn.execute(
                sql.SQL("LOCK TABLE {} IN SHARE MODE").format(
                    sql.SQL(", ").join(
                        sql.Identifier(self.datastore.schema, f"{s.lower()}_events")
                        for s in self.streams
                    )
                )
            )
            last = conn.execute(
                sql.SQL(
                    "SELECT seq, through_link_id, hash FROM {} ORDER BY seq DESC LIMIT 1"
                ).format(self._seals)
            ).fetchone()
            seq, through, previous = (
                (int(last["seq"]), int(last["through_link_id"]), str(last["hash"]))
                if last
                else (0, 0, "0" * 64)
            )
            rows = conn.execute(
                sql.SQL(
                    "SELECT DISTINCT ON (stream, aggregate_id) stream, aggregate_id, version, "
                    "link, "
                    "max(id) OVER () AS through FROM {} WHERE id > %s "
                    "ORDER BY stream, aggregate_id, version DESC"
                ).format(self._links),
                (through,),
            ).fetchall()
            if not rows:
                return None
            heads = {
                f"{r['stream']}:{r['aggregate_id']}": [int(r["version"]), r["link"]] for r in rows
            }
            digest = seal_hash(previous, heads)
            row = conn.execute(
                sql.SQL(
                    "INSERT INTO {} (seq, through_link_id, heads, previous_hash, hash) "
                    "VALUES (%s, %s, %s, %s, %s) RETURNING sealed_at"
                ).format(self._seals),
                (seq + 1, int(rows[0]["through"]), json.dumps(heads), previous, digest),
            ).fetchone()
        assert row is not None
        return Seal(seq + 1, row["sealed_at"], heads, previous, digest)

    def all(self) -> Iterator[Seal]:
        with self.datastore.get_connection() as conn:
            rows = conn.execute(
                sql.SQL(
                    "SELECT seq, sealed_at, heads, previous_hash, hash FROM {} ORDER BY seq"
                ).format(self._seals)
            ).fetchall()
        for r in rows:
            yield Seal(
                int(r["seq"]), r["sealed_at"], dict(r["heads"]), r["previous_hash"], r["hash"]
            )

    def latest(self) -> Seal | None:
        with self.datastore.get_connection() as conn:
            r = conn.execute(
                sql.SQL(
                    "SELECT seq, sealed_at, heads, previous_hash, hash FROM {} "
                    "ORDER BY seq DESC LIMIT 1"
                ).format(self._seals)
            ).fetchone()
        if r is None:
            return None
        return Seal(int(r["seq"]), r["sealed_at"], dict(r["heads"]), r["previous_hash"], r["hash"])

    def verify(self) -> tuple[Finding | None, dict[str, tuple[int, str]]]:
        """Check that each seal follows from the one before; the latest sealed head of
        every chain (the check is the domain's ``verify_seals``)."""
        return verify_seals(self.all())


@dataclass(frozen=True)
class VerificationReport:
    intact: bool
    events: int
    aggregates: int
    seconds: float
    findings: list[Finding]

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


Progress = Callable[[int, int], None]


class ChainVerifier:
    """Recomputes chains from the events tables and compares them with the recorded links
    and the sealed heads."""

    def __init__(self, datastore: PostgresDatastore, seals: Seals):
        self.datastore = datastore
        self.streams = seals.streams
        self.seals = seals
        self._links = sql.Identifier(datastore.schema, "audit_links")

    def _events_table(self, stream: str) -> sql.Identifier:
        return sql.Identifier(self.datastore.schema, f"{stream.lower()}_events")

    def verify_case(self, aggregates: dict[str, list[UUID]]) -> VerificationReport:
        """The chains of one case's aggregates (stream -> ids), so an aggregate whose links
        or events were all deleted is still checked."""
        return self._verify([(s, sorted(set(ids))) for s, ids in sorted(aggregates.items())])

    def verify_all(self, progress: Progress | None = None) -> VerificationReport:
        """Every chain of every stream, streamed from the database."""
        return self._verify([(s, None) for s in self.streams], progress, self.count_events())

    def _verify(
        self,
        targets: list[tuple[str, list[UUID] | None]],
        progress: Progress | None = None,
        total: int = 0,
    ) -> VerificationReport:
        started = perf_counter()
        seal_finding, sealed = self.seals.verify()
        findings = [seal_finding] if seal_finding else []
        events = aggregates = 0
        for stream, ids in targets:
            for aggregate_id, stored, recomputed in self._pairs(stream, ids):
                events += len(recomputed)
                aggregates += 1
                finding = verify_chain(
                    stream,
                    str(aggregate_id),
                    stored,
                    recomputed,
                    sealed.get(f"{stream}:{aggregate_id}"),
                )
                if finding:
                    findings.append(finding)
                if progress is not None and aggregates % 200 == 0:
                    progress(events, total)
        if progress is not None:
            progress(events, total)
        return VerificationReport(
            not findings, events, aggregates, perf_counter() - started, findings
        )

    def count_events(self) -> int:
        total = 0
        with self.datastore.get_connection() as conn:
            for stream in self.streams:
                row = conn.execute(
                    sql.SQL("SELECT count(*) AS n FROM {}").format(self._events_table(stream))
                ).fetchone()
                total += int(row["n"]) if row else 0
        return total

    def _pairs(
        self, stream: str, ids: list[UUID] | None
    ) -> Iterator[tuple[UUID, list[StoredLink], dict[int, tuple[str, str]]]]:
        """Per aggregate (in id order): its recorded links and its events' hashes now."""
        where = sql.SQL("WHERE originator_id = ANY(%s)") if ids is not None else sql.SQL("")
        link_where = sql.SQL("AND aggregate_id = ANY(%s)") if ids is not None else sql.SQL("")
        params = (ids,) if ids is not None else ()
        with (
            self.datastore.get_connection() as events_conn,
            self.datastore.get_connection() as links_conn,
            events_conn.transaction(),
            links_conn.transaction(),
        ):
            events_cursor = events_conn.cursor(name="audit_events")
            events_cursor.itersize = 5000
            events_cursor.execute(
                sql.SQL(
                    "SELECT originator_id, originator_version, topic, sha256(state) AS digest "
                    "FROM {} {} ORDER BY originator_id, originator_version"
                ).format(self._events_table(stream), where),
                params,
            )
            links_cursor = links_conn.cursor(name="audit_links")
            links_cursor.itersize = 5000
            links_cursor.execute(
                sql.SQL(
                    "SELECT aggregate_id, version, event_hash, link FROM {} WHERE stream = %s "
                    "{} ORDER BY aggregate_id, version"
                ).format(self._links, link_where),
                (stream, *params),
            )
            yield from _merge(
                _group(events_cursor, "originator_id"), _group(links_cursor, "aggregate_id")
            )


def _group(cursor: Any, key: str) -> Iterator[tuple[UUID, list[dict[str, Any]]]]:
    current: UUID | None = None
    rows: list[dict[str, Any]] = []
    for row in cursor:
        if row[key] != current:
            if current is not None:
                yield current, rows
            current, rows = row[key], []
        rows.append(row)
    if current is not None:
        yield current, rows


def _merge(
    events: Iterator[tuple[UUID, list[dict[str, Any]]]],
    links: Iterator[tuple[UUID, list[dict[str, Any]]]],
) -> Iterator[tuple[UUID, list[StoredLink], dict[int, tuple[str, str]]]]:
    """Join two id-ordered groupings (a side may lack an aggregate the other has)."""
    event_item = next(events, None)
    link_item = next(links, None)
    while event_item is not None or link_item is not None:
        if link_item is None or (event_item is not None and event_item[0] < link_item[0]):
            assert event_item is not None
            yield event_item[0], [], _hashes(event_item[1])
            event_item = next(events, None)
        elif event_item is None or link_item[0] < event_item[0]:
            yield link_item[0], _links(link_item[1]), {}
            link_item = next(links, None)
        else:
            yield event_item[0], _links(link_item[1]), _hashes(event_item[1])
            event_item, link_item = next(events, None), next(links, None)


def _hashes(rows: list[dict[str, Any]]) -> dict[int, tuple[str, str]]:
    return {int(r["originator_version"]): (str(r["topic"]), bytes(r["digest"]).hex()) for r in rows}


def _links(rows: list[dict[str, Any]]) -> list[StoredLink]:
    return [StoredLink(int(r["version"]), r["event_hash"], r["link"]) for r in rows]


class AuditSeals(Protocol):
    """What the composition root, the CLI and the exports need of the seal stream
    (``Seals``; an in-memory stand-in in tests)."""

    def seal(self) -> Seal | None: ...

    def latest(self) -> Seal | None: ...

    def verify(self) -> tuple[Finding | None, dict[str, tuple[int, str]]]: ...


class ChainChecks(Protocol):
    """What the audit use cases and the CLI need of the chain verifier (``ChainVerifier``)."""

    def verify_case(self, aggregates: dict[str, list[UUID]]) -> VerificationReport: ...

    def verify_all(self, progress: Progress | None = None) -> VerificationReport: ...
