"""How long a permit or licence is valid: part of a service's terms.

A permit or licence is valid from the day of the decision. Its terms say until when: a
fixed number of months, the number of months the applicant asked for in a form field, or
the date in a form field. Without such a rule it has no time limit (the Law "On Licensing,
Permitting and Notification Procedures" issues licences and permits without one unless a
law sets it).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.errors import InvalidForm, InvalidServiceTerms
from domain.quoting import quoted

MAX_MONTHS = 1200  # a hundred years

_KEYS = ("months", "months_field", "until_field")


def months_later(day: date, months: int) -> date:
    """The day a term of ``months`` counted from ``day`` ends: the same day of the month,
    ``months`` later, or that month's last day when it has no such day (the Civil Code's
    rule for terms counted in months)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Validity:
    """Exactly one of: ``months`` (fixed), ``months_field`` (an integer form field) or
    ``until_field`` (a date form field)."""

    months: int | None = None
    months_field: str | None = None
    until_field: str | None = None

    @classmethod
    def from_dict(cls, data: object, form_schema: Mapping[str, Any]) -> Validity:
        if not isinstance(data, dict) or len(data) != 1 or next(iter(data)) not in _KEYS:
            raise InvalidServiceTerms(
                f"validity must be an object with exactly one of {', '.join(_KEYS)}, got "
                f"{quoted(data)}"
            )
        key, value = next(iter(data.items()))
        if key == "months":
            if (
                not isinstance(value, int)
                or isinstance(value, bool)
                or not 1 <= value <= MAX_MONTHS
            ):
                raise InvalidServiceTerms(
                    f"validity.months is a whole number from 1 to {MAX_MONTHS}, got {quoted(value)}"
                )
            return cls(months=value)
        properties = form_schema.get("properties", {})
        field = properties.get(value) if isinstance(value, str) else None
        required = form_schema.get("required", [])
        if not isinstance(field, dict) or value not in required:
            raise InvalidServiceTerms(
                f"validity.{key} names a required field of the form, got {quoted(value)}"
            )
        if key == "months_field":
            minimum = field.get("minimum")
            if field.get("type") != "integer" or not isinstance(minimum, int) or minimum < 1:
                raise InvalidServiceTerms(
                    f"validity.months_field "
                    f"{quoted(value)} must be an integer field with a minimum of 1"
                )
            return cls(months_field=value)
        if field.get("type") != "string" or field.get("format") != "date":
            raise InvalidServiceTerms(
                f"validity.until_field {quoted(value)} must be a date field "
                '("type": "string", "format": "date")'
            )
        return cls(until_field=value)

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in _KEYS if getattr(self, k) is not None}

    def until(self, valid_from: date, form: Mapping[str, Any]) -> date:
        """The last day of validity of a permit or licence granted on ``valid_from`` for
        this ``form``."""
        if self.months is not None:
            return months_later(valid_from, self.months)
        if self.months_field is not None:
            months = form.get(self.months_field)
            if not isinstance(months, int) or isinstance(months, bool) or months < 1:
                raise _invalid(self.months_field, "is not a whole number of months")
            return months_later(valid_from, min(months, MAX_MONTHS))
        assert self.until_field is not None
        try:
            return date.fromisoformat(str(form.get(self.until_field)))
        except ValueError:
            raise _invalid(self.until_field, "is not a date") from None


def _invalid(field: str, problem: str) -> InvalidForm:
    message = f"{problem}, and the permit's validity is counted by it"
    return InvalidForm(f"the form's {field} {message}", [(f"/{field}", message)])
