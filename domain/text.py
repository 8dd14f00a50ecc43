"""Free texts the commands record (reasons, messages, appeal texts): trimmed and bounded."""

from __future__ import annotations

from domain.errors import InvalidInput


def required_text(field: str, value: str, limit: int = 4000) -> str:
    """``value`` trimmed; refused when it is not a text, is blank, or is longer than ``limit``."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{field} must be a non-empty text")
    if len(value) > limit:
        raise InvalidInput(f"{field} is longer than {limit} characters")
    return value.strip()
