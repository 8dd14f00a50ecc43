"""The catalogue's index of agencies by place: which agencies of a kind sit at a level in a
territory, kept by the catalogue itself so that routing reads the catalogue's own state
(an agency registered and a service published in one command take applications at once,
whatever a read model has caught up with).

Each place's index is an aggregate whose id derives from (kind, level, territory), saved in
the same transaction as the agency it lists. ``AgencyIndexBuilt`` marks a catalogue whose
index is complete: a database whose agencies were registered before the index existed has
no marker, and the catalogue builds the index from its stored agencies first (once).

(These aggregates are kept in ``application``: their topics are stored with the
catalogue's events, so they must not move or be renamed.)
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.ids import natural_id


class AgencyPlace(Aggregate):
    """The agencies of one kind at one level located in one territory, by code."""

    class Opened(Aggregate.Created):
        kind: str
        level: str
        territory: str

    class AgencyListed(Aggregate.Event):
        code: str
        agency_id: UUID

    @staticmethod
    def create_id(kind: str, level: str, territory: str, **_: Any) -> UUID:
        return natural_id("agency-places", f"{kind}:{level}:{territory}")

    @event(Opened)
    def __init__(self, kind: str, level: str, territory: str) -> None:
        self.kind = kind
        self.level = level
        self.territory = territory
        self.agencies: dict[str, UUID] = {}

    def list_agency(self, code: str, agency_id: UUID) -> None:
        """List an agency here (once: listing it again changes nothing)."""
        if code not in self.agencies:
            self._listed(code=code, agency_id=agency_id)

    @event(AgencyListed)
    def _listed(self, code: str, agency_id: UUID) -> None:
        self.agencies[code] = agency_id

    def first(self) -> UUID | None:
        """The agency that serves this place: the one with the first code."""
        return self.agencies[min(self.agencies)] if self.agencies else None


class AgencyIndexBuilt(Aggregate):
    """Present once every stored agency is listed in its place's index."""

    class Built(Aggregate.Created):
        agencies: int

    @staticmethod
    def create_id(**_: Any) -> UUID:
        return natural_id("agency-index", "built")

    @event(Built)
    def __init__(self, agencies: int) -> None:
        self.agencies = agencies
