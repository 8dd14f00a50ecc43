"""The catalogue context: territories, agencies, services and the BHM schedule.

One eventsourcing application (events table ``catalogue_events``). Each command loads
what it needs, lets the aggregates decide, and saves once: one transaction per command.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from application.forms import check_form_schema
from application.ports import AgencyDetails
from domain.agency import Agency, AgencyRef
from domain.agency_index import AgencyIndex, AgencyIndexBuilt
from domain.calendar import HolidayCalendar
from domain.context import CommandContext
from domain.errors import (
    AgencyNotFound,
    AlreadyExists,
    ParentAgencyNotFound,
    ServiceNotFound,
    TerritoryNotFound,
)
from domain.fees import BhmSchedule
from domain.quoting import quoted
from domain.service import Service, ServiceTerms
from domain.territory import Territory, ancestor_codes

TAggregate = TypeVar("TAggregate", bound=Aggregate)

# A registration retries this often when a concurrent one listed an agency of its kind.
REGISTRATION_ATTEMPTS = 3


def parse_terms(terms: object) -> ServiceTerms:
    """Service terms from their dict form, with the form schema fully checked."""
    parsed = ServiceTerms.from_dict(terms)
    check_form_schema(parsed.form_schema)
    return parsed


class Catalogue(Application[UUID]):
    """Use cases of the public catalogue (the first form of interactive service)."""

    name = "Catalogue"

    def __init__(self, env: Any = None) -> None:
        super().__init__(env)
        self._agency_index_ready = False

    # --- lookups --------------------------------------------------------------------------

    def find(self, cls: type[TAggregate], aggregate_id: UUID) -> TAggregate | None:
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        assert isinstance(aggregate, cls)
        return aggregate

    def find_territory(self, code: str) -> Territory | None:
        return self.find(Territory, Territory.create_id(code))

    def find_agency(self, code: str) -> Agency | None:
        return self.find(Agency, Agency.create_id(code))

    def find_service(self, code: str) -> Service | None:
        return self.find(Service, Service.create_id(code))

    def find_bhm_schedule(self) -> BhmSchedule | None:
        return self.find(BhmSchedule, BhmSchedule.create_id())

    def get_territory(self, code: str) -> Territory:
        territory = self.find_territory(code)
        if territory is None:
            raise TerritoryNotFound(f"no territory has SOATO code {quoted(code)}")
        return territory

    def get_agency(self, code: str) -> Agency:
        agency = self.find_agency(code)
        if agency is None:
            raise AgencyNotFound(f"no agency has code {quoted(code)}")
        return agency

    def get_service(self, code: str) -> Service:
        service = self.find_service(code)
        if service is None:
            raise ServiceNotFound(f"no service has code {quoted(code)}")
        return service

    # --- territories ----------------------------------------------------------------------

    def register_territory(
        self,
        ctx: CommandContext,
        *,
        code: str,
        level: str,
        parent: str | None,
        names: object,
        effective_from: date,
    ) -> Territory:
        """Register a territory under an existing parent of the level above."""
        if self.find_territory(code) is not None:
            raise AlreadyExists(f"territory {code} is already registered")
        territory = Territory.register(
            code=code,
            level=level,
            parent=self.get_territory(parent) if parent is not None else None,
            names=names,
            effective_from=effective_from,
            meta=ctx.meta(),
        )
        self.save(territory)
        return territory

    def rename_territory(
        self, ctx: CommandContext, *, code: str, names: object, effective_from: date
    ) -> Territory:
        territory = self.get_territory(code)
        territory.rename(names=names, effective_from=effective_from, meta=ctx.meta())
        self.save(territory)
        return territory

    # --- agencies -------------------------------------------------------------------------

    def register_agency(
        self,
        ctx: CommandContext,
        *,
        code: str,
        kind: str,
        level: str,
        territory: str,
        parent: str | None,
        names: object,
        effective_from: date,
    ) -> Agency:
        """Register an agency serving an existing territory under an existing parent."""
        if self.find_agency(code) is not None:
            raise AlreadyExists(f"agency {code} is already registered")
        self.get_territory(territory)
        parent_agency = None
        if parent is not None:
            parent_agency = self.find(Agency, Agency.create_id(parent))
            if parent_agency is None:
                raise ParentAgencyNotFound(
                    f"parent agency {quoted(parent)} of {code} does not exist"
                )
        for attempt in range(1, REGISTRATION_ATTEMPTS + 1):
            agency = Agency.register(
                code=code,
                kind=kind,
                level=level,
                territory=territory,
                parent=parent_agency,
                names=names,
                effective_from=effective_from,
                meta=ctx.meta(),
            )
            try:
                self.save(agency, *self.agency_index_changes([agency]))
            except IntegrityError:
                # Another registration took this code, or listed an agency of this kind.
                if attempt == REGISTRATION_ATTEMPTS or self.find_agency(code) is not None:
                    raise
                continue
            return agency
        raise AssertionError("unreachable")

    def rename_agency(
        self, ctx: CommandContext, *, code: str, names: object, effective_from: date
    ) -> Agency:
        agency = self.get_agency(code)
        agency.rename(names=names, effective_from=effective_from, meta=ctx.meta())
        self.save(agency)
        return agency

    # --- services -------------------------------------------------------------------------

    def publish_service(
        self, ctx: CommandContext, *, code: str, terms: object, effective_from: date
    ) -> Service:
        if self.find_service(code) is not None:
            raise AlreadyExists(f"service {code} is already published")
        service = Service.publish(
            code=code, terms=parse_terms(terms), effective_from=effective_from, meta=ctx.meta()
        )
        self.save(service)
        return service

    def revise_service(
        self, ctx: CommandContext, *, code: str, terms: object, effective_from: date
    ) -> Service:
        service = self.get_service(code)
        service.revise(terms=parse_terms(terms), effective_from=effective_from, meta=ctx.meta())
        self.save(service)
        return service

    def suspend_service(self, ctx: CommandContext, *, code: str, reason: str) -> Service:
        service = self.get_service(code)
        service.suspend(reason=reason, meta=ctx.meta())
        self.save(service)
        return service

    def resume_service(self, ctx: CommandContext, *, code: str) -> Service:
        service = self.get_service(code)
        service.resume(meta=ctx.meta())
        self.save(service)
        return service

    def retire_service(self, ctx: CommandContext, *, code: str, reason: str) -> Service:
        service = self.get_service(code)
        service.retire(reason=reason, meta=ctx.meta())
        self.save(service)
        return service

    # --- the holiday calendar ---------------------------------------------------------------

    def _calendar(self, ctx: CommandContext) -> HolidayCalendar:
        return self.find(HolidayCalendar, HolidayCalendar.create_id()) or HolidayCalendar.open(
            meta=ctx.meta()
        )

    def declare_holiday(self, ctx: CommandContext, *, day: date, names: object) -> HolidayCalendar:
        """Declare a non-working day; open cases' due dates follow (a worker policy)."""
        calendar = self._calendar(ctx)
        calendar.declare_holiday(day=day, names=names, meta=ctx.meta())
        self.save(calendar)
        return calendar

    def withdraw_holiday(self, ctx: CommandContext, *, day: date) -> HolidayCalendar:
        calendar = self._calendar(ctx)
        calendar.withdraw_holiday(day=day, meta=ctx.meta())
        self.save(calendar)
        return calendar

    # --- base calculation amount ----------------------------------------------------------

    def set_bhm_rate(
        self, ctx: CommandContext, *, effective_from: date, amount: int
    ) -> BhmSchedule:
        schedule = self.find_bhm_schedule() or BhmSchedule.open(meta=ctx.meta())
        schedule.set_rate(effective_from=effective_from, amount=amount, meta=ctx.meta())
        self.save(schedule)
        return schedule

    # --- the agency directory (application.ports.AgencyDirectory) -----------------------
    # Read from the catalogue's own aggregates, never from a read model: what a command
    # registered is routed to by the next one.

    def responsible_agency(self, kind: str, level: str, territory: str) -> AgencyRef | None:
        """The agency of ``kind`` at ``level`` located in ``territory`` or its nearest
        ancestor (the first by code when several are): a district service goes to the
        district's body, a regional one to the region's, a republic one to the ministry."""
        self.ensure_agency_index()
        index = self._found(AgencyIndex, AgencyIndex.create_id(kind, level))
        if index is None:
            return None
        for place in reversed(ancestor_codes(territory)):
            agency_id = index.located_in(place)
            if agency_id is not None:
                return self.agency_ref(agency_id)
        return None

    def agency_ref(self, agency_id: UUID) -> AgencyRef | None:
        """An agency as cases refer to it, with its parent's id and code."""
        agency = self._found(Agency, agency_id)
        return self._ref(agency) if agency is not None else None

    def agency_by_code(self, code: str) -> AgencyRef | None:
        agency = self.find_agency(code)
        return self._ref(agency) if agency is not None else None

    def agency_names(self, agency_id: UUID) -> dict[str, str] | None:
        agency = self._found(Agency, agency_id)
        return dict(agency.names) if agency is not None else None

    def agency_details(self, agency_id: UUID) -> AgencyDetails | None:
        """The agency's names with its parent agency's and its territory's, for documents."""
        agency = self._found(Agency, agency_id)
        if agency is None:
            return None
        parent = self._found(Agency, agency.parent_id) if agency.parent_id else None
        territory = self.find_territory(agency.territory)
        return AgencyDetails(
            names=dict(agency.names),
            parent_names=dict(parent.names) if parent is not None else None,
            territory_code=agency.territory,
            territory_names=dict(territory.names) if territory is not None else None,
        )

    def _ref(self, agency: Agency) -> AgencyRef:
        parent = self._found(Agency, agency.parent_id) if agency.parent_id else None
        return AgencyRef(
            agency.id, agency.code, agency.parent_id, parent.code if parent is not None else None
        )

    def _found(self, cls: type[TAggregate], aggregate_id: UUID) -> TAggregate | None:
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, cls) else None

    # --- the agency index -------------------------------------------------------------------

    def agency_index_changes(self, agencies: Iterable[Agency]) -> list[Aggregate]:
        """The index aggregates to save with newly registered ``agencies`` (in the same
        ``save``): their kinds' and levels' indexes and, when the stored agencies predate the index,
        the index of all of them with the marker that it is complete."""
        changed: list[Aggregate] = []
        listed = list(agencies)
        if not self._agency_index_ready:
            if self._found(AgencyIndexBuilt, AgencyIndexBuilt.create_id()) is not None:
                self._agency_index_ready = True
            else:
                stored = self._stored_agencies()
                changed.append(AgencyIndexBuilt(agencies=len(stored)))
                listed = stored + listed
        by_index: dict[tuple[str, str], list[tuple[str, str, UUID]]] = {}
        for agency in listed:
            by_index.setdefault((agency.kind, agency.level), []).append(
                (agency.territory, agency.code, agency.id)
            )
        for (kind, level), entries in by_index.items():
            index = self._found(AgencyIndex, AgencyIndex.create_id(kind, level))
            if index is None:
                index = AgencyIndex(kind, level)
            index.list_agencies(entries)
            if index.pending_events:
                changed.append(index)
        return changed

    def ensure_agency_index(self) -> None:
        """Build the agency index from the stored agencies if this catalogue's agencies
        were registered before it existed (once; a concurrent build by another process
        is taken as it is)."""
        if self._agency_index_ready:
            return
        for attempt in range(1, REGISTRATION_ATTEMPTS + 1):
            changes = self.agency_index_changes([])
            if not changes:
                break
            try:
                self.save(*changes)
            except IntegrityError:
                if attempt == REGISTRATION_ATTEMPTS:
                    raise
                continue
            break
        self._agency_index_ready = True

    def _stored_agencies(self) -> list[Agency]:
        topics = (get_topic(Agency.Registered),)
        ids: list[UUID] = []
        start: int | None = None
        while True:
            batch = self.recorder.select_notifications(
                start, 1000, topics=topics, inclusive_of_start=start is None
            )
            ids.extend(UUID(str(n.originator_id)) for n in batch)
            if len(batch) < 1000:
                break
            start = batch[-1].id
        found = (self._found(Agency, agency_id) for agency_id in dict.fromkeys(ids))
        return [agency for agency in found if agency is not None]
