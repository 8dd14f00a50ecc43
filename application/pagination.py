"""Pages and their opaque cursors for every list a query service returns, and the error of
a query parameter a read model cannot use (the API answers it with a 422 naming it)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

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
