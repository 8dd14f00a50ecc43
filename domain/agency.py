"""Agencies: ministries, hokimiyats and their territorial branches, as a tree."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import (
    InvalidCode,
    InvalidLevel,
    InvalidParent,
)
from domain.i18n import Translations, require_translations
from domain.ids import natural_id
from domain.names import NameHistory
from domain.quoting import quoted

# Jurisdiction levels: where an agency sits and which level a service is delivered at.
JURISDICTION_REPUBLIC = "republic"
JURISDICTION_REGION = "region"
JURISDICTION_DISTRICT = "district"
JURISDICTION_LEVELS = (JURISDICTION_REPUBLIC, JURISDICTION_REGION, JURISDICTION_DISTRICT)

_RANK = {level: rank for rank, level in enumerate(JURISDICTION_LEVELS)}
_TERRITORY_CODE_LENGTH = {
    JURISDICTION_REPUBLIC: 2,
    JURISDICTION_REGION: 4,
    JURISDICTION_DISTRICT: 7,
}

AGENCY_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{1,63}")
AGENCY_KIND = re.compile(r"[a-z][a-z0-9_]{1,47}")


@dataclass(frozen=True)
class AgencyRef:
    """The agency a case, an appeal or a request is with (or escalated to)."""

    id: UUID
    code: str
    parent_id: UUID | None = None
    parent_code: str | None = None


class Agency(Aggregate):
    """A state body of some ``kind`` serving a territory at a jurisdiction ``level``.

    Its parent is a body at a higher level whose territory contains this one's (an
    escalation goes there). The tree's roots have no parent.
    """

    class Registered(Aggregate.Created):
        code: str
        kind: str
        level: str
        territory: str
        parent_id: UUID | None
        names: Translations
        effective_from: str
        meta: dict[str, str]

    class Renamed(Aggregate.Event):
        """``source``: the act behind the rename (a LegalSource dict), or None where nobody
        could verify it (and on renames recorded before sources were kept)."""

        names: Translations
        effective_from: str
        meta: dict[str, str]
        source: dict[str, Any] | None = None

    @staticmethod
    def create_id(code: str, **_: Any) -> UUID:
        return natural_id("agencies", code)

    @classmethod
    def register(
        cls,
        *,
        code: str,
        kind: str,
        level: str,
        territory: str,
        parent: Agency | None,
        names: object,
        effective_from: date,
        meta: dict[str, str],
    ) -> Agency:
        if not AGENCY_CODE.fullmatch(code or ""):
            raise InvalidCode(f"agency code must match {AGENCY_CODE.pattern}, got {quoted(code)}")
        if not AGENCY_KIND.fullmatch(kind or ""):
            raise InvalidCode(f"agency kind must match {AGENCY_KIND.pattern}, got {quoted(kind)}")
        if level not in JURISDICTION_LEVELS:
            raise InvalidLevel(
                f"agency level must be one of {', '.join(JURISDICTION_LEVELS)}, not {quoted(level)}"
            )
        if (
            not re.fullmatch(r"\d+", territory or "")
            or len(territory) != _TERRITORY_CODE_LENGTH[level]
        ):
            raise InvalidCode(
                f"a {level}-level agency serves a territory with a "
                f"{_TERRITORY_CODE_LENGTH[level]}-digit SOATO code, got {quoted(territory)}"
            )
        if parent is not None:
            if _RANK[parent.level] > _RANK[level]:
                raise InvalidParent(
                    f"agency {code} ({level}) cannot report to {parent.code} ({parent.level})"
                )
            if not territory.startswith(parent.territory):
                raise InvalidParent(
                    f"agency {code} serves {territory}, outside its parent {parent.code}'s "
                    f"territory {parent.territory}"
                )
        return cls(
            code=code,
            kind=kind,
            level=level,
            territory=territory,
            parent_id=parent.id if parent is not None else None,
            names=require_translations("names", names),
            effective_from=effective_from.isoformat(),
            meta=meta,
        )

    @event(Registered)
    def __init__(
        self,
        code: str,
        kind: str,
        level: str,
        territory: str,
        parent_id: UUID | None,
        names: Translations,
        effective_from: str,
        meta: dict[str, str],
    ) -> None:
        self.code = code
        self.kind = kind
        self.level = level
        self.territory = territory
        self.parent_id = parent_id
        self.name_history = NameHistory.starting(names, effective_from)

    @property
    def names(self) -> Translations:
        return self.name_history.current

    def rename(
        self,
        *,
        names: object,
        effective_from: date,
        meta: dict[str, str],
        source: dict[str, Any] | None = None,
    ) -> None:
        new_names = self.name_history.check_rename(f"agency {self.code}", names, effective_from)
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
