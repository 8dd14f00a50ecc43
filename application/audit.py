"""The auditors' use cases: a case's full history, its state at any moment, tamper
evidence, exports; and who read or changed what."""

from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol
from uuid import UUID

from application.authorization import authorize
from application.cases import Cases
from application.payments import Payments
from application.ports import AccessEntry, AccessQueries, AccessRecord, ArchivedEvent
from application.principal import Principal
from domain.context import CommandContext
from domain.errors import ApplicationNotFound, CaseDamaged, InvalidInput
from domain.indexes import ProviderPaymentIndex, TrackingNumberIndex
from domain.service_application import ServiceApplication

CASES = "Cases"
EARLIEST = datetime.min.replace(tzinfo=UTC)
PAYMENTS = "Payments"


class EventArchivePort(Protocol):
    def events(self, stream: str, aggregate_ids: list[UUID]) -> list[ArchivedEvent]: ...


class VerifierPort(Protocol):
    def verify_case(self, aggregates: dict[str, list[UUID]]) -> Any: ...


class MembersPort(Protocol):
    def members(self, case_id: UUID) -> dict[str, list[UUID]]: ...

    def case_of(self, aggregate_id: UUID) -> UUID | None: ...


class ActionsPort(Protocol):
    def actions(self, actor: str, *, cursor: str | None = None, limit: int = 50) -> Any: ...


@dataclass(frozen=True)
class HistoryPage:
    items: list[ArchivedEvent]
    next: int | None  # offset of the next page


@dataclass(frozen=True)
class StateAt:
    version: int
    recorded_at: datetime | None
    state: dict[str, Any]
    compared_with: int | None = None
    changes: dict[str, dict[str, Any]] | None = None


