"""Uzbekistan's reference data shipped with Yagona, and its loader.

- ``territories.json``: the republic, its 14 first-level units and every district and city,
  with SOATO codes and names in uz-Latn, uz-Cyrl, ru and en (from the national
  administrative-territorial classifier). A corrected entry keeps its ``former_names``
  (each with the day it ceased, or null) or ``former_level``, the ``source`` of the
  correction (a legal source, or null where nobody could verify the act) and a note.
- ``agencies.json``: kinds of agency (ministries, agencies, hokimiyats) with name
  templates of their regional and district branches; ``head_names`` names a kind's
  republic-level body where it is not the kind itself (the hokimiyats' is the Cabinet of
  Ministers).
- ``services/NN-category.json``: the catalogue of state services, one file a category, read
  in the order of their names.
- ``bhm_rates.json``: the base calculation amount by effective date, each with the act that
  set it (or ``null``), and the wrongly dated entries an earlier release seeded (withdrawn).
- ``calendar_decrees.json``: what the holiday calendar adds to the PyPI ``holidays``
  package (``infrastructure.calendar_source``): the names of the days off in four languages,
  the act behind each day (Labour Code art. 208, each year's decrees) and any decreed day the
  package lacks. The seeded calendar covers ``CALENDAR_YEARS``; ``yagona calendar import``
  brings in another year.
"""

from __future__ import annotations

import json
from datetime import date
from importlib import resources
from typing import Any

from application.ports import HolidaySource
from application.seeding import (
    AgencyKindSpec,
    BhmRateSpec,
    FormerNames,
    ReferenceData,
    ServiceSpec,
    TerritorySpec,
    synthetic_services,
)
from domain.sources import LegalSource, source_dict
from infrastructure.calendar_source import PackageHolidaySource

REFERENCE_DATE = date(2024, 1, 1)  # reference data takes effect from this date in the store
CALENDAR_YEARS = (2025, 2026, 2027)  # the holiday calendar's years a seed declares


def _read(name: str) -> Any:
    return json.loads(resources.files(__name__).joinpath(name).read_text(encoding="utf-8"))


def catalogue_entries() -> list[dict[str, Any]]:
    """Every shipped service, as written in ``services/*.json`` (file by file, in name order)."""
    folder = resources.files(__name__).joinpath("services")
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".json")), key=lambda f: f.name)
    return [entry for f in files for entry in json.loads(f.read_text(encoding="utf-8"))["services"]]


def load_reference_data(
    *, synthetic: int = 0, holiday_source: HolidaySource | None = None
) -> ReferenceData:
    """The shipped reference data, plus ``synthetic`` generated services (scale tests); the
    holiday calendar of ``CALENDAR_YEARS`` comes from ``holiday_source`` (the package's)."""
    source = holiday_source or PackageHolidaySource()
    territories = [_territory(t) for t in _read("territories.json")]
    kinds = [
        AgencyKindSpec(
            k["kind"], k["names"], dict(k.get("branches") or {}), k.get("head_names") or None
        )
        for k in _read("agencies.json")["kinds"]
    ]
    services = [
        ServiceSpec(s["code"], {k: v for k, v in s.items() if k != "code"})
        for s in catalogue_entries()
    ]
    services += synthetic_services(synthetic, services)
    bhm = _read("bhm_rates.json")
    rates = [(date.fromisoformat(r["effective_from"]), int(r["amount"])) for r in bhm["rates"]]
    rate_specs = [
        BhmRateSpec(
            date.fromisoformat(r["effective_from"]),
            int(r["amount"]),
            LegalSource.optional(r.get("source")),
        )
        for r in bhm["rates"]
    ]
    withdrawn = [
        (date.fromisoformat(w["effective_from"]), w["reason"]) for w in bhm.get("withdrawn", [])
    ]
    return ReferenceData(
        territories=territories,
        agency_kinds=kinds,
        services=services,
        bhm_rates=rates,
        bhm_rate_specs=rate_specs,
        bhm_withdrawn=withdrawn,
        effective_from=REFERENCE_DATE,
        calendar=[day for year in CALENDAR_YEARS for day in source.days_off(year)],
    )


def _territory(entry: dict[str, Any]) -> TerritorySpec:
    former = tuple(
        FormerNames(f["names"], date.fromisoformat(f["until"]) if f.get("until") else None)
        for f in entry.get("former_names") or ()
    )
    return TerritorySpec(
        entry["code"],
        entry["level"],
        entry["parent"],
        entry["names"],
        former,
        entry.get("former_level"),
        source_dict(LegalSource.optional(entry.get("source"))),
    )
