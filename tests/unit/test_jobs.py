"""The system's jobs (application.jobs) on in-memory applications and fake ports: each
finds what is due through a port and runs a command per item, idempotently."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from application.appeals import Appeals
from application.inter_agency import InterAgency
from application.jobs import Jobs
from application.payments import Payments
from application.ports import Notice
from tests.fakes.adapters import MemorySequences
from tests.unit.builders import CTX, names
from tests.unit.test_cases_app import CaseCore, make_cases, submit


@dataclass
class Ports:
    """The read models and adapters a job reads, as plain lists."""

    overdue: list[tuple[UUID, str]] = field(default_factory=list)
    open: list[UUID] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    sent: list[int] = field(default_factory=list)
    delivered: list[Notice] = field(default_factory=list)
    heads: dict[str, Any] | None = None
    purged: list[timedelta] = field(default_factory=list)

    def overdue_cases(self, today: date) -> list[tuple[UUID, str]]:
        return list(self.overdue)

    def open_cases(self) -> list[UUID]:
        return list(self.open)

    def unpaid_before(self, cutoff: datetime) -> list[UUID]:
        return []

    def unsent(self) -> list[Notice]:
        return [n for n in self.notices if n.id not in self.sent]

    def mark_sent(self, notice_id: int, at: datetime) -> None:
        self.sent.append(notice_id)

    def send(self, notice: Notice) -> None:
        self.delivered.append(notice)

    def seal(self) -> Any:
        return None if self.heads is None else type("Seal", (), {"heads": self.heads})()

    def purge(self, older_than: timedelta) -> int:
        self.purged.append(older_than)
        return 3


def jobs_of(core: CaseCore, ports: Ports) -> Jobs:
    attached: dict[str, Any] = {
        "directory": core.catalogue,
        "clock": core.clock,
        "sequences": MemorySequences(),
    }
    return Jobs(
        core.cases,
        appeals=Appeals(core.cases, **attached),
        inter_agency=InterAgency(core.cases, **attached, blobs=core.blobs),
        payments=Payments(),
        directory=core.catalogue,
        clock=core.clock,
        due_work=ports,
        unpaid=ports,
        outbox=ports,
        notifier=ports,
        sealer=ports,
        request_keys=ports,
        payment_expiry=timedelta(minutes=30),
        request_key_ttl=timedelta(hours=24),
    )


def test_an_overdue_application_is_escalated_to_the_parent_agency_once() -> None:
    core, ports = make_cases(), Ports()
    application = submit(core)
    ports.overdue = [(application.id, "application")]
    jobs = jobs_of(core, ports)
    assert jobs.check_deadlines() == 0  # within its term
    core.clock.at = datetime(2026, 12, 10, 7, 0, tzinfo=UTC)

    assert jobs.check_deadlines() == 1
    assert jobs.check_deadlines() == 0  # recorded already

    escalated = core.cases.load(str(application.id)).escalated_to
    assert escalated is not None
    assert escalated.code == "justice"  # justice-1703's parent, read from the catalogue


def test_open_cases_follow_a_holiday_declared_within_their_term() -> None:
    core, ports = make_cases(), Ports()
    application = submit(core)
    ports.open = [application.id]
    jobs = jobs_of(core, ports)
    assert jobs.follow_calendar() == 0
    core.catalogue.declare_holiday(CTX, day=date(2026, 12, 1), names=names("Bayram"))

    assert jobs.follow_calendar() == 1
    assert jobs.follow_calendar() == 0
    assert core.cases.load(str(application.id)).due_date == date(2026, 12, 3)


def test_notices_are_delivered_and_marked_sent_seals_counted_keys_purged() -> None:
    core, ports = make_cases(), Ports()
    at = datetime(2026, 11, 27, tzinfo=UTC)
    ports.notices = [
        Notice(i, "citizen", "ref", "appeal", UUID(int=i), f"MJ-{i}", "answered", at)
        for i in (1, 2)
    ]
    jobs = jobs_of(core, ports)

    assert jobs.deliver_notifications() == 2
    assert jobs.deliver_notifications() == 0
    assert [n.id for n in ports.delivered] == [1, 2]
    assert jobs.seal_audit_chains() == 0
    ports.heads = {"Cases:a": [1, "h"], "Cases:b": [2, "h"]}
    assert jobs.seal_audit_chains() == 2
    assert jobs.purge_idempotency_keys() == 3
    assert ports.purged == [timedelta(hours=24)]
