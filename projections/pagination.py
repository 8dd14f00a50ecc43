"""Keyset paging in SQL for the read models; pages, cursors and ``InvalidQuery`` are the
application's (``application.pagination``), re-exported for the projections' modules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg.sql import SQL, Composable

from application.pagination import InvalidQuery, Page, decode_cursor, encode_cursor

__all__ = ["GroupedKeyset", "InvalidQuery", "Page", "decode_cursor", "encode_cursor"]


@dataclass(frozen=True)
class GroupedKeyset:
    """The pieces of a ``GROUP BY`` query paged by its group key: ``selected`` (each
    dimension, NULL kept apart from every value), ``ordered`` (the group key, for GROUP BY
    and ORDER BY) and ``having`` (the groups after the cursor's key; empty on page one)."""

    selected: Composable
    ordered: Composable
    having: Composable

    @classmethod
    def of(
        cls,
        expressions: dict[str, str],
        key: dict[str, Any] | None,
        params: dict[str, Any],
    ) -> GroupedKeyset:
        """``expressions``: dimension name -> SQL text expression, in key order. Adds the
        cursor's values to ``params``; ``InvalidQuery`` if the cursor is another grouping's."""
        grouped = [f"coalesce({expression}, '')" for expression in expressions.values()]
        selected = SQL(", ").join(
            SQL(f"nullif({g}, '') AS {d}") for g, d in zip(grouped, expressions, strict=True)
        )
        ordered = SQL(", ").join(SQL(g) for g in grouped)
        having: Composable = SQL("")
        if key is not None:
            after = key["after"]
            if not isinstance(after, list) or len(after) != len(expressions):
                raise InvalidQuery("cursor", "is not a cursor of this grouping")
            having = SQL("HAVING ({}) > ({})").format(
                ordered, SQL(", ").join(SQL(f"%(k{i})s") for i in range(len(after)))
            )
            params.update({f"k{i}": str(value) for i, value in enumerate(after)})
        return cls(selected, ordered, having)

    @staticmethod
    def next_cursor(last: dict[str, Any], dims: list[str]) -> str:
        """The cursor of the page after the one ending with group ``last``."""
        return encode_cursor({"after": [last[d] or "" for d in dims]})
