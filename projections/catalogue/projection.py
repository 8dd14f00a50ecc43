"""Event handlers of the catalogue read model."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from application.read_models.catalogue import AgencyRow
from domain.agency import Agency
from domain.fees import DEFAULT_CURRENCY, BhmSchedule
from domain.service import ACTIVE, RETIRED, SUSPENDED, Service
from domain.territory import Territory
from projections.catalogue.view import CatalogueView


class CatalogueProjection(Projection[CatalogueView]):
    """Follows the Catalogue application's events into the catalogue tables."""

    name = "catalogue"

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Events the catalogue does not show only move the tracking position."""
        self.view.apply(tracking)

    @process_event.register
    def _territory_registered(self, e: Territory.Registered, tracking: Tracking) -> None:
        self.view.apply(
            tracking,
            self.view.upsert_territory(
                e.originator_id,
                e.code,
                e.level,
                e.parent,
                e.names,
                date.fromisoformat(e.effective_from),
                e.timestamp,
            ),
        )

    @process_event.register
    def _territory_renamed(self, e: Territory.Renamed, tracking: Tracking) -> None:
        self.view.apply(
            tracking,
            self.view.rename_territory(
                e.originator_id, e.names, date.fromisoformat(e.effective_from), e.timestamp
            ),
        )

    @process_event.register
    def _agency_registered(self, e: Agency.Registered, tracking: Tracking) -> None:
        row = AgencyRow(e.originator_id, e.code, e.kind, e.level, e.territory, e.parent_id, e.names)
        self.view.apply(
            tracking,
            self.view.upsert_agency(row, date.fromisoformat(e.effective_from), e.timestamp),
        )

    @process_event.register
    def _agency_renamed(self, e: Agency.Renamed, tracking: Tracking) -> None:
        self.view.apply(
            tracking,
            self.view.rename_agency(
                e.originator_id, e.names, date.fromisoformat(e.effective_from), e.timestamp
            ),
        )

    @process_event.register
    def _service_published(self, e: Service.Published, tracking: Tracking) -> None:
        since = date.fromisoformat(e.effective_from)
        self.view.apply(
            tracking,
            self.view.publish_service(e.originator_id, e.code, e.terms, since, e.timestamp),
            self.view.record_service_change(
                e.originator_id,
                e.originator_version,
                "published",
                at=e.timestamp,
                since=since,
                terms=e.terms,
            ),
        )

    @process_event.register
    def _service_revised(self, e: Service.Revised, tracking: Tracking) -> None:
        since = date.fromisoformat(e.effective_from)
        self.view.apply(
            tracking,
            self.view.revise_service(e.originator_id, e.terms, since, e.timestamp),
            self.view.record_service_change(
                e.originator_id,
                e.originator_version,
                "revised",
                at=e.timestamp,
                since=since,
                terms=e.terms,
            ),
        )

    @process_event.register
    def _service_suspended(self, e: Service.Suspended, tracking: Tracking) -> None:
        self._status(e, tracking, SUSPENDED, "suspended", e.reason)

    @process_event.register
    def _service_resumed(self, e: Service.Resumed, tracking: Tracking) -> None:
        self._status(e, tracking, ACTIVE, "resumed", None)

    @process_event.register
    def _service_retired(self, e: Service.Retired, tracking: Tracking) -> None:
        self._status(e, tracking, RETIRED, "retired", e.reason)

    @process_event.register
    def _bhm_rate_set(self, e: BhmSchedule.RateSet, tracking: Tracking) -> None:
        self.view.apply(
            tracking,
            self.view.set_bhm_rate(
                date.fromisoformat(e.effective_from), e.amount, DEFAULT_CURRENCY, e.timestamp
            ),
        )

    def _status(
        self, e: Any, tracking: Tracking, status: str, change: str, reason: str | None
    ) -> None:
        self.view.apply(
            tracking,
            self.view.set_service_status(e.originator_id, status, e.timestamp),
            self.view.record_service_change(
                e.originator_id, e.originator_version, change, at=e.timestamp, reason=reason
            ),
        )
