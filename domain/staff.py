"""Yagona's staff directory: who is appointed officer (of an agency), auditor or
administrator. An identity provider says who a person is; only this says what they may do
in Yagona. Citizens are not appointed (they are whoever the identity provider says), nor
are integrators (they hold API keys).

One aggregate per staff subject (the identity provider's ``sub``), its id derived from
it: appointed, appointed again on other terms (a role change, another agency, a new
position), revoked, appointed again. The events record who did it (``meta``) and when.

(Their topics are stored with the staff directory's events: they must not move.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidAppointment, LastAdministrator, NoAppointment
from domain.identity import ADMIN, AUDITOR, OFFICER
from domain.ids import natural_id
from domain.quoting import quoted
from domain.text import required_text

STAFF_ROLES = (OFFICER, AUDITOR, ADMIN)
# An identity provider's subject: a PINFL or an account id; no spaces or control characters.
SUBJECT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@|+-]{0,199}")
NAME_LIMIT = 200
REASON_LIMIT = 1000


def staff_subject(subject: object) -> str:
    """``subject`` if it can name a staff member, else ``InvalidAppointment`` (the value is
    not quoted: a subject may be a person's PINFL)."""
    if not isinstance(subject, str) or not SUBJECT.fullmatch(subject):
        raise InvalidAppointment(
            "a staff subject is the identity provider's subject: 1 to 200 letters, digits "
            "and . _ : @ | + -, starting with a letter or digit"
        )
    return subject


def _optional_text(field: str, value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    return required_text(field, value, NAME_LIMIT)


@dataclass(frozen=True)
class Terms:
    """What an appointment makes someone: a role, an agency (officers only), the position
    printed under an officer's name, and the name their documents are signed with."""

    role: str
    agency: str | None = None
    position: str | None = None
    name: str | None = None

    @classmethod
    def of(
        cls,
        *,
        role: str,
        agency: str | None = None,
        position: str | None = None,
        name: str | None = None,
    ) -> Terms:
        if role not in STAFF_ROLES:
            raise InvalidAppointment(
                f"a staff role is one of {', '.join(STAFF_ROLES)}, not {quoted(role)}: citizens "
                "are whoever the identity provider says, integrators hold API keys"
            )
        agency = agency.strip() if agency and agency.strip() else None
        if role == OFFICER and agency is None:
            raise InvalidAppointment("an officer is appointed to an agency: give its code")
        if role != OFFICER and agency is not None:
            raise InvalidAppointment(f"only officers are appointed to an agency, not a {role}")
        position = _optional_text("position", position)
        if role != OFFICER and position is not None:
            raise InvalidAppointment(f"only officers hold a position, not a {role}")
        return cls(role, agency, position, _optional_text("name", name))

    def as_dict(self) -> dict[str, str | None]:
        return {
            "role": self.role,
            "agency": self.agency,
            "position": self.position,
            "name": self.name,
        }


class StaffMember(Aggregate):
    """One person's appointments to Yagona's staff, and their revocations."""

    class Appointed(Aggregate.Created):
        subject: str
        terms: dict[str, str | None]
        at: datetime
        meta: dict[str, str]

    class Reappointed(Aggregate.Event):
        terms: dict[str, str | None]
        at: datetime
        meta: dict[str, str]

    class Revoked(Aggregate.Event):
        reason: str
        at: datetime
        meta: dict[str, str]

    @staticmethod
    def create_id(subject: str, **_: Any) -> UUID:
        return natural_id("staff", subject)

    @classmethod
    def appoint(
        cls, *, subject: str, terms: Terms, at: datetime, meta: dict[str, str]
    ) -> StaffMember:
        return cls(subject=staff_subject(subject), terms=terms.as_dict(), at=at, meta=meta)

    @event(Appointed)
    def __init__(
        self, subject: str, terms: dict[str, str | None], at: datetime, meta: dict[str, str]
    ) -> None:
        self.subject = subject
        self.revoked_at: datetime | None = None
        self.revoked_by: str | None = None
        self.revoke_reason: str | None = None
        self._appointed(terms, at, meta)

    def _appointed(self, terms: dict[str, str | None], at: datetime, meta: dict[str, str]) -> None:
        self.terms = Terms(
            role=str(terms["role"]),
            agency=terms.get("agency"),
            position=terms.get("position"),
            name=terms.get("name"),
        )
        self.active = True
        self.appointed_at = at
        self.appointed_by = meta.get("actor", "")

    @property
    def role(self) -> str:
        return self.terms.role

    def reappoint(self, *, terms: Terms, at: datetime, meta: dict[str, str]) -> bool:
        """Appoint again, on these terms (after a revocation, or to change the role, the
        agency, the position or the name); False, and nothing recorded, when the member
        already holds exactly this appointment."""
        if self.active and terms == self.terms:
            return False
        self._reappointed(terms=terms.as_dict(), at=at, meta=meta)
        return True

    @event(Reappointed)
    def _reappointed(
        self, terms: dict[str, str | None], at: datetime, meta: dict[str, str]
    ) -> None:
        self._appointed(terms, at, meta)
        self.revoked_at = self.revoked_by = self.revoke_reason = None

    def revoke(self, *, reason: str, at: datetime, meta: dict[str, str]) -> None:
        """End the appointment: from the next request the member is no longer staff."""
        if not self.active:
            raise NoAppointment("this staff member's appointment is already revoked")
        self._revoked(reason=required_text("reason", reason, REASON_LIMIT), at=at, meta=meta)

    @event(Revoked)
    def _revoked(self, reason: str, at: datetime, meta: dict[str, str]) -> None:
        self.active = False
        self.revoked_at = at
        self.revoked_by = meta.get("actor", "")
        self.revoke_reason = reason


class StaffRoster(Aggregate):
    """Who holds the administrator role now, saved with each member whose appointment
    gives or takes it: two concurrent revocations of the last two administrators cannot
    both succeed (the second finds the roster changed)."""

    class Opened(Aggregate.Created):
        pass

    class AdministratorsChanged(Aggregate.Event):
        administrators: list[str]

    @staticmethod
    def create_id(**_: Any) -> UUID:
        return natural_id("staff-roster", "administrators")

    @event(Opened)
    def __init__(self) -> None:
        self.administrators: frozenset[str] = frozenset()

    def follow(self, member: StaffMember) -> None:
        """Record whether ``member`` is an administrator now (nothing when unchanged);
        ``LastAdministrator`` when that would leave the directory without one."""
        admins = set(self.administrators)
        if member.active and member.role == ADMIN:
            admins.add(member.subject)
        else:
            admins.discard(member.subject)
        if self.administrators and not admins:
            raise LastAdministrator(
                "this is the last administrator: appoint another one before revoking or "
                "changing this appointment"
            )
        if admins != self.administrators:
            self._changed(administrators=sorted(admins))

    @event(AdministratorsChanged)
    def _changed(self, administrators: list[str]) -> None:
        self.administrators = frozenset(administrators)
