"""The catalogue's read model answered from the catalogue application's own state (its
aggregates, found by code), for tests on in-memory persistence. Lookups by code or id are
real; the listings and the service rows (which the projection builds from the services'
terms) are minimal: empty pages, no service rows, no BHM rates."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from application.catalogue import Catalogue
from application.pagination import Page
from application.read_models.catalogue import (
    AgencyRow,
    BhmRateRow,
    ServiceChange,
    ServiceFilter,
    ServiceRow,
    TerritoryRow,
)
from domain.agency import Agency
from domain.fees import BhmRates


class CatalogueFromApplication:
    """``attach`` gives it the catalogue once the composition root has built it."""

    def __init__(self, catalogue: Catalogue | None = None) -> None:
        self._catalogue = catalogue

    def attach(self, catalogue: Catalogue) -> None:
        self._catalogue = catalogue

    @property
    def catalogue(self) -> Catalogue:
        assert self._catalogue is not None, "attach the catalogue first"
        return self._catalogue

    @staticmethod
    def _agency_row(agency: Agency) -> AgencyRow:
        return AgencyRow(
            id=agency.id,
            code=agency.code,
            kind=agency.kind,
            level=agency.level,
            territory=agency.territory,
            parent_id=agency.parent_id,
            names=dict(agency.names),
        )

    def get_territory(self, code: str) -> TerritoryRow | None:
        territory = self.catalogue.find_territory(code)
        if territory is None:
            return None
        return TerritoryRow(
            territory.code, territory.level, territory.parent, dict(territory.names)
        )

    def list_territories(
        self,
        *,
        level: str | None = None,
        parent: str | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> Page[TerritoryRow]:
        return Page([], None)

    def all_territories(self) -> list[TerritoryRow]:
        return []

    def search_territories(
        self, text: str, *, level: str | None = None, limit: int = 100
    ) -> list[TerritoryRow]:
        return []

    def get_agency(self, key: str) -> AgencyRow | None:
        agency = self.catalogue.find_agency(key)
        if agency is None:
            try:
                agency = self.catalogue.find(Agency, UUID(key))
            except ValueError:
                return None
        return self._agency_row(agency) if agency is not None else None

    def find_agencies(
        self,
        *,
        kind: str | None = None,
        level: str | None = None,
        serving: str | None = None,
        within: str | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> Page[AgencyRow]:
        return Page([], None)

    def agency_children(self, agency_id: UUID) -> list[AgencyRow]:
        return []

    def agencies_by_id(self, ids: list[UUID]) -> dict[UUID, AgencyRow]:
        found = {i: self.catalogue.find(Agency, i) for i in ids}
        return {i: self._agency_row(a) for i, a in found.items() if a is not None}

    def has_agency_code(self, code: str) -> bool:
        return self.catalogue.find_agency(code) is not None

    def agency_names(self, agency_id: UUID) -> dict[str, str] | None:
        return self.catalogue.agency_names(agency_id)

    def get_service(self, code: str) -> ServiceRow | None:
        return None

    def service_history(self, service_id: UUID) -> list[ServiceChange]:
        return []

    def service_terms_version(self, service_id: UUID, version: int) -> dict[str, Any] | None:
        return None

    def list_services(
        self, filters: ServiceFilter, *, cursor: str | None = None, limit: int = 20
    ) -> Page[ServiceRow]:
        return Page([], None)

    def bhm_rates(self) -> BhmRates:
        return BhmRates(())

    def bhm_rate_rows(self) -> list[BhmRateRow]:
        return []
