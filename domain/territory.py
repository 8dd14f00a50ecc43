"""Territories: the SOATO-coded administrative units a service is delivered in."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidCode, InvalidLevel, InvalidParent, NothingChanged
from domain.i18n import Translations, require_translations
from domain.ids import natural_id
from domain.names import NameHistory
from domain.quoting import quoted

REPUBLIC = "republic"
REGION = "region"
DISTRICT = "district"
CITY = "city"
TERRITORY_LEVELS = (REPUBLIC, REGION, DISTRICT, CITY)

# SOATO code length at each level, and the level a parent must have.
_CODE_LENGTH = {REPUBLIC: 2, REGION: 4, DISTRICT: 7, CITY: 7}
_PARENT_LEVEL: dict[str, str | None] = {
    REPUBLIC: None,
    REGION: REPUBLIC,
    DISTRICT: REGION,
    CITY: REGION,
}


def parent_level_of(level: str) -> str | None:
    return _PARENT_LEVEL[level]


def ancestor_codes(code: str) -> list[str]:
    """The SOATO codes of a territory and its ancestors, root first (codes nest by prefix)."""
    return [code[:n] for n in (2, 4, 7) if len(code) >= n]


def validate_territory_code(code: str, level: str, parent: Territory | None) -> None:
    """A territory's SOATO code has the length of its level and extends its parent's code;
    its parent is the territory one level up (the republic has none)."""
    if level not in TERRITORY_LEVELS:
        raise InvalidLevel(
            f"level must be one of {', '.join(TERRITORY_LEVELS)}, not {quoted(level)}"
        )
    if not re.fullmatch(r"\d+", code or "") or len(code) != _CODE_LENGTH[level]:
        raise InvalidCode(
            f"a {level}'s SOATO code has {_CODE_LENGTH[level]} digits, got {quoted(code)}"
        )
    expected_parent = _PARENT_LEVEL[level]
    if expected_parent is None:
        if parent is not None:
            raise InvalidParent("the republic has no parent territory")
        return
    if parent is None:
        raise InvalidParent(f"a {level} needs a parent {expected_parent}")
    if parent.level != expected_parent:
        raise InvalidParent(
            f"a {level}'s parent is a {expected_parent}, but {parent.code} is a {parent.level}"
        )
    if not code.startswith(parent.code):
        raise InvalidCode(
            f"a {level}'s code extends its parent's code {parent.code}, got {quoted(code)}"
        )


class Territory(Aggregate):
    """A republic, region, district or city, with names that change on effective dates."""

    class Registered(Aggregate.Created):
        code: str
        level: str
        parent: str | None
        names: Translations
        effective_from: str
        meta: dict[str, str]

    class Renamed(Aggregate.Event):
        """New names from ``effective_from``; the old ones stay as former names. ``source``
        is the act (a LegalSource dict) or None where nobody could verify it (and on
        renames recorded before sources were kept)."""

        names: Translations
        effective_from: str
        meta: dict[str, str]
        source: dict[str, Any] | None = None

    class Reclassified(Aggregate.Event):
        """A district became a city or a city a district (same code, same parent)."""

        level: str
        effective_from: str
        meta: dict[str, str]
        source: dict[str, Any] | None = None

    @staticmethod
    def create_id(code: str, **_: Any) -> UUID:
        return natural_id("territories", code)

    @classmethod
    def register(
        cls,
        *,
        code: str,
        level: str,
        parent: Territory | None,
        names: object,
        effective_from: date,
        meta: dict[str, str],
    ) -> Territory:
        validate_territory_code(code, level, parent)
        return cls(
            code=code,
            level=level,
            parent=parent.code if parent is not None else None,
            names=require_translations("names", names),
            effective_from=effective_from.isoformat(),
            meta=meta,
        )

    @event(Registered)
    def __init__(
        self,
        code: str,
        level: str,
        parent: str | None,
        names: Translations,
        effective_from: str,
        meta: dict[str, str],
    ) -> None:
        self.code = code
        self.level = level
        self.parent = parent
        self.name_history = NameHistory.starting(names, effective_from)

    @property
    def names(self) -> Translations:
        return self.name_history.current

    def names_on(self, day: date) -> Translations:
        """The names in force on ``day``."""
        return self.name_history.on(day)

    @property
    def former_names(self) -> list[tuple[Translations, date]]:
        """The names it had before, each with the day it ceased (oldest first)."""
        return self.name_history.former()

    def rename(
        self,
        *,
        names: object,
        effective_from: date,
        meta: dict[str, str],
        source: dict[str, Any] | None = None,
    ) -> None:
        new_names = self.name_history.check_rename(f"territory {self.code}", names, effective_from)
        self._renamed(
            names=new_names, effective_from=effective_from.isoformat(), meta=meta, source=source
        )

    @event(Renamed)
    def _renamed(
        self,
        names: Translations,
        effective_from: str,
        meta: dict[str, str],
        source: dict[str, Any] | None = None,
    ) -> None:
        self.name_history.add(names, effective_from)

    def reclassify(
        self,
        *,
        level: str,
        effective_from: date,
        meta: dict[str, str],
        source: dict[str, Any] | None = None,
    ) -> None:
        """A district becomes a city or a city a district: both have 7-digit codes under a
        region, so the code and the parent stay. Nothing else changes level."""
        if level == self.level:
            raise NothingChanged(f"territory {self.code} is already a {level}")
        if {level, self.level} != set(_RECLASSIFIABLE):
            raise InvalidLevel(
                f"only a district and a city change into each other; {self.code} is a "
                f"{self.level}, not {quoted(level)}"
            )
        self._reclassified(
            level=level, effective_from=effective_from.isoformat(), meta=meta, source=source
        )

    @event(Reclassified)
    def _reclassified(
        self,
        level: str,
        effective_from: str,
        meta: dict[str, str],
        source: dict[str, Any] | None = None,
    ) -> None:
        self.level = level


_RECLASSIFIABLE = (DISTRICT, CITY)
