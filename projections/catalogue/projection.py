"""Event handlers of the catalogue read model."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking

from domain.agency import Agency
from domain.fees import BhmSchedule
from domain.service import ACTIVE, RETIRED, SUSPENDED, Service
from domain.territory import Territory
from projections.catalogue.view import CatalogueView
from projections.catalogue.writes import (
    AGENCY_ROW,
    BHM_RATE_ROW,
    TERRITORY_RECLASSIFIED,
    TERRITORY_ROW,
    ServiceHistory,
    TerritoryRenamed,
    renamed,
    service_status,
)
from projections.declared import Changes, DeclaredProjection


class CatalogueProjection(DeclaredProjection[CatalogueView]):
    """Follows the Catalogue application's events into the catalogue tables."""

    name = "catalogue"
    changes: ClassVar[Changes] = {
        Territory.Registered: TERRITORY_ROW,
        Territory.Renamed: TerritoryRenamed(),
        Territory.Reclassified: TERRITORY_RECLASSIFIED,
        Agency.Registered: AGENCY_ROW,
        Agency.Renamed: renamed("catalogue_agencies"),
        Service.Suspended: (
            service_status(SUSPENDED),
            ServiceHistory("suspended", with_reason=True),
        ),
        Service.Resumed: (service_status(ACTIVE), ServiceHistory("resumed")),
        Service.Retired: (service_status(RETIRED), ServiceHistory("retired", with_reason=True)),
        BhmSchedule.RateSet: BHM_RATE_ROW,
    }

    @singledispatchmethod
    def process_other(self, domain_event: Any, tracking: Tracking) -> None:
        """Events the catalogue does not show only move the tracking position."""
        self.view.apply(tracking)

    # A service's publication and revision derive its columns and its search words from
    # its terms, and a revision counts the row's version up: written by the view.

    @process_other.register
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

    @process_other.register
    def _bhm_rate_withdrawn(self, e: BhmSchedule.RateWithdrawn, tracking: Tracking) -> None:
        since = date.fromisoformat(e.effective_from)
        self.view.apply(tracking, self.view.withdraw_bhm_rate(since))

    @process_other.register
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
