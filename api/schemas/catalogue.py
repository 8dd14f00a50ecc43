"""Catalogue shapes (territories, agencies, services) and how rows become them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas.fees import UNSOURCED, ExemptionOut, Fee
from api.schemas.legal_source import CitedSourceOut
from api.schemas.vocabularies import (
    AgencyLevel,
    Jurisdiction,
    ServiceChangeKind,
    ServiceStatus,
    TerritoryLevel,
)
from application.pagination import InvalidQuery, Page, decode_cursor, encode_cursor
from application.read_models.catalogue import (
    AgencyRow,
    ServiceChange,
    ServiceRow,
    TerritoryRow,
)
from domain.fees import BhmRates
from domain.i18n import pick
from domain.quoting import quoted
from domain.sources import LegalSource

TRANSLATIONS = "texts keyed by language: uz-Latn, uz-Cyrl, ru, en"
NAMES_EXAMPLE = {
    "uz-Latn": "Andijon viloyati",
    "uz-Cyrl": "Андижон вилояти",
    "ru": "Андижанская область",
    "en": "Andijan Region",
}


class FormerNameOut(BaseModel):
    name: str = Field(description="the former name in the response language")
    names: dict[str, str] = Field(description=TRANSLATIONS)
    until: date = Field(description="the day the next names took effect")


class TerritoryOut(BaseModel):
    code: str = Field(description="SOATO code", examples=["1703"])
    level: TerritoryLevel
    parent: str | None = Field(description="the parent's SOATO code", examples=["17"])
    name: str = Field(description="the name in the response language")
    names: dict[str, str] = Field(description=TRANSLATIONS, examples=[NAMES_EXAMPLE])
    former_names: list[FormerNameOut] = Field(
        default_factory=list, description="names it had before (renames), oldest first"
    )
    children: list[TerritoryOut] | None = Field(
        None, description="sub-territories (tree responses only)"
    )

    @classmethod
    def of(cls, row: TerritoryRow, lang: str) -> TerritoryOut:
        return cls(
            code=row.code,
            level=row.level,
            parent=row.parent,
            name=pick(row.names, lang),
            names=row.names,
            former_names=[
                FormerNameOut(name=pick(f.names, lang), names=f.names, until=f.until)
                for f in row.former_names
            ],
        )


class TerritoryPage(BaseModel):
    items: list[TerritoryOut]
    next: str | None = Field(description="cursor of the next page; null on the last")


class AgencyOut(BaseModel):
    id: UUID
    code: str = Field(examples=["justice-1703"])
    kind: str = Field(
        description="what the body does, e.g. justice, hokimiyat", examples=["justice"]
    )
    level: AgencyLevel
    territory: str = Field(description="SOATO code of the territory it serves")
    parent_id: UUID | None
    parent: str | None = Field(description="code of the parent agency")
    name: str
    names: dict[str, str] = Field(description=TRANSLATIONS)
    children: list[AgencyOut] | None = Field(None, description="subordinate agencies (tree only)")

    @classmethod
    def of(cls, row: AgencyRow, lang: str, parent_code: str | None) -> AgencyOut:
        return cls(
            id=row.id,
            code=row.code,
            kind=row.kind,
            level=row.level,
            territory=row.territory,
            parent_id=row.parent_id,
            parent=parent_code,
            name=pick(row.names, lang),
            names=row.names,
        )


class AgencyPage(BaseModel):
    items: list[AgencyOut]
    next: str | None


class DocumentOut(BaseModel):
    code: str = Field(description="what an attachment gives as its `document`")
    name: str
    names: dict[str, str] = Field(description=TRANSLATIONS)
    optional: bool = Field(
        False, description="attached only where it applies; every other document is required"
    )


class ServiceChangeOut(BaseModel):
    version: int = Field(description="the service version after this change")
    change: ServiceChangeKind
    effective_from: date | None
    reason: str | None
    recorded_at: datetime

    @classmethod
    def of(cls, change: ServiceChange) -> ServiceChangeOut:
        return cls(
            version=change.version,
            change=change.change,
            effective_from=change.effective_from,
            reason=change.reason,
            recorded_at=change.recorded_at,
        )


class ServiceSummary(BaseModel):
    code: str = Field(examples=["birth-registration"])
    version: int = Field(description="version of the terms shown")
    status: ServiceStatus
    name: str
    description: str
    names: dict[str, str] = Field(description=TRANSLATIONS)
    descriptions: dict[str, str] = Field(description=TRANSLATIONS)
    category: str
    form: int = Field(ge=1, le=4, description="form of interactive service, 1-4")
    jurisdiction: Jurisdiction
    agency_kind: str
    fee: Fee
    deadline_working_days: int
    result_kind: str

    @classmethod
    def fields_of(
        cls,
        row: ServiceRow,
        terms: dict[str, Any],
        version: int,
        lang: str,
        today: date,
        rates: BhmRates,
    ) -> dict[str, Any]:
        return {
            "code": row.code,
            "version": version,
            "status": row.status,
            "name": pick(terms["names"], lang),
            "description": pick(terms["descriptions"], lang),
            "names": terms["names"],
            "descriptions": terms["descriptions"],
            "category": terms["category"],
            "form": terms["form"],
            "jurisdiction": terms["jurisdiction"],
            "agency_kind": terms["agency_kind"],
            "fee": Fee.of(terms["fee"], today, rates),
            "deadline_working_days": terms["deadline_working_days"],
            "result_kind": terms["result_kind"],
        }

    @classmethod
    def of(cls, row: ServiceRow, lang: str, today: date, rates: BhmRates) -> ServiceSummary:
        return cls(**cls.fields_of(row, row.terms, row.version, lang, today, rates))


class ServiceDetail(ServiceSummary):
    required_documents: list[DocumentOut]
    exemptions: list[ExemptionOut]
    refund_on: list[str] = Field(description="when the fee is refunded")
    term_source: CitedSourceOut | None = Field(
        None, description="the act setting deadline_working_days; " + UNSOURCED
    )
    legal_basis: str
    legal_bases: dict[str, str] = Field(description="the legal basis, " + TRANSLATIONS)
    effective_from: date | None = Field(description="when the current version took effect")
    published_at: datetime
    updated_at: datetime
    history: list[ServiceChangeOut]

    @classmethod
    def build(
        cls,
        row: ServiceRow,
        terms: dict[str, Any],
        version: int,
        history: list[ServiceChange],
        lang: str,
        today: date,
        rates: BhmRates,
    ) -> ServiceDetail:
        since = next(
            (
                h.effective_from
                for h in reversed(history)
                if h.version == version and h.change in ("published", "revised")
            ),
            None,
        )
        return cls(
            **cls.fields_of(row, terms, version, lang, today, rates),
            required_documents=[
                DocumentOut(
                    code=d["code"],
                    name=pick(d["names"], lang),
                    names=d["names"],
                    optional=bool(d.get("optional", False)),
                )
                for d in terms.get("required_documents", [])
            ],
            exemptions=[ExemptionOut.of(e, lang) for e in terms.get("exemptions", [])],
            refund_on=list(terms.get("refund_on", [])),
            term_source=CitedSourceOut.cited(LegalSource.optional(terms.get("term_source"))),
            legal_basis=pick(terms["legal_basis"], lang),
            legal_bases=terms["legal_basis"],
            effective_from=since,
            published_at=row.published_at,
            updated_at=row.updated_at,
            history=[ServiceChangeOut.of(h) for h in history],
        )


class ServicePage(BaseModel):
    items: list[ServiceSummary]
    next: str | None


def localise_schema(schema: Any, lang: str) -> Any:
    """The form schema with every ``title`` in ``lang`` (from its ``x-titles``)."""
    if isinstance(schema, dict):
        localised = {key: localise_schema(value, lang) for key, value in schema.items()}
        titles = schema.get("x-titles")
        if isinstance(titles, dict) and titles:
            localised["title"] = pick(titles, lang)
        return localised
    if isinstance(schema, list):
        return [localise_schema(item, lang) for item in schema]
    return schema


def territory_tree(rows: list[TerritoryRow], language: str, root: str | None) -> list[TerritoryOut]:
    """Territories nested under their parents; the subtree under ``root`` if given."""
    nodes = {row.code: TerritoryOut.of(row, language) for row in rows}
    roots: list[TerritoryOut] = []
    for node in nodes.values():
        node.children = []
    for row in rows:
        parent = nodes.get(row.parent) if row.parent else None
        if parent is not None and parent.children is not None:
            parent.children.append(nodes[row.code])
        else:
            roots.append(nodes[row.code])
    if root is None:
        return roots
    if root not in nodes:
        raise InvalidQuery("root", f"names no territory: {quoted(root)}")
    return [nodes[root]]


def agency_tree(
    rows: list[AgencyRow],
    outside_parents: dict[UUID, AgencyRow],
    language: str,
    cursor: str | None,
    limit: int,
) -> AgencyPage:
    """Agencies nested under their parents; the roots (agencies whose parent is not among
    ``rows``) are paginated by code."""
    codes = {row.id: row.code for row in rows}
    codes.update({agency_id: row.code for agency_id, row in outside_parents.items()})
    nodes = {
        row.id: AgencyOut.of(row, language, codes.get(row.parent_id) if row.parent_id else None)
        for row in rows
    }
    roots: list[AgencyOut] = []
    for node in nodes.values():
        node.children = []
    for row in rows:
        parent = nodes.get(row.parent_id) if row.parent_id else None
        if parent is not None and parent.children is not None:
            parent.children.append(nodes[row.id])
        else:
            roots.append(nodes[row.id])
    key = decode_cursor(cursor, expect=("after",))
    if key is not None:
        roots = [node for node in roots if node.code > str(key["after"])]
    page: Page[AgencyOut] = Page(roots, None)
    if len(roots) > limit:
        page = Page(roots[:limit], encode_cursor({"after": roots[limit - 1].code}))
    return AgencyPage(items=page.items, next=page.next)
