"""The latest payment attempt of each application, from the payments' own events: what the
citizen's list of applications shows as the fee's state (``GET /v1/applications``).

It follows the payments' log (the cases' log only knows that a payment succeeded); the
citizen's applications view joins this table by application id.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from domain.payment import Payment
from projections.tracked_view import TrackedView, Writer


class CitizenPaymentsView(TrackedView):
    table_names = ("citizen_payments",)
    table_statements = (
        """CREATE TABLE IF NOT EXISTS {schema}.citizen_payments (
            application_id uuid PRIMARY KEY,
            payment_id uuid NOT NULL UNIQUE,
            attempt integer NOT NULL,
            status text NOT NULL,
            updated_at timestamptz NOT NULL)""",
    )

    def requested(self, e: Payment.Requested) -> Writer:
        """A new attempt replaces an earlier one (attempts are numbered from 1)."""
        return self.write(
            """INSERT INTO {schema}.citizen_payments AS p
               (application_id, payment_id, attempt, status, updated_at)
               VALUES (%s, %s, %s, 'requested', %s)
               ON CONFLICT (application_id) DO UPDATE SET payment_id = excluded.payment_id,
                 attempt = excluded.attempt, status = excluded.status,
                 updated_at = excluded.updated_at
               WHERE p.attempt < excluded.attempt""",
            (e.application_id, e.originator_id, e.attempt, e.timestamp),
        )

    def status_changed(self, payment_id: Any, at: Any, *, status: str) -> Writer:
        return self.update_row("citizen_payments", "payment_id", payment_id, at, status=status)


class CitizenPaymentsProjection(Projection[CitizenPaymentsView]):
    name = "citizen_payments"

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Every other payment event carries the status it leads to (corrections too)."""
        self.view.follow_status(domain_event, tracking, self.view.status_changed)

    @process_event.register
    def _requested(self, e: Payment.Requested, tracking: Tracking) -> None:
        self.view.apply(tracking, self.view.requested(e))