def jsonable(value: Any) -> Any:
    """An aggregate's state as plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def commit_order(events: list[ArchivedEvent]) -> list[ArchivedEvent]:
    """A total order of a case's events consistent with commit order in each stream.

    Within a stream the position (notification id) is the commit order; an event's
    timestamp is taken when it is created, so two transactions can commit in the other
    order and timestamps alone can put a later position first. The streams' runs, each in
    position order, are merged by timestamp (an event without one, which no longer
    decodes, keeps its place in its stream's run); ties go to the stream named first."""
    runs: dict[str, list[ArchivedEvent]] = {}
    for event in events:
        runs.setdefault(event.stream, []).append(event)
    ordered = [sorted(run, key=lambda e: e.position) for _, run in sorted(runs.items())]
    return list(heapq.merge(*ordered, key=_merge_key))


def _merge_key(event: ArchivedEvent) -> datetime:
    return event.timestamp or EARLIEST


def aggregate_state(aggregate: Any) -> dict[str, Any]:
    state = {
        k.lstrip("_"): jsonable(v)
        for k, v in vars(aggregate).items()
        if k not in ("_pending_events",)
    }
    state["version"] = aggregate.version
    return state


class Audit:
    def __init__(
        self,
        *,
        cases: Cases,
        payments: Payments,
        archive: EventArchivePort,
        verifier: VerifierPort,
        access: AccessQueries,
        actions: ActionsPort,
        members: MembersPort,
        cases_of_citizen: Callable[[str], list[str]],
    ) -> None:
        self.cases = cases
        self.payments = payments
        self.archive = archive
        self.verifier = verifier
        self.access = access
        self.actions_index = actions
        self.members = members
        self.cases_of_citizen = cases_of_citizen

    def _auditor(self, principal: Principal) -> None:
        authorize(principal, "audit.read")

    def _case(
        self, principal: Principal, ctx: CommandContext, key: str, action: str
    ) -> tuple[UUID, ServiceApplication | None]:
        """The case an auditor named (every case is visible to auditors) and, when its
        stored events still reconstruct it, the application; the read is recorded."""
        self._auditor(principal)
        application: ServiceApplication | None
        try:
            application = self.cases.load(key)
            case_id = application.id
        except ApplicationNotFound:
            raise
        except Exception:  # altered, deleted or moved events: still auditable
            application, case_id = None, self._damaged_case_id(key)
        self.cases.record_access(
            AccessEntry(
                actor=principal.subject,
                role=principal.role,
                action=action,
                subject_kind="application",
                subject_id=str(case_id),
                purpose="audit",
                correlation_id=ctx.correlation_id,
            )
        )
        return case_id, application

    def _damaged_case_id(self, key: str) -> UUID:
        try:
            candidate: UUID | None = UUID(key)
        except ValueError:
            candidate = self.members.case_of(TrackingNumberIndex.create_id(key))
        if candidate is None or not self.members.members(candidate):
            raise CaseDamaged(f"the stored events of {key} no longer reconstruct it")
        return candidate

    def case_aggregates(
        self, case_id: UUID, application: ServiceApplication | None
    ) -> dict[str, list[UUID]]:
        """Every aggregate of a case: those recorded as its members, and (while it still
        loads) the application, its decision, its tracking index, its payment attempts and
        their provider indexes as they are now."""
        found = {CASES: {case_id}, PAYMENTS: set[UUID]()}
        for stream, ids in self.members.members(case_id).items():
            found.setdefault(stream, set()).update(ids)
        if application is not None:
            found[CASES].add(TrackingNumberIndex.create_id(application.tracking_number))
            if application.decision_id is not None:
                found[CASES].add(application.decision_id)
            try:
                attempts = self.payments.attempts(application.id)
            except Exception:  # a damaged payment: its recorded membership still counts
                attempts = []
            for payment in attempts:
                found[PAYMENTS].add(payment.id)
                if payment.provider_payment_id:
                    found[PAYMENTS].add(ProviderPaymentIndex.create_id(payment.provider_payment_id))
        return {stream: sorted(ids, key=str) for stream, ids in found.items()}

    def _events(self, case_id: UUID, application: ServiceApplication | None) -> list[ArchivedEvent]:
        events: list[ArchivedEvent] = []
        for stream, ids in self.case_aggregates(case_id, application).items():
            if ids:
                events.extend(self.archive.events(stream, ids))
        return events

    def history(
        self,
        principal: Principal,
        ctx: CommandContext,
        key: str,
        *,
        offset: int = 0,
        limit: int = 100,
    ) -> HistoryPage:
        """Every event of the case in the order it was committed (see ``commit_order``),
        decrypted; pages are stable because histories only grow at the end."""
        events = commit_order(self._events(*self._case(principal, ctx, key, "audit.history")))
        page = events[offset : offset + limit]
        return HistoryPage(page, offset + limit if offset + limit < len(events) else None)

    def state(
        self,
        principal: Principal,
        ctx: CommandContext,
        key: str,
        *,
        version: int | None = None,
        at: datetime | None = None,
        compare: int | None = None,
    ) -> StateAt:
        """The application as it was at ``version`` or at the instant ``at`` (the last
        version recorded at or before it), optionally compared with version ``compare``."""
        if version is not None and at is not None:
            raise InvalidInput("give version or at, not both")
        if at is not None and at.tzinfo is None:
            raise InvalidInput("at must carry a time zone, e.g. 2026-11-27T12:00:00+05:00")
        _, application = self._case(principal, ctx, key, "audit.state")
        if application is None:
            raise CaseDamaged(
                f"the stored events of {key} no longer reconstruct it: its verification "
                "locates the damage"
            )
        if at is not None:
            version = self._version_at(application.id, at, key)
        version = version or application.version
        if not 1 <= version <= application.version:
            raise ApplicationNotFound(f"application {key} has no version {version}")
        aggregate = (
            application
            if version == application.version
            else self.cases.repository.get(application.id, version=version)
        )
        state = aggregate_state(aggregate)
        result = StateAt(version, aggregate.modified_on, state)
        if compare is None:
            return result
        if not 1 <= compare <= application.version:
            raise ApplicationNotFound(f"application {key} has no version {compare}")
        other = aggregate_state(self.cases.repository.get(application.id, version=compare))
        changes = {
            field: {"from": other.get(field), "to": state.get(field)}
            for field in sorted(set(state) | set(other))
            if state.get(field) != other.get(field)
        }
        return dataclasses.replace(result, compared_with=compare, changes=changes)

    def _version_at(self, application_id: UUID, at: datetime, key: str) -> int:
        """The last version recorded at or before ``at`` (read from the newest back)."""
        for event in self.cases.repository.event_store.get(application_id, desc=True):
            if getattr(event, "timestamp", at) <= at:
                return int(event.originator_version)
        raise ApplicationNotFound(f"application {key} did not exist yet at {at.isoformat()}")

    def verify(self, principal: Principal, ctx: CommandContext, key: str) -> Any:
        case_id, application = self._case(principal, ctx, key, "audit.verify")
        return self.verifier.verify_case(self.case_aggregates(case_id, application))

    def export(
        self, principal: Principal, ctx: CommandContext, key: str
    ) -> tuple[UUID, list[ArchivedEvent]]:
        case_id, application = self._case(principal, ctx, key, "audit.export")
        return case_id, self._events(case_id, application)

    # --- who did what ----------------------------------------------------------------------

    def actor_actions(
        self, principal: Principal, actor: str, *, cursor: str | None, limit: int
    ) -> tuple[Any, list[AccessRecord]]:
        """What an actor recorded (commands) and read (personal data). A citizen is found
        by PINFL through their pseudonym."""
        self._auditor(principal)
        key = actor
        if actor.isdigit() and len(actor) == 14:
            key = f"citizen:{self.cases.applicant_ref(actor)}"
        reads = self.access.by_actor(actor, after=0, limit=limit)
        return self.actions_index.actions(key, cursor=cursor, limit=limit), reads

    def my_access_log(self, principal: Principal, *, after: int, limit: int) -> list[AccessRecord]:
        """Who read the citizen's data: every recorded read of their cases."""
        authorize(principal, "audit.own_access_log")
        ids = self.cases_of_citizen(self.cases.applicant_ref(principal.subject))
        return self.access.for_subjects(ids, after=after, limit=limit) if ids else []
