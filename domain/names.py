"""Names that change on effective dates (territories and agencies are renamed by law)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from domain.errors import InvalidEffectiveDate, NothingChanged
from domain.i18n import Translations, require_translations


@dataclass
class NameHistory:
    """Every set of names an entity has had, each with the date it took effect."""

    entries: list[tuple[date, Translations]] = field(default_factory=list)

    @classmethod
    def starting(cls, names: Translations, effective_from: str) -> NameHistory:
        return cls([(date.fromisoformat(effective_from), names)])

    @property
    def current(self) -> Translations:
        return self.entries[-1][1]

    @property
    def current_since(self) -> date:
        return self.entries[-1][0]

    def on(self, day: date) -> Translations:
        """The names in force on ``day`` (the first names before the first date)."""
        current = self.entries[0][1]
        for since, names in self.entries:
            if since <= day:
                current = names
        return current

    def check_rename(self, subject: str, names: object, effective_from: date) -> Translations:
        """Validate a rename of ``subject``; return the new names to record."""
        new_names = require_translations("names", names)
        if new_names == self.current:
            raise NothingChanged(f"{subject} already has these names")
        if effective_from < self.current_since:
            raise InvalidEffectiveDate(
                f"a rename of {subject} cannot take effect before its current names "
                f"({self.current_since.isoformat()})"
            )
        return new_names

    def former(self) -> list[tuple[Translations, date]]:
        """Every earlier set of names with the day the next one took effect (oldest first)."""
        return [
            (names, self.entries[index + 1][0])
            for index, (_, names) in enumerate(self.entries[:-1])
        ]

    def add(self, names: Translations, effective_from: str) -> None:
        self.entries.append((date.fromisoformat(effective_from), names))
