"""The catalogue's tables in PostgreSQL: written by the projection, read by the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from psycopg.rows import DictRow
from psycopg.sql import SQL, Composable, Literal
from psycopg.types.json import Jsonb

from application.ports import AgencyDetails
from domain.agency import AgencyRef
from domain.fees import BhmRates
from domain.territory import ancestor_codes
from projections.catalogue.search import index_text, normalise, trigrams
from projections.catalogue.text_match import WORDS_STATEMENTS, WORDS_TABLE, text_score
from projections.pagination import InvalidQuery, Page, decode_cursor, encode_cursor
from projections.tracked_view import TrackedView, Writer


@dataclass(frozen=True)
class TerritoryRow:
    code: str
    level: str
    parent: str | None
    names: dict[str, str]


@dataclass(frozen=True)
class AgencyRow:
    id: UUID
    code: str
    kind: str
    level: str
    territory: str
    parent_id: UUID | None
    names: dict[str, str]


@dataclass(frozen=True)
class ServiceRow:
    id: UUID
    code: str
    status: str
    version: int
    effective_from: date
    terms: dict[str, Any]
    published_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ServiceChange:
    change: str  # published | revised | suspended | resumed | retired
    version: int
    effective_from: date | None
    reason: str | None
    recorded_at: datetime


@dataclass(frozen=True)
class ServiceFilter:
    text: str | None = None
    agency: str | None = None  # agency code or id
    forms: tuple[int, ...] = ()
    jurisdiction: str | None = None
    territory: str | None = None  # SOATO code: services available to its residents
    category: str | None = None
    statuses: tuple[str, ...] = ("active", "suspended")


class CatalogueView(TrackedView):
    table_names = (
        "catalogue_territories",
        "catalogue_agencies",
        "catalogue_services",
        "catalogue_service_history",
        "catalogue_bhm_rates",
        WORDS_TABLE,
    )
    table_statements = (
        """CREATE TABLE IF NOT EXISTS {schema}.catalogue_territories (
            code text PRIMARY KEY,
            id uuid NOT NULL UNIQUE,
            level text NOT NULL,
            parent text,
            names jsonb NOT NULL,
            names_since date NOT NULL,
            updated_at timestamptz NOT NULL)""",
        """CREATE INDEX IF NOT EXISTS catalogue_territories_parent_idx
            ON {schema}.catalogue_territories (parent, code)""",
        """CREATE TABLE IF NOT EXISTS {schema}.catalogue_agencies (
            id uuid PRIMARY KEY,
            code text NOT NULL UNIQUE,
            kind text NOT NULL,
            level text NOT NULL,
            territory text NOT NULL,
            parent_id uuid,
            names jsonb NOT NULL,
            names_since date NOT NULL,
            updated_at timestamptz NOT NULL)""",
        """CREATE INDEX IF NOT EXISTS catalogue_agencies_kind_idx
            ON {schema}.catalogue_agencies (kind, level, territory)""",
        """CREATE INDEX IF NOT EXISTS catalogue_agencies_territory_idx
            ON {schema}.catalogue_agencies (territory text_pattern_ops)""",
        """CREATE TABLE IF NOT EXISTS {schema}.catalogue_services (
            id uuid PRIMARY KEY,
            code text NOT NULL UNIQUE,
            status text NOT NULL,
            version integer NOT NULL,
            effective_from date NOT NULL,
            category text NOT NULL,
            form smallint NOT NULL,
            jurisdiction text NOT NULL,
            agency_kind text NOT NULL,
            terms jsonb NOT NULL,
            search_text text NOT NULL,
            published_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS {schema}.catalogue_service_history (
            service_id uuid NOT NULL,
            event_version integer NOT NULL,
            change text NOT NULL,
            version integer NOT NULL,
            effective_from date,
            reason text,
            terms jsonb,
            recorded_at timestamptz NOT NULL,
            PRIMARY KEY (service_id, event_version))""",
        """CREATE TABLE IF NOT EXISTS {schema}.catalogue_bhm_rates (
            effective_from date PRIMARY KEY,
            amount bigint NOT NULL,
            currency text NOT NULL,
            recorded_at timestamptz NOT NULL)""",
        *WORDS_STATEMENTS,
    )

    # --- writes (each returns a writer for TrackedView.apply) ----------------------------

    def upsert_territory(
        self,
        territory_id: UUID,
        code: str,
        level: str,
        parent: str | None,
        names: dict[str, str],
        since: date,
        at: datetime,
    ) -> Writer:
        statement = self.sql(
            """INSERT INTO {schema}.catalogue_territories
               (code, id, level, parent, names, names_since, updated_at)
               VALUES (%s, %s, %s, %s, %s, %s, %s)
               ON CONFLICT (code) DO UPDATE SET level = EXCLUDED.level,
               parent = EXCLUDED.parent, names = EXCLUDED.names,
               names_since = EXCLUDED.names_since, updated_at = EXCLUDED.updated_at"""
        )
        params = (code, territory_id, level, parent, Jsonb(names), since, at)
        return lambda c: c.execute(statement, params, prepare=True)

    def rename_territory(
        self, territory_id: UUID, names: dict[str, str], since: date, at: datetime
    ) -> Writer:
        statement = self.sql(
            """UPDATE {schema}.catalogue_territories
               SET names = %s, names_since = %s, updated_at = %s WHERE id = %s"""
        )
        return lambda c: c.execute(statement, (Jsonb(names), since, at, territory_id), prepare=True)

    def upsert_agency(self, row: AgencyRow, since: date, at: datetime) -> Writer:
        statement = self.sql(
            """INSERT INTO {schema}.catalogue_agencies
               (id, code, kind, level, territory, parent_id, names, names_since, updated_at)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
               ON CONFLICT (id) DO UPDATE SET code = EXCLUDED.code, kind = EXCLUDED.kind,
               level = EXCLUDED.level, territory = EXCLUDED.territory,
               parent_id = EXCLUDED.parent_id, names = EXCLUDED.names,
               names_since = EXCLUDED.names_since, updated_at = EXCLUDED.updated_at"""
        )
        params = (
            row.id,
            row.code,
            row.kind,
            row.level,
            row.territory,
            row.parent_id,
            Jsonb(row.names),
            since,
            at,
        )
        return lambda c: c.execute(statement, params, prepare=True)

    def rename_agency(
        self, agency_id: UUID, names: dict[str, str], since: date, at: datetime
    ) -> Writer:
        statement = self.sql(
            """UPDATE {schema}.catalogue_agencies
               SET names = %s, names_since = %s, updated_at = %s WHERE id = %s"""
        )
        return lambda c: c.execute(statement, (Jsonb(names), since, at, agency_id), prepare=True)

    def publish_service(
        self, service_id: UUID, code: str, terms: dict[str, Any], since: date, at: datetime
    ) -> Writer:
        statement = self.sql(
            """INSERT INTO {schema}.catalogue_services
               (id, code, status, version, effective_from, category, form, jurisdiction,
                agency_kind, terms, search_text, published_at, updated_at)
               VALUES (%s, %s, 'active', 1, %s, %s, %s, %s, %s, %s, %s, %s, %s)
               ON CONFLICT (id) DO NOTHING"""
        )
        search_text = service_search_text(terms)
        params = (
            service_id,
            code,
            since,
            terms["category"],
            terms["form"],
            terms["jurisdiction"],
            terms["agency_kind"],
            Jsonb(terms),
            search_text,
            at,
            at,
        )
        words = self._add_search_words(f"{search_text} {normalise(code)}")
        return lambda c: (c.execute(statement, params, prepare=True), words(c))

    def revise_service(
        self, service_id: UUID, terms: dict[str, Any], since: date, at: datetime
    ) -> Writer:
        statement = self.sql(
            """UPDATE {schema}.catalogue_services SET version = version + 1,
               effective_from = %s, category = %s, form = %s, jurisdiction = %s,
               agency_kind = %s, terms = %s, search_text = %s, updated_at = %s
               WHERE id = %s"""
        )
        search_text = service_search_text(terms)
        params = (
            since,
            terms["category"],
            terms["form"],
            terms["jurisdiction"],
            terms["agency_kind"],
            Jsonb(terms),
            search_text,
            at,
            service_id,
        )
        words = self._add_search_words(search_text)
        return lambda c: (c.execute(statement, params, prepare=True), words(c))

    def _add_search_words(self, text: str) -> Writer:
        """Adds the words of ``text`` the catalogue did not hold, with their trigrams."""
        statement = self.sql(
            """INSERT INTO {schema}.catalogue_search_words (word, trigrams)
               SELECT word, string_to_array(grams, '|')
               FROM unnest(%s::text[], %s::text[]) AS added(word, grams)
               ON CONFLICT (word) DO NOTHING"""
        )
        words = list(dict.fromkeys(text.split()))  # words hold no "|": it is not a letter
        grams = ["|".join(trigrams(word)) for word in words]
        return lambda c: c.execute(statement, (words, grams), prepare=True)

    def set_service_status(self, service_id: UUID, status: str, at: datetime) -> Writer:
        statement = self.sql(
            "UPDATE {schema}.catalogue_services SET status = %s, updated_at = %s WHERE id = %s"
        )
        return lambda c: c.execute(statement, (status, at, service_id), prepare=True)

    def record_service_change(
        self,
        service_id: UUID,
        event_version: int,
        change: str,
        *,
        at: datetime,
        since: date | None = None,
        reason: str | None = None,
        terms: dict[str, Any] | None = None,
    ) -> Writer:
        statement = self.sql(
            """INSERT INTO {schema}.catalogue_service_history
               (service_id, event_version, change, version, effective_from, reason, terms,
                recorded_at)
               SELECT %s, %s, %s, s.version, %s, %s, %s, %s
               FROM {schema}.catalogue_services s WHERE s.id = %s
               ON CONFLICT DO NOTHING"""
        )
        params = (
            service_id,
            event_version,
            change,
            since,
            reason,
            Jsonb(terms) if terms is not None else None,
            at,
            service_id,
        )
        return lambda c: c.execute(statement, params, prepare=True)

    def set_bhm_rate(self, since: date, amount: int, currency: str, at: datetime) -> Writer:
        statement = self.sql(
            """INSERT INTO {schema}.catalogue_bhm_rates (effective_from, amount, currency,
               recorded_at) VALUES (%s, %s, %s, %s)
               ON CONFLICT (effective_from) DO UPDATE SET amount = EXCLUDED.amount,
               currency = EXCLUDED.currency, recorded_at = EXCLUDED.recorded_at"""
        )
        return lambda c: c.execute(statement, (since, amount, currency, at), prepare=True)

    # --- queries: territories -------------------------------------------------------------

    def get_territory(self, code: str) -> TerritoryRow | None:
        row = self.fetch_one(
            "SELECT code, level, parent, names FROM {schema}.catalogue_territories WHERE code = %s",
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
            "SELECT code, level, parent, names FROM {table} WHERE {where} "
            "ORDER BY code LIMIT %(limit)s"
        ).format(table=self.table("catalogue_territories"), where=SQL(" AND ").join(conditions))
        rows = [_territory(r) for r in self.fetch_all(query, params)]
        return _page(rows, limit, lambda r: {"after": r.code})

    def all_territories(self) -> list[TerritoryRow]:
        rows = self.fetch_all(
            "SELECT code, level, parent, names FROM {schema}.catalogue_territories ORDER BY code"
        )
        return [_territory(r) for r in rows]

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

    # --- the agency directory (application.ports.AgencyDirectory) -----------------------

    def responsible_agency(self, kind: str, level: str, territory: str) -> AgencyRef | None:
        """The agency of ``kind`` at ``level`` located in ``territory`` or its nearest
        ancestor: a district service goes to the district's body, a regional one to the
        region's, a republic one to the ministry."""
        row = self.fetch_one(
            """SELECT a.id, a.code, a.parent_id, p.code AS parent_code
               FROM {schema}.catalogue_agencies a
               LEFT JOIN {schema}.catalogue_agencies p ON p.id = a.parent_id
               WHERE a.kind = %s AND a.level = %s AND a.territory = ANY(%s)
               ORDER BY length(a.territory) DESC, a.code LIMIT 1""",
            (kind, level, ancestor_codes(territory)),
        )
        return _agency_ref(row) if row else None

    def agency_ref(self, agency_id: UUID) -> AgencyRef | None:
        row = self.fetch_one(
            """SELECT a.id, a.code, a.parent_id, p.code AS parent_code
               FROM {schema}.catalogue_agencies a
               LEFT JOIN {schema}.catalogue_agencies p ON p.id = a.parent_id
               WHERE a.id = %s""",
            (agency_id,),
        )
        return _agency_ref(row) if row else None

    def agency_by_code(self, code: str) -> AgencyRef | None:
        row = self.fetch_one(
            """SELECT a.id, a.code, a.parent_id, p.code AS parent_code
               FROM {schema}.catalogue_agencies a
               LEFT JOIN {schema}.catalogue_agencies p ON p.id = a.parent_id
               WHERE a.code = %s""",
            (code,),
        )
        return _agency_ref(row) if row else None

    def has_agency_code(self, code: str) -> bool:
        row = self.fetch_one(
            "SELECT 1 AS found FROM {schema}.catalogue_agencies WHERE code = %s", (code,)
        )
        return row is not None

    def agency_names(self, agency_id: UUID) -> dict[str, str] | None:
        row = self.fetch_one(
            "SELECT names FROM {schema}.catalogue_agencies WHERE id = %s", (agency_id,)
        )
        return dict(row["names"]) if row else None

    def agency_details(self, agency_id: UUID) -> AgencyDetails | None:
        row = self.fetch_one(
            """SELECT a.names, a.territory, p.names AS parent_names, t.names AS territory_names
               FROM {schema}.catalogue_agencies a
               LEFT JOIN {schema}.catalogue_agencies p ON p.id = a.parent_id
               LEFT JOIN {schema}.catalogue_territories t ON t.code = a.territory
               WHERE a.id = %s""",
            (agency_id,),
        )
        if row is None:
            return None
        return AgencyDetails(
            names=dict(row["names"]),
            parent_names=dict(row["parent_names"]) if row["parent_names"] else None,
            territory_code=row["territory"],
            territory_names=dict(row["territory_names"]) if row["territory_names"] else None,
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

    # --- queries: fees --------------------------------------------------------------------

    def bhm_rates(self) -> BhmRates:
        rows = self.fetch_all(
            "SELECT effective_from, amount, currency FROM {schema}.catalogue_bhm_rates "
            "ORDER BY effective_from"
        )
        currency = rows[-1]["currency"] if rows else "UZS"
        return BhmRates(tuple((r["effective_from"], int(r["amount"])) for r in rows), currency)


_SERVICE_COLUMNS = SQL(
    "SELECT s.id, s.code, s.status, s.version, s.effective_from, s.terms, "
    "s.published_at, s.updated_at"
)


def service_search_text(terms: dict[str, Any]) -> str:
    """The searchable text of a service's terms, in all four languages, normalised (in
    Latin: Cyrillic is transliterated)."""
    parts = [terms.get("category", "")]
    for field in ("names", "descriptions"):
        parts.extend(terms.get(field, {}).values())
    return index_text(" ".join(parts))


def _page(rows: list[Any], limit: int, key: Any) -> Page[Any]:
    if len(rows) > limit:
        return Page(rows[:limit], encode_cursor(key(rows[limit - 1])))
    return Page(rows, None)


def _territory(row: DictRow) -> TerritoryRow:
    return TerritoryRow(row["code"], row["level"], row["parent"], dict(row["names"]))


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


def _agency_ref(row: DictRow) -> AgencyRef:
    return AgencyRef(row["id"], row["code"], row["parent_id"], row["parent_code"])


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
