"""Where a legal value comes from: the act, its number and date, the article, a lex.uz link.

Every fee rule, exemption, BHM rate, legal term and holiday in the reference data carries one
(or says ``null``: nobody could find the act, and a test lists those). The source travels in
the events that seed the value, so an official can check any figure against the law.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.errors import InvalidLegalSource
from domain.quoting import quoted

_LEX_UZ = re.compile(r"https://lex\.uz/(?:[a-z]{2}/)?docs/-?\d+(?:#-?\d+)?")
_FIELDS = ("act", "number", "date", "article", "url")


def _text(field: str, value: object, *, limit: int = 500, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidLegalSource(f"source.{field} must be a non-empty text, got {quoted(value)}")
    if len(value) > limit:
        raise InvalidLegalSource(f"source.{field} is longer than {limit} characters")
    return value.strip()


@dataclass(frozen=True)
class LegalSource:
    """One act of law: ``act`` is its title (``Law "On state duty"``), ``number`` its
    registration number (``ZRU-600``), ``date`` the day it was adopted or signed, ``article``
    the article, item or annex row; ``url`` a lex.uz reference where one exists."""

    act: str
    number: str | None
    date: date
    article: str | None = None
    url: str | None = None

    @classmethod
    def from_dict(cls, data: object) -> LegalSource:
        if not isinstance(data, dict):
            raise InvalidLegalSource(f"a source must be an object, got {quoted(data)}")
        unknown = sorted(set(data) - set(_FIELDS))
        if unknown:
            raise InvalidLegalSource(f"a source has no field {', '.join(unknown)}")
        raw_date = data.get("date")
        try:
            adopted = date.fromisoformat(raw_date) if isinstance(raw_date, str) else None
        except ValueError:
            adopted = None
        if adopted is None:
            raise InvalidLegalSource(
                f"source.date must be an ISO date (YYYY-MM-DD), got {quoted(raw_date)}"
            )
        url = _text("url", data.get("url"), optional=True)
        if url is not None and not _LEX_UZ.fullmatch(url):
            raise InvalidLegalSource(
                "source.url must be a lex.uz document link (https://lex.uz/docs/N), "
                f"got {quoted(url)}"
            )
        act = _text("act", data.get("act"))
        assert act is not None
        return cls(
            act=act,
            number=_text("number", data.get("number"), limit=100, optional=True),
            date=adopted,
            article=_text("article", data.get("article"), optional=True),
            url=url,
        )

    @classmethod
    def optional(cls, data: object) -> LegalSource | None:
        """``None`` for a value whose act nobody could find (``"source": null``)."""
        return None if data is None else cls.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        return {
            "act": self.act,
            "number": self.number,
            "date": self.date.isoformat(),
            "article": self.article,
            "url": self.url,
        }

    def cite(self) -> str:
        """One line an official reads: ``Law "On state duty", No. ZRU-600 of 2020-01-06, ...``."""
        parts = [self.act]
        if self.number:
            parts.append(f"No. {self.number} of {self.date.isoformat()}")
        else:
            parts.append(f"of {self.date.isoformat()}")
        if self.article:
            parts.append(self.article)
        return ", ".join(parts)


def source_dict(source: LegalSource | None) -> dict[str, Any] | None:
    return None if source is None else source.to_dict()
