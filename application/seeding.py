"""Seeding the catalogue's reference data, idempotently.

Ids are derived from natural codes, so a second run finds every aggregate and changes
nothing; a run after the data changed renames or revises only what differs. Everything a
run changes is saved in one transaction.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.agency_tree import (
    GOVERNMENT_KIND,
    AgencyKindSpec,
    AgencySpec,
    FormerNames,
    TerritorySpec,
    expand_agencies,
    republic_code,
)
from application.catalogue import Catalogue, parse_terms
from domain.agency import Agency
from domain.calendar import WORKING_WEEKEND, DeclaredDay, HolidayCalendar
from domain.context import CommandContext
from domain.errors import AgencyNotFound, NoSuchBhmRate, NothingChanged, TerritoryNotFound
from domain.fees import BhmSchedule
from domain.i18n import Translations
from domain.quoting import quoted
from domain.service import Service
from domain.sources import LegalSource
from domain.territory import Territory

# The reference data's specs live in application.agency_tree; they are seeding's
# vocabulary, so they are importable from here too.
__all__ = [
    "GOVERNMENT_KIND",
    "AgencyKindSpec",
    "AgencySpec",
    "BhmRateSpec",
    "FormerNames",
    "ReferenceData",
    "SeedReport",
    "ServiceSpec",
    "TerritorySpec",
    "expand_agencies",
    "republic_code",
    "seed",
    "synthetic_services",
]

TAggregate = TypeVar("TAggregate", bound=Aggregate)


@dataclass(frozen=True)
class ServiceSpec:
    code: str
    terms: dict[str, Any]


@dataclass(frozen=True)
class BhmRateSpec:
    """A BHM rate and the act that set it (``None``: not verified)."""

    effective_from: date
    amount: int
    source: LegalSource | None = None


@dataclass(frozen=True)
class ReferenceData:
    territories: list[TerritorySpec]
    agency_kinds: list[AgencyKindSpec]
    services: list[ServiceSpec]
    bhm_rates: list[tuple[date, int]]
    effective_from: date  # when reference data first took effect in the store
    calendar: list[DeclaredDay] = field(default_factory=list)  # holidays, working weekends
    # The rates with their sources (when given, they supersede ``bhm_rates``), and the dates
    # an earlier release set a rate from by mistake, with why each is withdrawn.
    bhm_rate_specs: list[BhmRateSpec] = field(default_factory=list)
    bhm_withdrawn: list[tuple[date, str]] = field(default_factory=list)

    def rate_specs(self) -> list[BhmRateSpec]:
        return self.bhm_rate_specs or [BhmRateSpec(d, a) for d, a in self.bhm_rates]


@dataclass
class SeedReport:
    created: Counter[str] = field(default_factory=Counter)
    changed: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    events: int = 0

    @property
    def is_noop(self) -> bool:
        return self.events == 0


class _Session:
    """Aggregates changed in this run, found before the stored ones."""

    def __init__(self, catalogue: Catalogue, report: SeedReport) -> None:
        self.catalogue = catalogue
        self.report = report
        self.touched: dict[UUID, Aggregate] = {}
        self.registered_agencies: list[Agency] = []

    def find(self, cls: type[TAggregate], aggregate_id: UUID) -> TAggregate | None:
        touched = self.touched.get(aggregate_id)
        if touched is not None:
            assert isinstance(touched, cls)
            return touched
        return self.catalogue.find(cls, aggregate_id)

    def created(self, what: str, aggregate: Aggregate) -> None:
        self.touched[aggregate.id] = aggregate
        self.report.created[what] += 1

    def changed(self, what: str, aggregate: Aggregate) -> None:
        self.touched[aggregate.id] = aggregate
        self.report.changed[what] += 1

    def unchanged(self, what: str) -> None:
        self.report.unchanged[what] += 1

    def aggregates_to_save(self) -> list[Aggregate]:
        """What changed, with the agency index listing the agencies registered (and, on a
        catalogue whose agencies predate the index, the index of all of them)."""
        changed = [a for a in self.touched.values() if a.pending_events]
        return changed + self.catalogue.agency_index_changes(self.registered_agencies)


def seed(
    catalogue: Catalogue, data: ReferenceData, ctx: CommandContext, *, today: date
) -> SeedReport:
    """Bring the catalogue in line with ``data``: create what is missing, rename or revise
    what differs (changes take effect ``today``), leave the rest. One ``save()``."""
    report = SeedReport()
    session = _Session(catalogue, report)
    meta = ctx.meta()
    _seed_bhm_rates(session, data, meta)
    _seed_calendar(session, data, meta)
    _seed_territories(session, data, meta, today)
    _seed_agencies(session, data, meta, today)
    _seed_services(session, data, meta, today)
    to_save = session.aggregates_to_save()
    if to_save:
        report.events = len(catalogue.save(*to_save))
    return report


def _seed_bhm_rates(session: _Session, data: ReferenceData, meta: dict[str, str]) -> None:
    """Each rate from its date with its source; then the wrongly dated entries of an
    earlier release withdrawn (a store seeded without them is left as it is)."""
    specs = data.rate_specs()
    if not specs:
        return
    schedule = session.find(BhmSchedule, BhmSchedule.create_id())
    if schedule is None:
        schedule = BhmSchedule.open(meta=meta)
        session.created("bhm_schedule", schedule)
    for spec in specs:
        known = spec.effective_from in {since for since, _ in schedule.rates.entries}
        try:
            schedule.set_rate(
                effective_from=spec.effective_from,
                amount=spec.amount,
                source=spec.source,
                meta=meta,
            )
        except NothingChanged:
            session.unchanged("bhm_rate")
        else:
            (session.changed if known else session.created)("bhm_rate", schedule)
    kept = {spec.effective_from for spec in specs}
    for since, reason in data.bhm_withdrawn:
        if since in kept:
            continue  # the data sets a rate from that date after all
        try:
            schedule.withdraw_rate(effective_from=since, reason=reason, meta=meta)
        except NoSuchBhmRate:
            continue  # never seeded, or withdrawn by an earlier run
        session.changed("bhm_rate_withdrawn", schedule)


def _seed_calendar(session: _Session, data: ReferenceData, meta: dict[str, str]) -> None:
    """Declare each day with its source; a day already declared alike is left alone (the
    seed adds and corrects, it withdraws nothing: ``yagona calendar import`` does that)."""
    if not data.calendar:
        return
    calendar = session.find(HolidayCalendar, HolidayCalendar.create_id())
    if calendar is None:
        calendar = HolidayCalendar.open(meta=meta)
        session.created("holiday_calendar", calendar)
    for declared in data.calendar:
        what = "working_weekend" if declared.kind == WORKING_WEEKEND else "holiday"
        try:
            calendar.declare(declared, meta=meta)
        except NothingChanged:
            session.unchanged(what)
        else:
            session.created(what, calendar)


def _seed_territories(
    session: _Session, data: ReferenceData, meta: dict[str, str], today: date
) -> None:
    for spec in data.territories:
        territory = session.find(Territory, Territory.create_id(spec.code))
        registered = territory is None
        if territory is None:
            parent = None
            if spec.parent is not None:
                parent = session.find(Territory, Territory.create_id(spec.parent))
                if parent is None:
                    raise TerritoryNotFound(
                        f"parent territory {quoted(spec.parent)} of {spec.code} is not in the data"
                    )
            # A territory with a history is registered as it was, then renamed (and
            # reclassified) as a store holding its old record is: the same events either way.
            territory = Territory.register(
                code=spec.code,
                level=spec.former_level or spec.level,
                parent=parent,
                names=spec.former_names[0].names if spec.former_names else spec.names,
                effective_from=data.effective_from,
                meta=meta,
            )
            session.created("territory", territory)
        changed = _catch_up_names(
            territory, spec.names, spec.former_names, spec.source, meta, today
        )
        if territory.level != spec.level:
            since = data.effective_from if territory.level == spec.former_level else today
            territory.reclassify(
                level=spec.level, effective_from=since, meta=meta, source=spec.source
            )
            changed = True
        if registered:
            continue
        if changed:
            session.changed("territory", territory)
        else:
            session.unchanged("territory")


def _catch_up_names(
    aggregate: Territory | Agency,
    names: Translations,
    former: tuple[FormerNames, ...],
    source: dict[str, Any] | None,
    meta: dict[str, str],
    today: date,
) -> bool:
    """Rename ``aggregate`` to ``names``; True when it had other names.

    Where it holds one of its ``former`` names, each later rename is recorded with the day
    those names ceased, or (a day before its current names' record, or not verified) from
    the day its current names hold from: the store never shows them in force after the
    act. Any other difference is a rename from ``today``."""
    if aggregate.names == names:
        return False
    held = next((i for i, f in enumerate(former) if f.names == aggregate.names), None)
    if held is None:
        aggregate.rename(names=names, effective_from=today, meta=meta, source=source)
        return True
    for position in range(held, len(former)):
        until = former[position].until
        since = aggregate.name_history.current_since
        later = former[position + 1].names if position + 1 < len(former) else names
        effective = max(until, since) if until is not None else since
        aggregate.rename(names=later, effective_from=effective, meta=meta, source=source)
    return True


def _seed_agencies(
    session: _Session, data: ReferenceData, meta: dict[str, str], today: date
) -> None:
    for spec in expand_agencies(data.agency_kinds, data.territories):
        agency = session.find(Agency, Agency.create_id(spec.code))
        if agency is None:
            parent = None
            if spec.parent is not None:
                parent = session.find(Agency, Agency.create_id(spec.parent))
                if parent is None:
                    raise AgencyNotFound(
                        f"parent agency {quoted(spec.parent)} of {spec.code} is missing"
                    )
            agency = Agency.register(
                code=spec.code,
                kind=spec.kind,
                level=spec.level,
                territory=spec.territory,
                parent=parent,
                names=spec.former_names[0].names if spec.former_names else spec.names,
                effective_from=data.effective_from,
                meta=meta,
            )
            session.created("agency", agency)
            session.registered_agencies.append(agency)
            _catch_up_names(agency, spec.names, spec.former_names, spec.source, meta, today)
        elif _catch_up_names(agency, spec.names, spec.former_names, spec.source, meta, today):
            session.changed("agency", agency)
        else:
            session.unchanged("agency")


def _seed_services(
    session: _Session, data: ReferenceData, meta: dict[str, str], today: date
) -> None:
    for spec in data.services:
        terms = parse_terms(spec.terms)
        service = session.find(Service, Service.create_id(spec.code))
        if service is None:
            service = Service.publish(
                code=spec.code, terms=terms, effective_from=data.effective_from, meta=meta
            )
            session.created("service", service)
        elif service.current.terms != terms:
            service.revise(terms=terms, effective_from=today, meta=meta)
            session.changed("service", service)
        else:
            session.unchanged("service")


def synthetic_services(count: int, templates: list[ServiceSpec]) -> list[ServiceSpec]:
    """``count`` further services cloned from real ones with numbered codes and names, for
    scale tests of a catalogue of 500+ services. Deterministic: the same count gives the
    same services."""
    if not templates:
        return []
    specs = []
    for number in range(1, count + 1):
        template = templates[(number - 1) % len(templates)]
        terms = dict(template.terms)
        terms["names"] = {
            lang: f"{text} (#{number})" for lang, text in template.terms["names"].items()
        }
        specs.append(replace(template, code=f"synthetic-{number:05d}", terms=terms))
    return specs
