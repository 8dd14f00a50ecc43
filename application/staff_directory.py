"""The staff directory: administrators appoint officers (of an agency), auditors and other
administrators, and revoke them; with an identity provider configured, every request's
role comes from here (``resolve``), never from a claim in the provider's token.

One eventsourcing application (events table ``staff_events``, encrypted like the cases':
it names people). A request's lookup loads one member by its id (derived from the
subject): a few rows by primary key, and no cache, so a revocation counts from the next
request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from application.authorization import authorize
from application.ports import AgencyDirectory, Clock
from application.principal import Identity, Principal
from domain.context import CommandContext
from domain.errors import (
    ConcurrentModification,
    InvalidAppointment,
    InvalidPinfl,
    NotAppointed,
    StaffMemberNotFound,
)
from domain.identity import CITIZEN, OFFICER, validate_pinfl
from domain.quoting import quoted
from domain.staff import StaffMember, StaffRoster, Terms, staff_subject

SAVE_ATTEMPTS = 3  # a save that lost a race with another change of the same member retries
_APPOINTED = get_topic(StaffMember.Appointed)


@dataclass(frozen=True)
class Appointment:
    member: StaffMember
    changed: bool  # False: the member already held exactly this appointment


@dataclass(frozen=True)
class Listed:
    position: int  # where its first appointment is in the directory's log (the cursor)
    member: StaffMember


class StaffDirectory(Application[UUID]):
    name = "Staff"

    def __init__(self, env: Any = None, *, agencies: AgencyDirectory, clock: Clock) -> None:
        super().__init__(env)
        self.agencies = agencies
        self.clock = clock

    # --- commands (administrators) ----------------------------------------------------

    def appoint(
        self,
        principal: Principal,
        ctx: CommandContext,
        *,
        subject: str,
        role: str,
        agency: str | None = None,
        position: str | None = None,
        name: str | None = None,
    ) -> Appointment:
        """Appoint ``subject`` on these terms: a first appointment, one after a revocation,
        or a change of role, agency, position or name. Appointing again on the same terms
        changes nothing (``changed`` is False)."""
        authorize(principal, "staff.manage")
        subject = staff_subject(subject)
        terms = Terms.of(role=role, agency=agency, position=position, name=name)
        if (
            terms.role == OFFICER
            and terms.agency is not None
            and self.agencies.agency_by_code(terms.agency) is None
        ):
            raise InvalidAppointment(f"no agency has code {quoted(terms.agency)}")
        for attempt in range(1, SAVE_ATTEMPTS + 1):
            at, meta = self.clock.now(), ctx.meta()
            member = self._find(subject)
            if member is None:
                member, changed = (
                    StaffMember.appoint(subject=subject, terms=terms, at=at, meta=meta),
                    True,
                )
            else:
                changed = member.reappoint(terms=terms, at=at, meta=meta)
            if not changed:
                return Appointment(member, changed=False)
            if self._saved(member, attempt):
                return Appointment(member, changed=True)
        raise AssertionError("unreachable")

    def revoke(
        self, principal: Principal, ctx: CommandContext, subject: str, *, reason: str
    ) -> StaffMember:
        """End ``subject``'s appointment (``NoAppointment`` if it already ended); the last
        administrator cannot be revoked."""
        authorize(principal, "staff.manage")
        for attempt in range(1, SAVE_ATTEMPTS + 1):
            member = self._get(subject)
            member.revoke(reason=reason, at=self.clock.now(), meta=ctx.meta())
            if self._saved(member, attempt):
                return member
        raise AssertionError("unreachable")

    def _saved(self, member: StaffMember, attempt: int) -> bool:
        """Save ``member`` with the roster of administrators it changes; False when a
        concurrent change came first (try again), ``ConcurrentModification`` at the last
        attempt."""
        roster = self._find_roster() or StaffRoster()
        roster.follow(member)
        try:
            self.save(member, roster)
        except IntegrityError:
            if attempt == SAVE_ATTEMPTS:
                raise ConcurrentModification(
                    "the staff directory changed while this was recorded; try again"
                ) from None
            return False
        return True

    # --- queries (administrators) -----------------------------------------------------

    def member(self, principal: Principal, subject: str) -> StaffMember:
        authorize(principal, "staff.manage")
        return self._get(subject)

    def members(self, principal: Principal, *, after: int = 0, limit: int = 100) -> list[Listed]:
        """Staff members (their current appointment, or its revocation) in the order they
        were first appointed, after position ``after``."""
        authorize(principal, "staff.manage")
        found = self.recorder.select_notifications(
            after + 1, limit, topics=[_APPOINTED], inclusive_of_start=True
        )
        listed = []
        for notification in found:
            member = self._find_id(UUID(str(notification.originator_id)))
            if member is not None:
                listed.append(Listed(notification.id, member))
        return listed

    # --- every request, with an identity provider -------------------------------------

    def resolve(self, identity: Identity) -> Principal:
        """The principal an identity provider's subject is in Yagona: its appointment in
        the directory, if it holds one; else a citizen, if the subject is a PINFL; else
        ``NotAppointed``."""
        member = self._find(identity.subject)
        if member is not None and member.active:
            terms = member.terms
            return Principal(
                subject=identity.subject,
                role=terms.role,
                agency=terms.agency,
                name=terms.name or identity.name,
                position=terms.position,
            )
        try:
            validate_pinfl(identity.subject)
        except InvalidPinfl:
            raise NotAppointed(
                "the identity provider's subject is not a citizen's PINFL and holds no "
                "appointment in Yagona's staff directory (not appointed, or revoked)"
            ) from None
        return Principal(subject=identity.subject, role=CITIZEN, name=identity.name)

    # --- lookups ----------------------------------------------------------------------

    def _find_id(self, aggregate_id: UUID) -> StaffMember | None:
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, StaffMember) else None

    def _find(self, subject: str) -> StaffMember | None:
        return self._find_id(StaffMember.create_id(subject))

    def _get(self, subject: str) -> StaffMember:
        member = self._find(subject)
        if member is None:
            raise StaffMemberNotFound("no staff member has this subject")
        return member

    def _find_roster(self) -> StaffRoster | None:
        try:
            roster: Aggregate = self.repository.get(StaffRoster.create_id())
        except AggregateNotFoundError:
            return None
        assert isinstance(roster, StaffRoster)
        return roster
