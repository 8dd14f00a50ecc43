"""The notification outbox: one notice per status change of an appeal or an inter-agency
request, per recipient.

Notices are written with the tracking position in one transaction and keyed by
(aggregate, version, recipient), so a replay or a restart never writes one twice. A worker
hands unsent notices to the notifier port and marks them sent.

Recipients: the appellant (by pseudonym) for every change of their appeal; the agency an
appeal was filed with or escalated to; the receiving agency of a request (and its parent on
escalation); the requesting agency when its request is answered or refused.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection
from psycopg import Cursor
from psycopg.rows import DictRow

from application.ports import Notice
from domain.appeal import Appeal
from domain.inter_agency import InterAgencyRequest
from projections.tracked_view import TrackedView, Writer

CITIZEN, AGENCY = "citizen", "agency"
APPEAL, REQUEST = "appeal", "inter_agency_request"


class NotificationsView(TrackedView):
    table_names = ("notifications", "notification_subjects")
    table_statements = (
        """CREATE TABLE IF NOT EXISTS {schema}.notifications (
            id bigserial PRIMARY KEY,
            dedupe_key text NOT NULL UNIQUE,
            recipient_kind text NOT NULL,
            recipient text NOT NULL,
            subject_kind text NOT NULL,
            subject_id uuid NOT NULL,
            number text NOT NULL,
            status text NOT NULL,
            created_at timestamptz NOT NULL,
            sent_at timestamptz)""",
        """CREATE INDEX IF NOT EXISTS notifications_unsent_idx
            ON {schema}.notifications (id) WHERE sent_at IS NULL""",
        """CREATE TABLE IF NOT EXISTS {schema}.notification_subjects (
            id uuid PRIMARY KEY,
            kind text NOT NULL,
            number text NOT NULL,
            citizen text,
            agency text NOT NULL,
            requesting_agency text)""",
    )

    def subject(
        self,
        e: Any,
        kind: str,
        number: str,
        *,
        citizen: str | None,
        agency: str,
        requesting_agency: str | None = None,
    ) -> Writer:
        return self.write(
            """INSERT INTO {schema}.notification_subjects VALUES (%s, %s, %s, %s, %s, %s)
               ON CONFLICT (id) DO NOTHING""",
            (e.originator_id, kind, number, citizen, agency, requesting_agency),
        )

    def notify(self, e: Any, status: str, *recipients: str) -> Writer:
        """Notices of this change (``recipients``: 'citizen', 'agency', 'requesting_agency',
        or an agency code), resolved from what the subject's creation recorded."""

        def write(curs: Cursor[DictRow]) -> None:
            row = curs.execute(
                self.sql("SELECT * FROM {schema}.notification_subjects WHERE id = %s"),
                (e.originator_id,),
            ).fetchone()
            if row is None:
                return
            for recipient in recipients:
                kind, to = (
                    (CITIZEN, row["citizen"])
                    if recipient == "citizen"
                    else (AGENCY, row.get(recipient) or recipient)
                )
                if not to:
                    continue
                curs.execute(
                    self.sql(
                        """INSERT INTO {schema}.notifications (dedupe_key, recipient_kind,
                           recipient, subject_kind, subject_id, number, status, created_at)
                           VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
                           ON CONFLICT (dedupe_key) DO NOTHING"""
                    ),
                    (
                        f"{e.originator_id}:{e.originator_version}:{kind}:{to}",
                        kind,
                        to,
                        row["kind"],
                        e.originator_id,
                        row["number"],
                        status,
                        e.timestamp,
                    ),
                )

        return write

    # --- the outbox --------------------------------------------------------------------------

    def unsent(self, limit: int = 100) -> list[Notice]:
        rows = self.fetch_all(
            """SELECT id, recipient_kind, recipient, subject_kind, subject_id, number, status,
               created_at FROM {schema}.notifications WHERE sent_at IS NULL ORDER BY id
               LIMIT %s""",
            (limit,),
        )
        return [Notice(**r) for r in rows]

    def mark_sent(self, notice_id: int, at: datetime) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                self.sql("UPDATE {schema}.notifications SET sent_at = %s WHERE id = %s"),
                (at, notice_id),
            )

    def for_subject(self, subject_id: UUID) -> list[Notice]:
        rows = self.fetch_all(
            """SELECT id, recipient_kind, recipient, subject_kind, subject_id, number, status,
               created_at FROM {schema}.notifications WHERE subject_id = %s ORDER BY id""",
            (subject_id,),
        )
        return [Notice(**r) for r in rows]


class NotificationsProjection(Projection[NotificationsView]):
    name = "notifications"

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.apply(tracking)

    @process_event.register
    def _filed(self, e: Appeal.Filed, tracking: Tracking) -> None:
        self.view.apply(
            tracking,
            self.view.subject(e, APPEAL, e.number, citizen=e.applicant_ref, agency=e.agency_code),
            self.view.notify(e, e.status, "citizen", "agency"),
        )

    @process_event.register
    def _extended(self, e: Appeal.Extended, tracking: Tracking) -> None:
        self.view.apply(tracking, self.view.notify(e, "extended", "citizen"))

    @process_event.register
    def _answered(self, e: Appeal.Answered, tracking: Tracking) -> None:
        self.view.apply(tracking, self.view.notify(e, e.status, "citizen"))

    @process_event.register
    def _escalated(self, e: Appeal.Escalated, tracking: Tracking) -> None:
        self.view.apply(
            tracking, self.view.notify(e, e.status, "citizen", "agency", e.to_agency_code)
        )

    @process_event.register
    def _requested(self, e: InterAgencyRequest.Requested, tracking: Tracking) -> None:
        self.view.apply(
            tracking,
            self.view.subject(
                e,
                REQUEST,
                e.number,
                citizen=None,
                agency=e.to_agency_code,
                requesting_agency=e.from_agency_code,
            ),
            self.view.notify(e, e.status, "agency"),
        )

    @process_event.register
    def _request_answered(self, e: InterAgencyRequest.Answered, tracking: Tracking) -> None:
        self.view.apply(tracking, self.view.notify(e, e.status, "requesting_agency"))

    @process_event.register
    def _request_refused(self, e: InterAgencyRequest.Refused, tracking: Tracking) -> None:
        self.view.apply(tracking, self.view.notify(e, e.status, "requesting_agency"))

    @process_event.register
    def _request_escalated(self, e: InterAgencyRequest.Escalated, tracking: Tracking) -> None:
        self.view.apply(
            tracking,
            self.view.notify(e, e.status, "agency", "requesting_agency", e.to_agency_code),
        )
