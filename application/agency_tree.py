"""The reference data's territories and kinds of agency, and the agency tree they expand
into: each kind's republic-level body, then its branches per region and per district or city."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.agency import JURISDICTION_DISTRICT, JURISDICTION_REGION, JURISDICTION_REPUBLIC
from domain.i18n import LANGUAGES, Translations
from domain.territory import CITY, DISTRICT, REGION, REPUBLIC

# The hokimiyats (local executive authorities of regions, districts and cities): the kind's
# republic-level body, the Cabinet of Ministers, is the root of the agency tree.
GOVERNMENT_KIND = "hokimiyat"


@dataclass(frozen=True)
class FormerNames:
    """Names a territory (or an agency) had, and the day they ceased (None: not verified)."""

    names: Translations
    until: date | None = None


@dataclass(frozen=True)
class TerritorySpec:
    """A territory as the reference data has it today; ``former_names`` (oldest first) and
    ``former_level`` are what the store may still hold, and ``source`` the act (a
    LegalSource dict, or None where nobody could verify it) behind the change."""

    code: str
    level: str
    parent: str | None
    names: Translations
    former_names: tuple[FormerNames, ...] = ()
    former_level: str | None = None
    source: dict[str, Any] | None = None


@dataclass(frozen=True)
class AgencyKindSpec:
    """A kind of agency: what the kind is (``names``), name templates of its branches, and
    the names of its republic-level body where they are not the kind's (``head_names``: the
    hokimiyats' republic-level body is the Cabinet of Ministers)."""

    kind: str
    names: Translations
    branches: dict[str, Translations] = field(default_factory=dict)  # level -> templates
    head_names: Translations | None = None

    @property
    def republic_body_names(self) -> Translations:
        return self.head_names or self.names


@dataclass(frozen=True)
class AgencySpec:
    code: str
    kind: str
    level: str
    territory: str
    parent: str | None
    names: Translations
    former_names: tuple[FormerNames, ...] = ()  # a branch's names under its territory's
    source: dict[str, Any] | None = None


def republic_code(territories: list[TerritorySpec]) -> str:
    return next(t.code for t in territories if t.level == REPUBLIC)


def expand_agencies(
    kinds: list[AgencyKindSpec], territories: list[TerritorySpec]
) -> list[AgencySpec]:
    """Every agency the kinds describe: each kind's republic-level body, then a branch per
    region and per district or city where the kind has branch templates. Parents first."""
    if not kinds:
        return []
    root = republic_code(territories)
    regions = [t for t in territories if t.level == REGION]
    districts = [t for t in territories if t.level in (DISTRICT, CITY)]
    ordered = sorted(kinds, key=lambda k: k.kind != GOVERNMENT_KIND)
    has_government = any(k.kind == GOVERNMENT_KIND for k in kinds)
    specs: list[AgencySpec] = []
    for kind in ordered:
        head_parent = (
            None if kind.kind == GOVERNMENT_KIND or not has_government else (GOVERNMENT_KIND)
        )
        specs.append(
            AgencySpec(
                kind.kind,
                kind.kind,
                JURISDICTION_REPUBLIC,
                root,
                head_parent,
                kind.republic_body_names,
            )
        )
        region_template = kind.branches.get(JURISDICTION_REGION)
        if region_template:
            specs.extend(
                _branch(kind.kind, JURISDICTION_REGION, t, kind.kind, region_template)
                for t in regions
            )
        district_template = kind.branches.get(JURISDICTION_DISTRICT)
        if district_template:
            specs.extend(
                _branch(
                    kind.kind,
                    JURISDICTION_DISTRICT,
                    t,
                    f"{kind.kind}-{t.parent}" if region_template else kind.kind,
                    district_template,
                )
                for t in districts
            )
    return specs


def _branch(
    kind: str, level: str, territory: TerritorySpec, parent: str, template: Translations
) -> AgencySpec:
    """A kind's branch in ``territory``, named after it (and, once, after its former names)."""
    return AgencySpec(
        f"{kind}-{territory.code}",
        kind,
        level,
        territory.code,
        parent,
        _fill(template, territory.names),
        tuple(FormerNames(_fill(template, f.names), f.until) for f in territory.former_names),
        territory.source,
    )


def _fill(template: Translations, territory_names: Translations) -> Translations:
    return {
        lang: template[lang].replace("{territory}", territory_names[lang]) for lang in LANGUAGES
    }
