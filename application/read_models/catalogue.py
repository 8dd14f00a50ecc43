"""The catalogue's read model: territories, agencies and services as the public pages and
the API list and search them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from application.pagination import Page
from domain.fees import BhmRates


@dataclass(frozen=True)
class FormerName:
    """Names a territory had, until the day its next names took effect."""

    names: dict[str, str]
    until: date


@dataclass(frozen=True)
class TerritoryRow:
    code: str
    level: str
    parent: str | None
    names: dict[str, str]
    former_names: tuple[FormerName, ...] = ()


@dataclass(frozen=True)
class AgencyRow:
    id: UUID
    code: str
    kind: str
    level: str
    territory: str
    parent_id: UUID | None
    names: dict[str, str]


@dataclass(frozen=True)
class ServiceRow:
    id: UUID
    code: str
    status: str
    version: int
    effective_from: date
    terms: dict[str, Any]
    published_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class BhmRateRow:
    """A BHM rate from its date, with the act that set it (``None``: not verified)."""

    effective_from: date
    amount: int
    currency: str
    source: dict[str, Any] | None


@dataclass(frozen=True)
class ServiceChange:
    change: str  # published | revised | suspended | resumed | retired
    version: int
    effective_from: date | None
    reason: str | None
    recorded_at: datetime


@dataclass(frozen=True)
class ServiceFilter:
    text: str | None = None
    agency: str | None = None  # agency code or id
    forms: tuple[int, ...] = ()
    jurisdiction: str | None = None
    territory: str | None = None  # SOATO code: services available to its residents
    category: str | None = None
    statuses: tuple[str, ...] = ("active", "suspended")


class CatalogueReadModel(Protocol):
    """What the public catalogue pages and endpoints read."""

    def get_territory(self, code: str) -> TerritoryRow | None: ...

    def list_territories(
        self,
        *,
        level: str | None = None,
        parent: str | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> Page[TerritoryRow]: ...

    def all_territories(self) -> list[TerritoryRow]: ...

    def search_territories(
        self, text: str, *, level: str | None = None, limit: int = 100
    ) -> list[TerritoryRow]:
        """Territories whose current or former names hold every word of ``text`` (any of
        the four languages and scripts), best match first."""
        ...

    def get_agency(self, key: str) -> AgencyRow | None: ...

    def find_agencies(
        self,
        *,
        kind: str | None = None,
        level: str | None = None,
        serving: str | None = None,
        within: str | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> Page[AgencyRow]: ...

    def agency_children(self, agency_id: UUID) -> list[AgencyRow]: ...

    def agencies_by_id(self, ids: list[UUID]) -> dict[UUID, AgencyRow]: ...

    def has_agency_code(self, code: str) -> bool: ...

    def agency_names(self, agency_id: UUID) -> dict[str, str] | None: ...

    def get_service(self, code: str) -> ServiceRow | None: ...

    def service_history(self, service_id: UUID) -> list[ServiceChange]: ...

    def service_terms_version(self, service_id: UUID, version: int) -> dict[str, Any] | None: ...

    def list_services(
        self, filters: ServiceFilter, *, cursor: str | None = None, limit: int = 20
    ) -> Page[ServiceRow]: ...

    def bhm_rates(self) -> BhmRates: ...

    def bhm_rate_rows(self) -> list[BhmRateRow]: ...
