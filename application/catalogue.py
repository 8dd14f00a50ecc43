"""The catalogue context: territories, agencies, services and the BHM schedule.

One eventsourcing application (events table ``catalogue_events``). Each command loads
what it needs, lets the aggregates decide, and saves once: one transaction per command.
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate

from application.forms import check_form_schema
from domain.agency import Agency
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
from domain.service import Service, ServiceTerms
from domain.territory import Territory

TAggregate = TypeVar("TAggregate", bound=Aggregate)


def parse_terms(terms: object) -> ServiceTerms:
    """Service terms from their dict form, with the form schema fully checked."""
    parsed = ServiceTerms.from_dict(terms)
    check_form_schema(parsed.form_schema)
    return parsed


class Catalogue(Application[UUID]):
    """Use cases of the public catalogue (the first form of interactive service)."""

    name = "Catalogue"

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
            raise TerritoryNotFound(f"no territory has SOATO code {code!r}")
        return territory

    def get_agency(self, code: str) -> Agency:
        agency = self.find_agency(code)
        if agency is None:
            raise AgencyNotFound(f"no agency has code {code!r}")
        return agency

    def get_service(self, code: str) -> Service:
        service = self.find_service(code)
        if service is None:
            raise ServiceNotFound(f"no service has code {code!r}")
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
                raise ParentAgencyNotFound(f"parent agency {parent!r} of {code} does not exist")
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
        self.save(agency)
        return agency

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
