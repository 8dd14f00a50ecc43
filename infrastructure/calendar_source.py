"""Uzbekistan's days off from the PyPI ``holidays`` package (``application.ports.HolidaySource``).

The package's Uzbekistan calendar follows the Labour Code (art. 208: a holiday falling on a
rest day moves to the next working day) and each year's decrees (extra days off, days off
moved from a Saturday, which then becomes a working day). ``calendar_decrees.json`` adds
what the package does not carry: the names in four languages, the act behind each day, and
any decreed day the package lacks.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cached_property
from importlib import resources
from importlib.metadata import version
from typing import Any

import holidays
from holidays.countries.uzbekistan import UzbekistanStaticHolidays

from domain.calendar import HOLIDAY, WORKING_WEEKEND, DeclaredDay
from domain.errors import CalendarYearNotCovered
from domain.i18n import Translations
from domain.sources import LegalSource

FIRST_YEAR = 2024  # the reference data takes effect on 2024-01-01

# The package's English names (en_US) -> the keys of our names, and whether they come from
# the Labour Code (fixed) or move with the lunar calendar.
_FIXED = {
    "New Year's Day": "new_year",
    "Women's Day": "womens_day",
    "Nowruz": "navruz",
    "Day of Memory and Honor": "remembrance",
    "Independence Day": "independence",
    "Teachers and Instructors Day": "teachers",
    "Constitution Day": "constitution",
}
_MOVING = {"Eid al-Fitr": "ramazon", "Eid al-Adha": "qurbon"}
_ADDITIONAL = "Additional day off by Presidential decree"
_SUBSTITUTED = "Day off (substituted from"


def _decrees_file() -> dict[str, Any]:
    text = (
        resources.files("infrastructure.reference_data")
        .joinpath("calendar_decrees.json")
        .read_text(encoding="utf-8")
    )
    data: dict[str, Any] = json.loads(text)
    return data


def _last_decreed_year() -> int:
    """The last year whose decreed days off (extra days, transfers) the package carries."""
    return max(UzbekistanStaticHolidays.special_public_holidays)


class PackageHolidaySource:
    """The ``holidays`` package plus ``calendar_decrees.json``; covers ``FIRST_YEAR`` up to a
    year after the last one whose decrees the package carries (that year's Islamic holidays
    are estimates a reviewer confirms)."""

    def __init__(self, decrees: dict[str, Any] | None = None) -> None:
        self._data = decrees if decrees is not None else _decrees_file()

    @cached_property
    def _names(self) -> dict[str, Translations]:
        return {key: dict(value) for key, value in self._data["names"].items()}

    @cached_property
    def _sources(self) -> dict[date, LegalSource]:
        found: dict[date, LegalSource] = {}
        for decree in self._data["decrees"]:
            source = LegalSource.from_dict(decree["source"])
            for day in decree["days"]:
                found[date.fromisoformat(day)] = source
        return found

    @cached_property
    def _labour_code(self) -> LegalSource:
        return LegalSource.from_dict(self._data["labour_code"])

    @property
    def years(self) -> range:
        return range(FIRST_YEAR, _last_decreed_year() + 2)

    def days_off(self, year: int) -> list[DeclaredDay]:
        if year not in self.years:
            raise CalendarYearNotCovered(
                f"the holiday source (holidays {version('holidays')}) covers "
                f"{self.years.start}-{self.years.stop - 1}, not {year}: its Islamic dates "
                "for later years are estimates and no transfers are decreed; upgrade the "
                "package or add the year's decrees to calendar_decrees.json"
            )
        package = holidays.country_holidays("UZ", years=year, language="en_US")
        days = {
            day: self._declared(day, str(name)) for day, name in package.items() if day.year == year
        }
        for off_day, working_day in self._substitutions(year):
            days[working_day] = DeclaredDay(
                working_day,
                WORKING_WEEKEND,
                self._template("working_weekend", day=off_day.strftime("%d.%m.%Y")),
                self._sources.get(working_day),
            )
        for extra in self._data.get("extra_days", []):
            day = date.fromisoformat(extra["day"])
            if day.year == year:
                days[day] = DeclaredDay(
                    day,
                    extra.get("kind", HOLIDAY),
                    dict(extra["names"]),
                    LegalSource.optional(extra.get("source")),
                )
        return sorted(days.values(), key=lambda d: d.day)

    def _declared(self, day: date, name: str) -> DeclaredDay:
        base, _, qualifiers = name.partition(" (")
        estimated = "estimated" in qualifiers
        observed = "observed" in qualifiers
        if name.startswith(_SUBSTITUTED):
            working_day = next(w for off, w in self._substitutions(day.year) if off == day)
            names = self._template("substituted", day=working_day.strftime("%d.%m.%Y"))
            return DeclaredDay(day, HOLIDAY, names, self._sources.get(day))
        if name == _ADDITIONAL:
            return DeclaredDay(day, HOLIDAY, self._names["additional"], self._sources.get(day))
        key = _FIXED.get(base) or _MOVING.get(base)
        if key is None:
            raise ValueError(f"the holidays package names a day off {name!r} this source lacks")
        names = self._names[key]
        if observed:
            # Labour Code art. 208: a holiday on a rest day moves to the next working day.
            template = self._names["observed"]
            names = {lang: text.format(name=names[lang]) for lang, text in template.items()}
            moving = key in _MOVING.values()  # it moves with the Islamic holiday
            return DeclaredDay(
                day, HOLIDAY, names, self._labour_code, moving=moving, estimated=estimated
            )
        if key in _FIXED.values():
            return DeclaredDay(day, HOLIDAY, names, self._labour_code)
        return DeclaredDay(
            day, HOLIDAY, names, self._sources.get(day), moving=True, estimated=estimated
        )

    def _template(self, key: str, **values: str) -> Translations:
        return {lang: text.format(**values) for lang, text in self._names[key].items()}

    @staticmethod
    def _substitutions(year: int) -> list[tuple[date, date]]:
        """(day off, the Saturday or Sunday it was moved from, now a working day)."""
        entries = UzbekistanStaticHolidays.special_public_holidays.get(year, ())
        return [
            (date(year, e[0], e[1]), date(year, e[2], e[3]))
            for e in entries
            if len(e) == 4 and all(isinstance(part, int) for part in e)
        ]
