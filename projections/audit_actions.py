"""The audit index: who did what, and which aggregates make up each case.

Every recorded command is indexed by actor. Officers, administrators, the system and
providers appear under their own ids; citizens, whose id is their PINFL, appear under their
pseudonym (``citizen:<applicant_ref>``).

Each created aggregate of a case (the application, its tracking index, its decision, its
payment attempts and their provider indexes) is recorded as a member of the case as it is
written, so an auditor can verify a case whose stored events no longer decode, or were
deleted, without loading it first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection
from psycopg import Cursor
from psycopg.rows import DictRow

from domain.identity import CITIZEN
from projections.pagination import Page, decode_cursor, encode_cursor
from projections.tracked_view import TrackedView


@dataclass(frozen=True)
class Action:
    id: int
    actor: str
    role: str
    stream: str
    aggregate_id: UUID
    version: int
    type: str
    correlation_id: str
    at: datetime


class AuditActionsView(TrackedView):
    table_names = ("audit_actions", "audit_citizen_refs", "case_members")
    table_statements = (
        """CREATE TABLE IF NOT EXISTS {schema}.audit_actions (
            id bigserial PRIMARY KEY,
            actor text NOT NULL,
            role text NOT NULL,
            stream text NOT NULL,
            aggregate_id uuid NOT NULL,
            version bigint NOT NULL,
            type text NOT NULL,
            correlation_id text NOT NULL,
            at timestamptz NOT NULL,
            UNIQUE (stream, aggregate_id, version))""",
        """CREATE INDEX IF NOT EXISTS audit_actions_actor_idx
            ON {schema}.audit_actions (actor, id)""",
        """CREATE TABLE IF NOT EXISTS {schema}.audit_citizen_refs (
            aggregate_id uuid PRIMARY KEY,
            applicant_ref text NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS {schema}.case_members (
            stream text NOT NULL,
            aggregate_id uuid NOT NULL,
            case_id uuid NOT NULL,
            PRIMARY KEY (stream, aggregate_id))""",
        """CREATE INDEX IF NOT EXISTS case_members_case_idx
            ON {schema}.case_members (case_id)""",
    )

    def record(self, tracking: Tracking, e: Any) -> None:
        meta = getattr(e, "meta", None) or {}
        stream = tracking.application_name

        def write(curs: Cursor[DictRow]) -> None:
            if e.originator_version == 1:
                self._join_case(curs, stream, e)
            if getattr(e, "applicant_ref", None):
                curs.execute(
                    self.sql(
                        "INSERT INTO {schema}.audit_citizen_refs VALUES (%s, %s) "
                        "ON CONFLICT DO NOTHING"
                    ),
                    (e.originator_id, e.applicant_ref),
                )
            if not meta.get("actor"):
                return
            actor = str(meta["actor"])
            if meta.get("role") == CITIZEN and meta.get("actor_ref"):
                actor = f"citizen:{meta['actor_ref']}"
            elif meta.get("role") == CITIZEN:  # events recorded before pseudonyms in meta
                row = curs.execute(
                    self.sql(
                        "SELECT applicant_ref FROM {schema}.audit_citizen_refs "
                        "WHERE aggregate_id = %s OR aggregate_id = %s LIMIT 1"
                    ),
                    (e.originator_id, getattr(e, "application_id", e.originator_id)),
                ).fetchone()
                actor = f"citizen:{row['applicant_ref']}" if row else "citizen:unknown"
            curs.execute(
                self.sql(
                    "INSERT INTO {schema}.audit_actions (actor, role, stream, aggregate_id, "
                    "version, type, correlation_id, at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
                    "ON CONFLICT DO NOTHING"
                ),
                (
                    actor,
                    str(meta.get("role", "")),
                    stream,
                    e.originator_id,
                    e.originator_version,
                    type(e).__qualname__,
                    str(meta.get("correlation_id", "")),
                    e.timestamp,
                ),
            )

        self.apply(tracking, write)

    def _join_case(self, curs: Cursor[DictRow], stream: str, e: Any) -> None:
        """A created aggregate joins the case it names: by ``application_id``, through the
        payment a provider index points to, or as the application itself."""
        case_id = getattr(e, "application_id", None)
        payment_id = getattr(e, "payment_id", None)
        if case_id is None and payment_id is not None:
            row = curs.execute(
                self.sql(
                    "SELECT case_id FROM {schema}.case_members "
                    "WHERE stream = %s AND aggregate_id = %s"
                ),
                (stream, payment_id),
            ).fetchone()
            case_id = row["case_id"] if row else None
        if case_id is None and type(e).__module__ == "domain.service_application":
            case_id = e.originator_id
        if case_id is not None:
            curs.execute(
                self.sql(
                    "INSERT INTO {schema}.case_members VALUES (%s, %s, %s) ON CONFLICT DO NOTHING"
                ),
                (stream, e.originator_id, case_id),
            )

    def members(self, case_id: UUID) -> dict[str, list[UUID]]:
        """The aggregates recorded as a case's members, by stream."""
        rows = self.fetch_all(
            "SELECT stream, aggregate_id FROM {schema}.case_members WHERE case_id = %s "
            "ORDER BY stream, aggregate_id",
            (case_id,),
        )
        found: dict[str, list[UUID]] = {}
        for row in rows:
            found.setdefault(row["stream"], []).append(row["aggregate_id"])
        return found

    def case_of(self, aggregate_id: UUID) -> UUID | None:
        row = self.fetch_one(
            "SELECT case_id FROM {schema}.case_members WHERE aggregate_id = %s LIMIT 1",
            (aggregate_id,),
        )
        return row["case_id"] if row else None

    def actions(self, actor: str, *, cursor: str | None = None, limit: int = 50) -> Page[Action]:
        key = decode_cursor(cursor, expect=("after",))
        rows = self.fetch_all(
            """SELECT id, actor, role, stream, aggregate_id, version, type, correlation_id, at
               FROM {schema}.audit_actions WHERE actor = %s AND id > %s ORDER BY id LIMIT %s""",
            (actor, int(key["after"]) if key else 0, limit + 1),
        )
        items = [Action(**row) for row in rows]
        if len(items) > limit:
            return Page(items[:limit], encode_cursor({"after": items[limit - 1].id}))
        return Page(items, None)


class AuditActionsProjection(Projection[AuditActionsView]):
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.record(tracking, domain_event)


class CasesAuditActions(AuditActionsProjection):
    name = "audit_actions_cases"


class PaymentsAuditActions(AuditActionsProjection):
    name = "audit_actions_payments"


class CatalogueAuditActions(AuditActionsProjection):
    name = "audit_actions_catalogue"
