"""How the catalogue read model is written: the rows its events insert or change, declared
for the projection (``projections.catalogue.projection``), and the view's writers (a base
of ``CatalogueView``), each returning a writer for ``TrackedView.apply``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from psycopg.types.json import Jsonb

from domain.fees import DEFAULT_CURRENCY
from projections.catalogue.search import index_text, normalise, trigrams
from projections.declared import Insert, Update, const, day, field
from projections.tracked_view import TrackedView, Writer

if TYPE_CHECKING:
    from application.read_models.catalogue import AgencyRow

TERRITORY_ROW = Insert(
    "catalogue_territories",
    {
        "code": field("code"),
        "id": field("originator_id"),
        "level": field("level"),
        "parent": field("parent"),
        "names": field("names", Jsonb),
        "names_since": day("effective_from"),
        "updated_at": field("timestamp"),
    },
    conflict=("code",),
    update=("level", "parent", "names", "names_since", "updated_at"),
)
AGENCY_ROW = Insert(
    "catalogue_agencies",
    {
        "id": field("originator_id"),
        "code": field("code"),
        "kind": field("kind"),
        "level": field("level"),
        "territory": field("territory"),
        "parent_id": field("parent_id"),
        "names": field("names", Jsonb),
        "names_since": day("effective_from"),
        "updated_at": field("timestamp"),
    },
    conflict=("id",),
    update=(
        "code",
        "kind",
        "level",
        "territory",
        "parent_id",
        "names",
        "names_since",
        "updated_at",
    ),
)
BHM_RATE_ROW = Insert(
    "catalogue_bhm_rates",
    {
        "effective_from": day("effective_from"),
        "amount": field("amount"),
        "currency": const(DEFAULT_CURRENCY),
        "recorded_at": field("timestamp"),
        "source": field("source", lambda s: None if s is None else Jsonb(s)),
    },
    conflict=("effective_from",),
    update=("amount", "currency", "recorded_at", "source"),
)


def renamed(table: str) -> Update:
    """New names of an agency, and the day they hold from."""
    return Update(table, {"names": field("names", Jsonb), "names_since": day("effective_from")})


@dataclass(frozen=True, eq=False)
class TerritoryRenamed:
    """New names of a territory from a day; the names it had join its former names, so a
    search still finds it by them (written by :meth:`CatalogueWrites.rename_territory`)."""

    def writer(self, view: CatalogueWrites, e: Any) -> Writer:
        since = date.fromisoformat(e.effective_from)
        return view.rename_territory(e.originator_id, e.names, since, e.timestamp)


TERRITORY_RECLASSIFIED = Update("catalogue_territories", {"level": field("level")})


def service_status(status: str) -> Update:
    return Update("catalogue_services", {"status": const(status)})


@dataclass(frozen=True, eq=False)
class ServiceHistory:
    """A change of a service joins its history, at the version the service is at (read
    from its row, so written by :meth:`CatalogueWrites.record_service_change`)."""

    change: str
    with_reason: bool = False  # the event's reason, recorded with the change

    def writer(self, view: CatalogueWrites, e: Any) -> Writer:
        reason = e.reason if self.with_reason else None
        return view.record_service_change(
            e.originator_id, e.originator_version, self.change, at=e.timestamp, reason=reason
        )


class CatalogueWrites(TrackedView):
    """The catalogue's writers (a base of CatalogueView)."""

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
        return TERRITORY_ROW.writer_of(
            self,
            code=code,
            id=territory_id,
            level=level,
            parent=parent,
            names=Jsonb(names),
            names_since=since,
            updated_at=at,
        )

    def rename_territory(
        self, territory_id: UUID, names: dict[str, str], since: date, at: datetime
    ) -> Writer:
        statement = self.sql(
            """UPDATE {schema}.catalogue_territories SET
               former_names = former_names || jsonb_build_array(
                   jsonb_build_object('names', names, 'until', %s::text)),
               names = %s, names_since = %s, updated_at = %s
               WHERE id = %s"""
        )
        params = (since.isoformat(), Jsonb(names), since, at, territory_id)
        return lambda c: c.execute(statement, params, prepare=True)

    def upsert_agency(self, row: AgencyRow, since: date, at: datetime) -> Writer:
        return AGENCY_ROW.writer_of(
            self,
            id=row.id,
            code=row.code,
            kind=row.kind,
            level=row.level,
            territory=row.territory,
            parent_id=row.parent_id,
            names=Jsonb(row.names),
            names_since=since,
            updated_at=at,
        )

    def rename_agency(
        self, agency_id: UUID, names: dict[str, str], since: date, at: datetime
    ) -> Writer:
        return self.update_row(
            "catalogue_agencies", "id", agency_id, at, names=Jsonb(names), names_since=since
        )

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
        return self.update_row("catalogue_services", "id", service_id, at, status=status)

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

    def set_bhm_rate(
        self,
        since: date,
        amount: int,
        currency: str,
        at: datetime,
        source: dict[str, Any] | None = None,
    ) -> Writer:
        return BHM_RATE_ROW.writer_of(
            self,
            effective_from=since,
            amount=amount,
            currency=currency,
            recorded_at=at,
            source=None if source is None else Jsonb(source),
        )

    def withdraw_bhm_rate(self, since: date) -> Writer:
        """A rate set under a wrong date is gone from the schedule (``RateWithdrawn``)."""
        statement = self.sql("DELETE FROM {schema}.catalogue_bhm_rates WHERE effective_from = %s")
        return lambda c: c.execute(statement, (since,), prepare=True)


def service_search_text(terms: dict[str, Any]) -> str:
    """The searchable text of a service's terms, in all four languages, normalised (in
    Latin: Cyrillic is transliterated)."""
    parts = [terms.get("category", "")]
    for texts in ("names", "descriptions"):
        parts.extend(terms.get(texts, {}).values())
    return index_text(" ".join(parts))
