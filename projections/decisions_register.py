"""The decisions register: every decision's number, agency, service, outcome and hashes.

No personal data: integrators and auditors page through it, the public verifies one entry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from psycopg.sql import SQL, Composable

from application.read_models.cases import DecisionEntry
from domain.decision import Decision
from projections.declared import Changes, DeclaredProjection, Insert, Update, Value, const, field
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


def _document(kind: str) -> Value:
    return lambda e: e.documents.get(kind)


class DecisionsRegisterProjection(DeclaredProjection[DecisionsRegisterView]):
    name = "decisions_register"
    changes: ClassVar[Changes] = {
        Decision.Issued: Insert(
            "decisions_register",
            {
                "registration_number": field("registration_number"),
                "decision_id": field("originator_id"),
                "application_id": field("application_id"),
                "agency_code": field("agency_code"),
                "service_code": field("service_code"),
                "service_version": field("service_version"),
                "outcome": field("outcome"),
                "status": const("valid"),
                "decided_at": field("decided_at", datetime.fromisoformat),
                "pdf_sha256": _document("pdf"),
                "html_sha256": _document("html"),
            },
        ),
        Decision.Revoked: Update(
            "decisions_register", {"status": const("revoked")}, key="decision_id", touch=False
        ),
    }
