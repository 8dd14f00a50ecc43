"""Reading a read model's tables whole, to compare them."""

from __future__ import annotations

from typing import Any

from psycopg import sql

from infrastructure.database import DatabaseConfig


def dump_tables(database: DatabaseConfig, schema: str, tables: tuple[str, ...]) -> dict[str, Any]:
    """Every row of each table, ordered, as comparable Python values."""
    dumped: dict[str, Any] = {}
    with database.connect() as conn:
        for table in tables:
            rows = conn.execute(
                sql.SQL("SELECT to_jsonb(t) AS row FROM {} t").format(sql.Identifier(schema, table))
            ).fetchall()
            dumped[table] = sorted((r[0] for r in rows), key=lambda r: repr(sorted(r.items())))
    return dumped


def count_events(database: DatabaseConfig, schema: str, table: str = "catalogue_events") -> int:
    with database.connect() as conn:
        row = conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, table))
        ).fetchone()
    assert row is not None
    return int(row[0])  # type: ignore[call-overload]
