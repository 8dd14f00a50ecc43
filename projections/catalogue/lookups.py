"""What the application looks up in the catalogue read model: the agency directory
(``application.ports.AgencyDirectory``) and the BHM rates in force."""

from __future__ import annotations

from uuid import UUID

from psycopg.rows import DictRow

from application.ports import AgencyDetails
from application.read_models.catalogue import BhmRateRow
from domain.agency import AgencyRef
from domain.fees import BhmRates
from domain.territory import ancestor_codes
from projections.tracked_view import TrackedView


class CatalogueLookups(TrackedView):
    """The catalogue's lookups by the application's use cases (a base of CatalogueView)."""

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

    # --- fees -----------------------------------------------------------------------------

    def bhm_rates(self) -> BhmRates:
        rows = self.fetch_all(
            "SELECT effective_from, amount, currency FROM {schema}.catalogue_bhm_rates "
            "ORDER BY effective_from"
        )
        currency = rows[-1]["currency"] if rows else "UZS"
        return BhmRates(tuple((r["effective_from"], int(r["amount"])) for r in rows), currency)

    def bhm_rate_rows(self) -> list[BhmRateRow]:
        """Every rate by date, with its source, for the schedule's page."""
        rows = self.fetch_all(
            "SELECT effective_from, amount, currency, source FROM {schema}.catalogue_bhm_rates "
            "ORDER BY effective_from"
        )
        return [
            BhmRateRow(r["effective_from"], int(r["amount"]), r["currency"], r["source"])
            for r in rows
        ]


def _agency_ref(row: DictRow) -> AgencyRef:
    return AgencyRef(row["id"], row["code"], row["parent_id"], row["parent_code"])
