"""The decisions register: every decision's number, agency, service, outcome and hashes.

No personal data: integrators and auditors page through it, the public verifies one entry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection
from psycopg.sql import SQL, Composable

from application.read_models.cases import DecisionEntry
from domain.decision import Decision
from projections.pagination import Page, decode_cursor, encode_cursor
from projections.tracked_view import TrackedView


class DecisionsRegisterView(TrackedView):
    table_names = ("decisions_register",)
    table_statements = (
        """CREATE TABLE IF NOT EXISTS {schema}.decisions_register (
            registration_number text PRIMARY KEY,
            decision_id uuid NOT NULL UNIQUE,
            application_id uuid NOT NULL,
            agency_code text NOT NULL,
            service_code text NOT NULL,
            service_version integer NOT NULL,
            outcome text NOT NULL,
            status text NOT NULL,
            decided_at timestamptz NOT NULL,
            pdf_sha256 text,
            html_sha256 text)""",
        """CREATE INDEX IF NOT EXISTS decisions_register_agency_idx
            ON {schema}.decisions_register (agency_code, decided_at DESC)""",
    )
    _columns = (
        "registration_number, decision_id, application_id, agency_code, service_code, "
        "service_version, outcome, status, decided_at, pdf_sha256, html_sha256"
    )

    def entries(
        self,
        *,
        agency: str | None = None,
        service: str | None = None,
        outcome: str | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Page[DecisionEntry]:
        """Newest first."""
        key = decode_cursor(cursor, expect=("decided_at", "registration_number"))
        conditions: list[Composable] = [SQL("TRUE")]
        params: dict[str, Any] = {"limit": limit + 1}
        for name, value in (
            ("agency_code", agency),
            ("service_code", service),
            ("outcome", outcome),
        ):
            if value is not None:
                conditions.append(SQL(f"{name} = %({name})s"))
                params[name] = value
        if key is not None:
            conditions.append(
                SQL("(decided_at, registration_number) < (%(at)s::timestamptz, %(rn)s)")
            )
            params.update(at=key["decided_at"], rn=key["registration_number"])
        query = SQL(
            "SELECT {columns} FROM {table} WHERE {where} "
            "ORDER BY decided_at DESC, registration_number DESC LIMIT %(limit)s"
        ).format(
            columns=SQL(self._columns),
            table=self.table("decisions_register"),
            where=SQL(" AND ").join(conditions),
        )
        items = [DecisionEntry(**row) for row in self.fetch_all(query, params)]
        if len(items) > limit:
            last = items[limit - 1]
            next_key = {
                "decided_at": last.decided_at.isoformat(),
                "registration_number": last.registration_number,
            }
            return Page(items[:limit], encode_cursor(next_key))
        return Page(items, None)


class DecisionsRegisterProjection(Projection[DecisionsRegisterView]):
    name = "decisions_register"

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.apply(tracking)

    @process_event.register
    def _issued(self, e: Decision.Issued, tracking: Tracking) -> None:
        self.view.apply(
            tracking,
            self.view.write(
                """INSERT INTO {schema}.decisions_register (registration_number, decision_id,
                   application_id, agency_code, service_code, service_version, outcome,
                   status, decided_at, pdf_sha256, html_sha256)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, 'valid', %s, %s, %s)
                   ON CONFLICT DO NOTHING""",
                (
                    e.registration_number,
                    e.originator_id,
                    e.application_id,
                    e.agency_code,
                    e.service_code,
                    e.service_version,
                    e.outcome,
                    datetime.fromisoformat(e.decided_at),
                    e.documents.get("pdf"),
                    e.documents.get("html"),
                ),
            ),
        )

    @process_event.register
    def _revoked(self, e: Decision.Revoked, tracking: Tracking) -> None:
        self.view.apply(
            tracking,
            self.view.write(
                "UPDATE {schema}.decisions_register SET status = 'revoked' WHERE decision_id = %s",
                (e.originator_id,),
            ),
        )
