"""What a result document grants: the facts drawn from the application's form, titled in
the document's language, and a permit's or licence's validity.

Pure rules over the service's pinned terms; the renderer only lays them out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.errors import InvalidPinfl
from domain.i18n import pick
from domain.identity import validate_pinfl
from domain.service import VALIDITY_KINDS, ServiceTerms

APPROVED = "approved"
#: Results with no facts of their own (a reply to a request for information).
NO_FACTS_KINDS = ("information",)

#: Fields that say how to reach the applicant or deliver or pay the result: not part of what
#: was granted, and a document is shown to third parties.
NOT_GRANTED_FIELDS = frozenset(
    {
        "phone",
        "email",
        "postal_address",
        "delivery",
        "response_channel",
        "bank_card_number",
        "payment_method",
        "language",
        "file_format",
    }
)

_YES_NO: Mapping[str, tuple[str, str]] = {
    "uz-Latn": ("Ha", "Yoʻq"),
    "uz-Cyrl": ("Ҳа", "Йўқ"),
    "ru": ("Да", "Нет"),
    "en": ("Yes", "No"),
}


@dataclass(frozen=True)
class GrantedFact:
    label: str  # the field's title in the document's language
    value: str  # one line per nested field or item


@dataclass(frozen=True)
class ValidityPeriod:
    valid_from: date
    valid_until: date | None  # None: no time limit


@dataclass(frozen=True)
class Granted:
    facts: tuple[GrantedFact, ...] = ()
    validity: ValidityPeriod | None = None


def mask_pinfl(pinfl: str) -> str:
    """A PINFL with all but its first and last four digits hidden."""
    return pinfl[:4] + "*" * (len(pinfl) - 8) + pinfl[-4:] if len(pinfl) > 8 else "*" * len(pinfl)


def what_is_granted(
    terms: ServiceTerms,
    form: Mapping[str, Any],
    language: str,
    *,
    outcome: str,
    decided_on: date,
) -> Granted:
    """The facts an approval grants under ``terms`` (nothing for a refusal), and for a
    permit or licence its validity from ``decided_on``."""
    if outcome != APPROVED or terms.result_kind in NO_FACTS_KINDS:
        return Granted()
    facts = granted_facts(terms.form_schema, form, language)
    if terms.result_kind not in VALIDITY_KINDS:
        return Granted(facts)
    until = terms.validity.until(decided_on, form) if terms.validity else None
    return Granted(facts, ValidityPeriod(decided_on, until))


def granted_facts(
    schema: Mapping[str, Any], form: Mapping[str, Any], language: str
) -> tuple[GrantedFact, ...]:
    """The form's fields as the schema declares them, in its order, titled in ``language``
    (its ``x-titles``, else its ``title``, else the field's name). Values are as given;
    yes/no in ``language``; a nested object or a list of objects gives a line per field or
    item. A field whose name ends in ``pinfl``, and any value that is a PINFL, is masked at
    any depth. Empty fields,
    fields the schema does not declare and contact or delivery details are left out."""
    return tuple(
        GrantedFact(label, value) for label, value in _entries(schema, form, language, depth=0)
    )


def _entries(
    schema: Mapping[str, Any], values: Mapping[str, Any], language: str, *, depth: int
) -> list[tuple[str, str]]:
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return []
    entries = []
    for name, field in properties.items():
        value = values.get(name)
        if name in NOT_GRANTED_FIELDS or _is_empty(value) or not isinstance(field, Mapping):
            continue
        entries.append(
            (_title(name, field, language), _format(name, field, value, language, depth=depth))
        )
    return entries


def _title(name: str, field: Mapping[str, Any], language: str) -> str:
    titles = field.get("x-titles")
    if isinstance(titles, Mapping) and titles:
        return pick(titles, language)
    title = field.get("title")
    return title if isinstance(title, str) and title else name


def _format(name: str, field: Mapping[str, Any], value: Any, language: str, *, depth: int) -> str:
    if isinstance(value, bool):
        yes, no = _YES_NO.get(language, _YES_NO["en"])
        return yes if value else no
    if _identifies_by_pinfl(name, value):
        return mask_pinfl(str(value))
    if isinstance(value, Mapping):
        parts = [f"{label}: {text}" for label, text in _entries(field, value, language, depth=1)]
        return ("\n" if depth == 0 else "; ").join(parts)
    if isinstance(value, list):
        items = field.get("items")
        item_schema = items if isinstance(items, Mapping) else {}
        texts = [
            _format(name, item_schema, item, language, depth=1)
            for item in value
            if not _is_empty(item)
        ]
        if any(isinstance(item, Mapping) for item in value):
            return "\n".join(f"{number}. {text}" for number, text in enumerate(texts, 1))
        return ", ".join(texts)
    return str(value)


def _identifies_by_pinfl(name: str, value: Any) -> bool:
    """A field named for a PINFL, or any text that is a well-formed PINFL (a "PINFL or TIN"
    identifier holding a PINFL, say)."""
    if isinstance(value, Mapping | list):
        return False
    if name.lower().endswith("pinfl"):
        return True
    try:
        validate_pinfl(value)
    except InvalidPinfl:
        return False
    return True


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | Mapping) and not value)
