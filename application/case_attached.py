"""What every process attached to a case shares (appeals, inter-agency requests): found by
id or by number, stored with the cases, numbered from a yearly sequence, created once per
Idempotency-Key, read on the record, and escalated when its term passes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.cases import Cases
from application.ports import AccessEntry, AgencyDirectory, Clock, NumberSequence
from application.principal import Principal
from domain.agency import AgencyRef
from domain.context import CommandContext
from domain.errors import InvalidTransition, NothingChanged
from domain.ids import natural_id
from domain.quoting import quoted

TProcess = TypeVar("TProcess", bound=Aggregate)


def parent_of(directory: AgencyDirectory, agency_id: UUID) -> AgencyRef | None:
    """The agency an agency's overdue work escalates to (its parent), if it has one."""
    ref = directory.agency_ref(agency_id)
    if ref is None or ref.parent_id is None:
        return None
    return directory.agency_ref(ref.parent_id)


def record_deadline(
    cases: Cases,
    ctx: CommandContext,
    aggregate: Any,
    *,
    today: Any,
    escalate_to: AgencyRef | None,
) -> bool:
    """Let ``aggregate`` record a missed term (and its escalation) and store it; False when
    there is nothing to record (within term, already recorded, no longer open)."""
    try:
        aggregate.check_deadline(today=today, escalate_to=escalate_to, meta=ctx.meta())
    except (NothingChanged, InvalidTransition):
        return False
    cases.store(aggregate)
    return True


class CaseAttached(Generic[TProcess]):
    """The base of a case-attached process's use cases."""

    aggregate_class: ClassVar[type[Aggregate]]
    id_namespace: ClassVar[str]  # its ids are natural ids of its numbers in this namespace
    kind: ClassVar[str]  # its Idempotency-Key index kind
    not_found: ClassVar[type[Exception]]
    what: ClassVar[str]  # how errors name it

    def __init__(
        self,
        cases: Cases,
        *,
        directory: AgencyDirectory,
        clock: Clock,
        sequences: NumberSequence,
    ) -> None:
        self.cases = cases
        self.directory = directory
        self.clock = clock
        self.sequences = sequences

    @classmethod
    def id_of(cls, number: str) -> UUID:
        """A process's id follows from its number, so either finds it."""
        return natural_id(cls.id_namespace, number)

    def find(self, aggregate_id: UUID) -> TProcess | None:
        found: Any = self.cases.find(self.aggregate_class, aggregate_id)
        return found  # type: ignore[no-any-return]

    def load(self, key: str) -> TProcess:
        """The process by id or by number (its not-found error otherwise)."""
        try:
            aggregate_id = UUID(key)
        except ValueError:
            aggregate_id = self.id_of(key)
        found = self.find(aggregate_id)
        if found is None:
            raise self.not_found(f"no {self.what} {quoted(key)}")
        return found

    def _next_number(self, prefix: str, sequence: str) -> str:
        return f"{prefix}-{self.clock.today().year}-{self.sequences.next_value(sequence):07d}"

    def _created_before(self, principal: Principal, idempotency_key: str | None) -> TProcess | None:
        """What an earlier request of ``principal`` with this Idempotency-Key created."""
        made = self.cases.created_for_key(self.kind, principal, idempotency_key)
        return self.load(str(made)) if made is not None else None

    def _save_new(
        self, principal: Principal, idempotency_key: str | None, created: TProcess
    ) -> TProcess:
        """Store a new process once per Idempotency-Key: a concurrent twin's wins."""
        saved = self.cases.save_once(self.kind, principal, idempotency_key, created)
        return created if saved == created.id else self.load(str(saved))

    def _record_read(
        self,
        principal: Principal,
        ctx: CommandContext,
        *,
        action: str,
        subject_kind: str,
        subject_id: UUID | None,
        purpose: str,
    ) -> None:
        self.cases.record_access(
            AccessEntry(
                actor=principal.subject,
                role=principal.role,
                action=action,
                subject_kind=subject_kind,
                subject_id=str(subject_id),
                purpose=purpose,
                correlation_id=ctx.correlation_id,
            )
        )

    def _check_deadline(
        self,
        ctx: CommandContext,
        aggregate_id: UUID,
        escalate_to: Callable[[TProcess], AgencyRef | None],
    ) -> bool:
        process = self.find(aggregate_id)
        if process is None:
            return False
        return record_deadline(
            self.cases, ctx, process, today=self.clock.today(), escalate_to=escalate_to(process)
        )
