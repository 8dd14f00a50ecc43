"""The catalogue read model's tables (``{schema}`` stands for the view's schema)."""

from __future__ import annotations

from projections.catalogue.text_match import WORDS_STATEMENTS, WORDS_TABLE

TABLE_NAMES = (
    "catalogue_territories",
    "catalogue_agencies",
    "catalogue_services",
    "catalogue_service_history",
    "catalogue_bhm_rates",
    WORDS_TABLE,
)
TABLE_STATEMENTS = (
    """CREATE TABLE IF NOT EXISTS {schema}.catalogue_territories (
        code text PRIMARY KEY,
        id uuid NOT NULL UNIQUE,
        level text NOT NULL,
        parent text,
        names jsonb NOT NULL,
        names_since date NOT NULL,
        updated_at timestamptz NOT NULL)""",
    # Each former name with the day it ceased: [{"names": {...}, "until": "YYYY-MM-DD"}].
    """ALTER TABLE {schema}.catalogue_territories
        ADD COLUMN IF NOT EXISTS former_names jsonb NOT NULL DEFAULT '[]'::jsonb""",
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
    # The act that set each rate (null: not verified), added after the table first shipped.
    "ALTER TABLE {schema}.catalogue_bhm_rates ADD COLUMN IF NOT EXISTS source jsonb",
    *WORDS_STATEMENTS,
)
