"""The catalogue's tables in PostgreSQL: written by the projection, read by the API."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from psycopg.rows import DictRow
from psycopg.sql import SQL, Composable, Literal

from application.read_models.catalogue import (
    AgencyRow,
    FormerName,
    ServiceChange,
    ServiceFilter,
    ServiceRow,
    TerritoryRow,
)
from domain.territory import ancestor_codes
from projections.catalogue.lookups import CatalogueLookups
from projections.catalogue.search import MAX_QUERY_WORDS, name_score, search_tokens
from projections.catalogue.tables import TABLE_NAMES, TABLE_STATEMENTS
from projections.catalogue.text_match import WORDS_TABLE, text_score
from projections.catalogue.writes import CatalogueWrites
from projections.pagination import InvalidQuery, Page, decode_cursor, encode_cursor


class CatalogueView(CatalogueWrites, CatalogueLookups):
    """The catalogue's tables: written through :class:`CatalogueWrites`, read here and
    through :class:`CatalogueLookups`."""

    table_names = TABLE_NAMES
    table_statements = TABLE_STATEMENTS

    # --- queries: territories -------------------------------------------------------------

    def get_territory(self, code: str) -> TerritoryRow | None:
        row = self.fetch_one(
            "SELECT code, level, parent, names, former_names"
            " FROM {schema}.catalogue_territories WHERE code = %s",
            (code,),
        )
        return _territory(row) if row else None

    def list_territories(
        self,
        *,
        level: str | None = None,
        parent: str | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> Page[TerritoryRow]:
        key = decode_cursor(cursor, expect=("after",))
        conditions: list[Composable] = [SQL("TRUE")]
        params: dict[str, Any] = {"limit": limit + 1}
        if level is not None:
            conditions.append(SQL("level = %(level)s"))
            params["level"] = level
        if parent is not None:
            conditions.append(SQL("parent = %(parent)s"))
            params["parent"] = parent
        if key is not None:
            conditions.append(SQL("code > %(after)s"))
            params["after"] = str(key["after"])
        query = SQL(
            "SELECT code, level, parent, names, former_names FROM {table} WHERE {where} "
            "ORDER BY code LIMIT %(limit)s"
        ).format(table=self.table("catalogue_territories"), where=SQL(" AND ").join(conditions))
        rows = [_territory(r) for r in self.fetch_all(query, params)]
        return _page(rows, limit, lambda r: {"after": r.code})

    def all_territories(self) -> list[TerritoryRow]:
        rows = self.fetch_all(
            "SELECT code, level, parent, names, former_names"
            " FROM {schema}.catalogue_territories ORDER BY code"
        )
        return [_territory(r) for r in rows]

    def search_territories(
        self, text: str, *, level: str | None = None, limit: int = 100
    ) -> list[TerritoryRow]:
        """Territories whose current or former names hold every word of ``text``, best
        match first, then by code. The 200-odd territories are matched here, in Python, by
        the catalogue's own normalisation (folded, Cyrillic written in Latin)."""
        tokens = search_tokens(text)
        if not tokens:
            raise InvalidQuery("q", "has no letters or digits to search for")
        if len(tokens) > MAX_QUERY_WORDS:
            raise InvalidQuery("q", f"has more than {MAX_QUERY_WORDS} words")
        scored = []
        for row in self.all_territories():
            if level is not None and row.level != level:
                continue
            former = [name for f in row.former_names for name in f.names.values()]
            score = name_score(tokens, list(row.names.values()), former)
            if score is not None:
                scored.append((-score, row.code, row))
        return [row for _, _, row in sorted(scored, key=lambda s: s[:2])[:limit]]

    # --- queries: agencies ----------------------------------------------------------------

    def get_agency(self, key: str) -> AgencyRow | None:
        """An agency by code, or by id when ``key`` is a UUID."""
        try:
            agency_id: UUID | None = UUID(key)
        except ValueError:
            agency_id = None
        column = SQL("id") if agency_id is not None else SQL("code")
        query = SQL("{select} WHERE {column} = %s").format(
            select=self._agency_select(), column=column
        )
        row = self.fetch_one(query, (agency_id or key,))
        return _agency(row) if row else None

    def find_agencies(
        self,
        *,
        kind: str | None = None,
        level: str | None = None,
        serving: str | None = None,
        within: str | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> Page[AgencyRow]:
        """Agencies by kind and level; ``serving`` a territory (located in it or one of its
        ancestors) or located ``within`` a territory's subtree. Ordered by code."""
        key = decode_cursor(cursor, expect=("after",))
        conditions: list[Composable] = [SQL("TRUE")]
        params: dict[str, Any] = {}
        if kind is not None:
            conditions.append(SQL("kind = %(kind)s"))
            params["kind"] = kind
        if level is not None:
            conditions.append(SQL("level = %(level)s"))
            params["level"] = level
        if serving is not None:
            conditions.append(SQL("territory = ANY(%(ancestors)s)"))
            params["ancestors"] = ancestor_codes(serving)
        if within is not None:
            conditions.append(SQL("territory LIKE %(within)s"))
            params["within"] = within + "%"
        if key is not None:
            conditions.append(SQL("code > %(after)s"))
            params["after"] = str(key["after"])
        query = SQL("{select} WHERE {where} ORDER BY code").format(
            select=self._agency_select(), where=SQL(" AND ").join(conditions)
        )
        if limit is not None:
            query = SQL("{q} LIMIT {n}").format(q=query, n=Literal(limit + 1))
        rows = [_agency(r) for r in self.fetch_all(query, params)]
        if limit is None:
            return Page(rows, None)
        return _page(rows, limit, lambda r: {"after": r.code})

    def agency_children(self, agency_id: UUID) -> list[AgencyRow]:
        query = SQL("{select} WHERE parent_id = %s ORDER BY code").format(
            select=self._agency_select()
        )
        return [_agency(r) for r in self.fetch_all(query, (agency_id,))]

    def agencies_by_id(self, ids: list[UUID]) -> dict[UUID, AgencyRow]:
        query = SQL("{select} WHERE id = ANY(%s)").format(select=self._agency_select())
        return {row.id: row for row in map(_agency, self.fetch_all(query, (ids,)))}

    def _agency_select(self) -> Composable:
        return SQL("SELECT id, code, kind, level, territory, parent_id, names FROM {table}").format(
            table=self.table("catalogue_agencies")
        )

    # --- queries: services ----------------------------------------------------------------

    def get_service(self, code: str) -> ServiceRow | None:
        query = SQL("{select} WHERE code = %s").format(select=self._service_select())
        row = self.fetch_one(query, (code,))
        return _service(row) if row else None

    def service_history(self, service_id: UUID) -> list[ServiceChange]:
        rows = self.fetch_all(
            """SELECT change, version, effective_from, reason, recorded_at
               FROM {schema}.catalogue_service_history WHERE service_id = %s
               ORDER BY event_version""",
            (service_id,),
        )
        return [
            ServiceChange(
                r["change"], r["version"], r["effective_from"], r["reason"], r["recorded_at"]
            )
            for r in rows
        ]

    def service_terms_version(self, service_id: UUID, version: int) -> dict[str, Any] | None:
        row = self.fetch_one(
            """SELECT terms FROM {schema}.catalogue_service_history
               WHERE service_id = %s AND version = %s AND terms IS NOT NULL
               ORDER BY event_version DESC LIMIT 1""",
            (service_id, version),
        )
        return dict(row["terms"]) if row else None

    def list_services(
        self, filters: ServiceFilter, *, cursor: str | None = None, limit: int = 20
    ) -> Page[ServiceRow]:
        conditions: list[Composable] = [SQL("s.status = ANY(%(statuses)s)")]
        params: dict[str, Any] = {"statuses": list(filters.statuses), "limit": limit + 1}
        score: Composable | None = None
        searching = bool(filters.text and filters.text.strip())
        key = decode_cursor(cursor, expect=("after", "score") if searching else ("after",))
        if searching:
            assert filters.text is not None
            score = text_score(self, self.table(WORDS_TABLE), filters.text, params)
            if score is None:  # a word like nothing in the catalogue
                return Page([], None)
        if filters.forms:
            conditions.append(SQL("s.form = ANY(%(forms)s)"))
            params["forms"] = list(filters.forms)
        if filters.jurisdiction:
            conditions.append(SQL("s.jurisdiction = %(jurisdiction)s"))
            params["jurisdiction"] = filters.jurisdiction
        if filters.category:
            conditions.append(SQL("s.category = %(category)s"))
            params["category"] = filters.category
        if filters.agency:
            agency = self.get_agency(filters.agency)
            if agency is None:
                raise InvalidQuery("agency", f"no agency has code or id {filters.agency!r}")
            conditions.append(
                SQL("s.agency_kind = %(agency_kind)s AND s.jurisdiction = %(agency_level)s")
            )
            params.update(agency_kind=agency.kind, agency_level=agency.level)
        if filters.territory:
            if self.get_territory(filters.territory) is None:
                raise InvalidQuery(
                    "territory", f"no territory has SOATO code {filters.territory!r}"
                )
            conditions.append(
                SQL(
                    "EXISTS (SELECT 1 FROM {agencies} a WHERE a.kind = s.agency_kind "
                    "AND a.level = s.jurisdiction AND (a.territory = ANY(%(ancestors)s) "
                    "OR a.territory LIKE %(subtree)s))"
                ).format(agencies=self.table("catalogue_agencies"))
            )
            params.update(
                ancestors=ancestor_codes(filters.territory), subtree=filters.territory + "%"
            )
        if score is not None:
            return self._ranked_services(score, conditions, params, key, limit)
        if key is not None:
            conditions.append(SQL("s.code > %(after)s"))
            params["after"] = str(key["after"])
        query = SQL("{select} WHERE {where} ORDER BY s.code LIMIT %(limit)s").format(
            select=self._service_select(), where=SQL(" AND ").join(conditions)
        )
        rows = [_service(r) for r in self.fetch_all(query, params)]
        return _page(rows, limit, lambda r: {"after": r.code})

    def _ranked_services(
        self,
        score: Composable,
        conditions: list[Composable],
        params: dict[str, Any],
        key: dict[str, Any] | None,
        limit: int,
    ) -> Page[ServiceRow]:
        """The services matching every word, best score first, then by code."""
        after: Composable = SQL("")
        if key is not None:
            try:
                params.update(after_score=Decimal(str(key["score"])), after=str(key["after"]))
            except ArithmeticError:
                raise InvalidQuery("cursor", "is not a cursor this endpoint returned") from None
            after = SQL(
                " AND (m.score < %(after_score)s"
                " OR (m.score = %(after_score)s AND m.code > %(after)s))"
            )
        query = SQL(
            "SELECT * FROM ({select}, {score} AS score FROM {table} s WHERE {where}) m"
            " WHERE m.score IS NOT NULL{after} ORDER BY m.score DESC, m.code LIMIT %(limit)s"
        ).format(
            select=_SERVICE_COLUMNS,
            score=score,
            table=self.table("catalogue_services"),
            where=SQL(" AND ").join(conditions),
            after=after,
        )
        rows = self.fetch_all(query, params)
        page = _page(rows, limit, lambda r: {"after": r["code"], "score": str(r["score"])})
        return Page([_service(r) for r in page.items], page.next)

    def _service_select(self) -> Composable:
        return SQL("{columns} FROM {table} s").format(
            columns=_SERVICE_COLUMNS, table=self.table("catalogue_services")
        )


_SERVICE_COLUMNS = SQL(
    "SELECT s.id, s.code, s.status, s.version, s.effective_from, s.terms, "
    "s.published_at, s.updated_at"
)


def _page(rows: list[Any], limit: int, key: Any) -> Page[Any]:
    if len(rows) > limit:
        return Page(rows[:limit], encode_cursor(key(rows[limit - 1])))
    return Page(rows, None)


def _territory(row: DictRow) -> TerritoryRow:
    former = tuple(
        FormerName(dict(f["names"]), date.fromisoformat(f["until"])) for f in row["former_names"]
    )
    return TerritoryRow(row["code"], row["level"], row["parent"], dict(row["names"]), former)


def _agency(row: DictRow) -> AgencyRow:
    return AgencyRow(
        row["id"],
        row["code"],
        row["kind"],
        row["level"],
        row["territory"],
        row["parent_id"],
        dict(row["names"]),
    )


def _service(row: DictRow) -> ServiceRow:
    return ServiceRow(
        row["id"],
        row["code"],
        row["status"],
        row["version"],
        row["effective_from"],
        dict(row["terms"]),
        row["published_at"],
        row["updated_at"],
    )
