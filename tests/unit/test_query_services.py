"""Query services decide who sees what, on in-memory read models: given rows, when a
caller asks, then they get what the authorization table lets them reach."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest

from application.pagination import InvalidQuery
from application.principal import Principal
from application.queries.cases import CitizenCases, RegisterOfDecisions, WorkQueue
from application.queries.kpi import TargetIndicators
from application.queries.payments import PaymentRecords, ReceiptNotReady
from application.read_models.cases import CitizenApplicationRow, DecisionEntry, QueueItem
from application.read_models.kpi import KpiRow
from application.read_models.payments import LedgerEntry
from domain.context import CommandContext
from domain.errors import NotYourAgency, RoleNotAllowed, ScopeMissing
from domain.kpi import INDICATORS, Target, TargetTable
from tests.fakes.read_models import (
    MemoryCitizenApplications,
    MemoryDecisionsRegister,
    MemoryKpi,
    MemoryOfficerQueue,
    MemoryPaymentsLedger,
)

CITIZEN = Principal("31507850010022", "citizen")
OTHER_CITIZEN = Principal("41507850010033", "citizen")
OFFICER = Principal("officer-17", "officer", agency="justice-1703202")
AUDITOR = Principal("auditor-1", "auditor")
INTEGRATOR = Principal("client-1", "integrator", scopes=frozenset({"read-models:read"}))
UNSCOPED = Principal("client-2", "integrator", scopes=frozenset({"feed:read"}))
CTX = CommandContext(actor="x", role="x", correlation_id="test")
AT = datetime(2026, 11, 3, 9, tzinfo=UTC)
TODAY = date(2026, 11, 3)


class Clock:
    def now(self) -> datetime:
        return AT

    def today(self) -> date:
        return TODAY


def application_row(number: str, status: str = "queued") -> CitizenApplicationRow:
    return CitizenApplicationRow(
        str(uuid4()), number, "birth-registration", 1, "1703202", "justice-1703202",
        status, None, None, None, None, None, AT, AT,
    )  # fmt: skip


def ref(pinfl: str) -> str:
    return f"ref-{pinfl}"


# --- the citizen's own ------------------------------------------------------------------


def test_a_citizen_lists_their_own_applications_only() -> None:
    mine, theirs = application_row("AR-2026-0000001"), application_row("AR-2026-0000002")
    read_model = MemoryCitizenApplications(
        applications={ref(CITIZEN.subject): [mine], ref(OTHER_CITIZEN.subject): [theirs]}
    )
    cases = CitizenCases(read_model, ref)
    page = cases.applications(CITIZEN, status=None, cursor=None, limit=20)
    assert page.items == [mine]


@pytest.mark.parametrize("caller", [OFFICER, AUDITOR, INTEGRATOR])
def test_nobody_but_a_citizen_lists_a_citizens_applications_or_appeals(caller: Principal) -> None:
    cases = CitizenCases(MemoryCitizenApplications(), ref)
    with pytest.raises(RoleNotAllowed, match="officers use /v1/queue"):
        cases.applications(caller, status=None, cursor=None, limit=20)
    with pytest.raises(RoleNotAllowed, match="own appeals"):
        cases.appeals(caller, cursor=None, limit=20)


def test_the_summary_is_for_oversight_and_checks_its_period() -> None:
    read_model = MemoryCitizenApplications(summaries=[{"agency": "a", "applications": 2}])
    cases = CitizenCases(read_model, ref)
    ask = {"filters": {}, "submitted_from": None, "submitted_to": None, "cursor": None}
    assert cases.summary(INTEGRATOR, ["agency"], **ask, limit=10).items == read_model.summaries
    with pytest.raises(ScopeMissing):
        cases.summary(UNSCOPED, ["agency"], **ask, limit=10)
    with pytest.raises(RoleNotAllowed):
        cases.summary(OFFICER, ["agency"], **ask, limit=10)
    with pytest.raises(InvalidQuery, match="is after `to`"):
        cases.summary(
            AUDITOR,
            ["agency"],
            filters={},
            submitted_from=date(2026, 2, 1),
            submitted_to=date(2026, 1, 1),
            cursor=None,
            limit=10,
        )


# --- the officer's queue ----------------------------------------------------------------


def queue_item(agency: str, due: date, assignee: str | None = None) -> QueueItem:
    return QueueItem(
        uuid4(), "application", "AR-2026-0000009", "birth-registration", "1703202", agency,
        None, "queued", assignee, due, False, AT, AT,
    )  # fmt: skip


def test_an_officer_sees_their_agencys_work_soonest_due_first_and_today() -> None:
    later = queue_item("justice-1703202", date(2026, 11, 20))
    sooner = queue_item("justice-1703202", date(2026, 11, 5), assignee="officer-17")
    elsewhere = queue_item("justice-1706204", date(2026, 11, 4))
    queue = WorkQueue(MemoryOfficerQueue([later, sooner, elsewhere]), Clock())
    result = queue.queue(OFFICER)
    assert result.page.items == [sooner, later]
    assert result.today == TODAY
    assert queue.queue(OFFICER, mine=True).page.items == [sooner]


@pytest.mark.parametrize("caller", [CITIZEN, AUDITOR, INTEGRATOR])
def test_the_queue_is_only_an_officers(caller: Principal) -> None:
    with pytest.raises(RoleNotAllowed, match="belongs to officers"):
        WorkQueue(MemoryOfficerQueue(), Clock()).queue(caller)


# --- the decisions register -------------------------------------------------------------


def decision(agency: str, number: str) -> DecisionEntry:
    return DecisionEntry(
        number, uuid4(), uuid4(), agency, "birth-registration", 1, "approved", "issued", AT,
        None, None,
    )  # fmt: skip


def test_an_officer_reads_their_agencys_register_and_may_not_ask_for_another() -> None:
    own, other = decision("justice-1703202", "R-1"), decision("tax-1703202", "R-2")
    register = RegisterOfDecisions(MemoryDecisionsRegister([own, other]))
    assert register.entries(OFFICER).items == [own]
    with pytest.raises(NotYourAgency):
        register.entries(OFFICER, agency="tax-1703202")
    assert {e.registration_number for e in register.entries(AUDITOR).items} == {"R-1", "R-2"}
    assert register.entries(INTEGRATOR, agency="tax-1703202").items == [other]
    with pytest.raises(RoleNotAllowed, match="citizen role cannot read the decisions register"):
        register.entries(CITIZEN)
    with pytest.raises(ScopeMissing):
        register.entries(UNSCOPED)


# --- payments ---------------------------------------------------------------------------


def ledger_entry(agency: str, paid: int, refunded: int = 0) -> LedgerEntry:
    return LedgerEntry(
        uuid4(), uuid4(), "AR-2026-0000003", agency, "passport", 1, "sandbox", "p", paid,
        "UZS", "succeeded", paid, refunded, None, AT, AT, AT if refunded else None, AT,
    )  # fmt: skip


class Renderer:
    def __init__(self) -> None:
        self.facts: list[tuple[str, str]] = []

    def render(self, facts: list[tuple[str, str]], *, title: str, issued_at: datetime) -> bytes:
        self.facts = facts
        return b"%PDF-receipt"


def records(*entries: LedgerEntry, readable: bool = True) -> PaymentRecords:
    def check(principal: Principal, ctx: CommandContext, payment_id: UUID) -> None:
        if not readable:
            raise RoleNotAllowed("not yours")

    return PaymentRecords(
        MemoryPaymentsLedger(list(entries)), check_readable=check, renderer=Renderer()
    )


def test_a_reconciliation_totals_each_currency_and_officers_get_their_agencys() -> None:
    ours = ledger_entry("justice-1703202", 30000, refunded=10000)
    theirs = ledger_entry("tax-1703202", 50000)
    service = records(ours, theirs)
    everything = service.reconciliation(AUDITOR, TODAY)
    assert [(t.currency, t.collected, t.refunded, t.net) for t in everything.totals] == [
        ("UZS", 80000, 10000, 70000)
    ]
    mine = service.reconciliation(OFFICER, TODAY)
    assert mine.agency == "justice-1703202"
    assert [line.agency_code for line in mine.lines] == ["justice-1703202"]
    with pytest.raises(RoleNotAllowed, match="cannot read reconciliations"):
        service.reconciliation(CITIZEN, TODAY)


def test_a_receipt_needs_a_readable_payment_and_its_ledger_entry() -> None:
    entry = ledger_entry("justice-1703202", 30000)
    service = records(entry)
    assert service.receipt(CITIZEN, CTX, entry.payment_id).pdf is None
    pdf = service.receipt(CITIZEN, CTX, entry.payment_id, pdf=True)
    assert pdf.pdf == b"%PDF-receipt"
    assert ("Amount", "300.00 UZS") in service.renderer.facts  # type: ignore[attr-defined]
    with pytest.raises(ReceiptNotReady, match="not ready yet"):
        service.receipt(CITIZEN, CTX, uuid4())
    with pytest.raises(RoleNotAllowed):
        records(entry, readable=False).receipt(OTHER_CITIZEN, CTX, entry.payment_id)


# --- target indicators ------------------------------------------------------------------

TARGETS = TargetTable(
    defaults={name: Target(50.0, comparison) for name, comparison in INDICATORS.items()}
)


def kpi_row(agency: str, within_term_pct: float | None) -> KpiRow:
    actuals: dict[str, float | None] = dict.fromkeys(INDICATORS)
    actuals["decided_within_term_pct"] = within_term_pct
    return KpiRow({"agency": agency}, 10, 10, 8, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, actuals)


def test_an_officer_is_ranked_among_every_agency_but_sees_only_their_entry() -> None:
    rows = [kpi_row("a", 90.0), kpi_row("justice-1703202", 70.0), kpi_row("c", 40.0)]
    indicators = TargetIndicators(MemoryKpi({("agency",): rows}), TARGETS)
    ranking = indicators.ranking(OFFICER, "decided_within_term_pct", month="2026-11")
    assert ranking.total == 3
    assert [(r.rank, r.key) for r in ranking.entries] == [(2, "justice-1703202")]
    everyone = indicators.ranking(AUDITOR, "decided_within_term_pct", month="2026-11", limit=2)
    assert [r.key for r in everyone.entries] == ["a", "justice-1703202"]
    assert everyone.next is not None
    rest = indicators.ranking(
        AUDITOR, "decided_within_term_pct", month="2026-11", cursor=everyone.next, limit=2
    )
    assert [r.key for r in rest.entries] == ["c"]
    assert rest.next is None


def test_indicators_are_narrowed_to_an_officers_agency_and_carry_targets() -> None:
    read_model = MemoryKpi({("agency",): [kpi_row("justice-1703202", 70.0), kpi_row("c", 1.0)]})
    indicators = TargetIndicators(read_model, TARGETS)
    result = indicators.indicators(OFFICER, ["agency"], month="2026-11")
    assert read_model.asked[-1]["filters"]["agency"] == "justice-1703202"
    with pytest.raises(NotYourAgency):
        indicators.indicators(OFFICER, ["agency"], month="2026-11", agency="c")
    assert [g.row.group["agency"] for g in result.groups] == ["justice-1703202"]
    assert result.groups[0].targets["decided_within_term_pct"] == Target(50.0, ">=")
    assert result.months == ("2026-11", "2026-11")


def test_who_may_not_read_indicators_is_refused_before_the_period_is_checked() -> None:
    indicators = TargetIndicators(MemoryKpi(), TARGETS)
    with pytest.raises(RoleNotAllowed):
        indicators.indicators(CITIZEN, ["agency"], month=None)
    with pytest.raises(InvalidQuery, match="month"):
        indicators.indicators(AUDITOR, ["agency"], month=None)
    with pytest.raises(InvalidQuery, match="after `to`"):
        indicators.ranking(AUDITOR, "decided_within_term_pct", first="2026-12", last="2026-01")
    with pytest.raises(InvalidQuery, match="indicator"):
        indicators.ranking(AUDITOR, "nope", month="2026-11")
