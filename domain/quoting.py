"""Quoting input in error messages: a short prefix at most, so an error never grows with
the input it refuses. Only for non-personal values (codes, numbers, kinds); a form's
values are never quoted at all."""

from __future__ import annotations

QUOTE_LIMIT = 64  # characters of an input an error message may quote


def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    """``repr(value)``, cut to its first ``limit`` characters and marked "…" when cut."""
    if isinstance(value, str) and len(value) > limit:
        return repr(value[:limit]) + "…"
    text = repr(value)
    return text if len(text) <= limit + 2 else text[: limit + 2] + "…"


def bounded(text: str, limit: int = 300) -> str:
    """``text`` cut to ``limit`` characters, marked "…" when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
