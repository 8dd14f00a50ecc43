"""Fee exemptions: who owes no fee for a service, the law that says so, and since when.

An exemption may be dated (``effective_from``/``effective_until``): couples with a registered
marriage contract owe no marriage registration duty only from the day the act sets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.errors import InvalidLegalSource, InvalidServiceTerms
from domain.i18n import Translations, require_translations
from domain.quoting import quoted
from domain.sources import LegalSource

_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,63}")


@dataclass(frozen=True)
class Exemption:
    """A category of applicants who owe no fee, and the law that says so."""

    code: str
    names: Translations
    legal_basis: str
    source: LegalSource | None = None
    effective_from: date | None = None  # None: for as long as the service's terms say
    effective_until: date | None = None  # the last day it applies

    @classmethod
    def from_dict(cls, data: object) -> Exemption:
        if not isinstance(data, dict):
            raise InvalidServiceTerms("exemptions must be a list of objects")
        code = data.get("code")
        if not isinstance(code, str) or not _SLUG.fullmatch(code):
            raise InvalidServiceTerms(
                f"exemptions[].code must match {_SLUG.pattern}, got {quoted(code)}"
            )
        basis = data.get("legal_basis")
        if not isinstance(basis, str) or not basis.strip():
            raise InvalidServiceTerms("exemptions[].legal_basis must be a non-empty text")
        try:
            source = LegalSource.optional(data.get("source"))
        except InvalidLegalSource as e:
            raise InvalidServiceTerms(f"exemptions[{code}].{e}") from None
        since = _day(code, "effective_from", data.get("effective_from"))
        until = _day(code, "effective_until", data.get("effective_until"))
        if since is not None and until is not None and until < since:
            raise InvalidServiceTerms(f"exemption {code} ends before it starts")
        return cls(
            code,
            require_translations("exemptions[].names", data.get("names")),
            basis.strip(),
            source,
            since,
            until,
        )

    def to_dict(self) -> dict[str, Any]:
        # The dated fields and the source are written only when set, so terms recorded
        # before they existed stay equal to their reference data.
        data: dict[str, Any] = {
            "code": self.code,
            "names": dict(self.names),
            "legal_basis": self.legal_basis,
        }
        if self.source is not None:
            data["source"] = self.source.to_dict()
        if self.effective_from is not None:
            data["effective_from"] = self.effective_from.isoformat()
        if self.effective_until is not None:
            data["effective_until"] = self.effective_until.isoformat()
        return data

    def in_force_on(self, day: date) -> bool:
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_until is None or day <= self.effective_until
        )


def _day(code: str, field: str, value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidServiceTerms(f"exemption {code}: {field} must be an ISO date (YYYY-MM-DD)")
