"""The catalogue's index of agencies by place: which agencies of a kind sit at a level in a
territory, kept by the catalogue itself so that routing reads the catalogue's own state
(an agency registered and a service published in one command take applications at once,
whatever a read model has caught up with).

Each (kind, level) has an index aggregate whose id derives from them, saved in the same
transaction as the agencies it lists (one event per save, however many agencies a seed
registers). ``AgencyIndexBuilt`` marks a catalogue whose
index is complete: a database whose agencies were registered before the index existed has
no marker, and the catalogue builds the index from its stored agencies first (once).

(Their topics are stored with the catalogue's events: they must not move or be renamed.)
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.ids import natural_id


class AgencyIndex(Aggregate):
    """The agencies of one kind at one level, by the territory they are located in."""

    class Opened(Aggregate.Created):
        kind: str
        level: str

    class AgenciesListed(Aggregate.Event):
        agencies: list[list[str]]  # [territory, code, id], as saved together

    @staticmethod
    def create_id(kind: str, level: str, **_: Any) -> UUID:
        return natural_id("agency-index", f"{kind}:{level}")

    @event(Opened)
    def __init__(self, kind: str, level: str) -> None:
        self.kind = kind
        self.level = level
        self.places: dict[str, dict[str, UUID]] = {}

    def list_agencies(self, agencies: list[tuple[str, str, UUID]]) -> None:
        """List agencies (territory, code, id) in one event; those listed already are
        left as they are (listing them again changes nothing)."""
        new = [
            [territory, code, str(agency_id)]
            for territory, code, agency_id in agencies
            if code not in self.places.get(territory, {})
        ]
        if new:
            self._listed(agencies=new)

    @event(AgenciesListed)
    def _listed(self, agencies: list[list[str]]) -> None:
        for territory, code, agency_id in agencies:
            self.places.setdefault(territory, {})[code] = UUID(agency_id)

    def located_in(self, territory: str) -> UUID | None:
        """The agency that serves a place it is located in: the one with the first code."""
        here = self.places.get(territory)
        return here[min(here)] if here else None


class AgencyIndexBuilt(Aggregate):
    """Present once every stored agency is listed in the index of its kind and level."""

    class Built(Aggregate.Created):
        agencies: int

    @staticmethod
    def create_id(**_: Any) -> UUID:
        return natural_id("agency-index", "built")

    @event(Built)
    def __init__(self, agencies: int) -> None:
        self.agencies = agencies
