"""Opaque cursors for list endpoints, and the errors of bad query parameters."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from psycopg.sql import SQL, Composable

T = TypeVar("T")


class InvalidQuery(ValueError):
    """A query parameter the read model cannot use; ``param`` names it."""

    def __init__(self, param: str, detail: str) -> None:
        super().__init__(f"{param}: {detail}")
        self.param = param
        self.detail = detail


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next: str | None


def encode_cursor(key: dict[str, Any]) -> str:
    raw = json.dumps(key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, expect: tuple[str, ...]) -> dict[str, Any] | None:
    """The key a cursor carries, or None for the first page; ``InvalidQuery`` if forged."""
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError):
        raise InvalidQuery("cursor", "is not a cursor this endpoint returned") from None
    if not isinstance(key, dict) or set(key) != set(expect):
        raise InvalidQuery("cursor", "is not a cursor this endpoint returned")
    return key


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
