"""The target indicators (KPIs) on PostgreSQL: a scripted February 2027 of cases, appeals,
inter-agency requests and payments, with an injected clock and every worker running; every
KPI value is checked against numbers this test computes from the script itself (its own
working-day count, its own groupings), and a rebuild of the read model gives the same.

The script (Uzbekistan's days; 2027-02-01 is a Monday, and no public holiday falls between
it and 2027-03-01):

- justice-1703202 (J): five birth registrations (free, term 1 working day) decided on the
  day (approved), the next day (rejected), three days later (late); one withdrawn; one
  submitted on 26 February and decided on 1 March; two paid marriage registrations (term
  22), one rejected (its fee refunded) and one approved;
- justice-1706204 (J2, another district): two birth registrations, one decided on the day
  (rejected), one after five working days (late);
- hokimiyat-1703202 (H): two land-plot allocations (term 22), one decided after seven
  working days, one left open; it receives the appeals of district 1703202 (answered on
  time, on time after an extension, late, never (escalated as overdue), escalated as overdue
  and then answered by the region within its new term, one still open)
  and J's inter-agency requests (answered on time, late, refused on time, overdue, one
  open); it asks J once (answered on time);
- hokimiyat-1706204 (H2): one appeal, answered on time.

Fees count when the provider took or gave back the money, which is when the payment's
events were recorded: the wall clock's month, not the injected one.
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from application.principal import Principal
from domain.context import CommandContext
from infrastructure.container import Container
from infrastructure.database import DatabaseConfig
from infrastructure.payments.sandbox import SandboxProvider
from infrastructure.payments.webhooks import to_provider_event, verify
from projections.kpi import KpiRow
from tests.documents import uploads
from tests.e2e.cases import CITIZEN_A, CITIZEN_B, service_example
from tests.fakes.adapters import FixedClock
from tests.integration.live import live_container

UZ = timezone(timedelta(hours=5))
START = date(2027, 2, 1)  # a Monday
HOLIDAYS: frozenset[date] = frozenset()  # none from 2027-02-01 to 2027-03-01
J, J2, H, H2 = "justice-1703202", "justice-1706204", "hokimiyat-1703202", "hokimiyat-1706204"
REGION = "hokimiyat-1703"  # where district 1703202's overdue appeals escalate
T1, T2 = "1703202", "1706204"
BIRTH, MARRIAGE, LAND = "birth-registration", "marriage-registration", "land-plot-allocation"
TERM_WORKING_DAYS = {BIRTH: 1, MARRIAGE: 22, LAND: 22}
FEE = 20_600_000  # marriage registration: half the BHM of 412,000 so'm, in tiyin
APPEAL_TERM, EXTENDED_APPEAL_TERM = timedelta(days=15), timedelta(days=30)
REQUEST_TERM_WORKING_DAYS = 5

OFFICERS = {
    agency: Principal(f"clerk-{agency}", "officer", agency=agency)
    for agency in (J, J2, H, H2, REGION)
}
SYSTEM = CommandContext(actor="system:worker", role="system", correlation_id="kpi")
PROVIDER = CommandContext(actor="provider:sandbox", role="system", correlation_id="kpi")


# --- an independent calendar ------------------------------------------------------------------


def working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in HOLIDAYS


def working_days_after(start: date, end: date) -> int:
    """Working days d with start < d <= end, counted one by one."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += working_day(day)
    return count


def add_working_days(start: date, days: int) -> date:
    day = start
    while days:
        day += timedelta(days=1)
        days -= working_day(day)
    return day


def month(day: date) -> str:
    return day.strftime("%Y-%m")


def wall_month() -> str:
    return datetime.now(UZ).strftime("%Y-%m")


# --- what the script did, as plain facts --------------------------------------------------------


@dataclass
class App:
    id: UUID
    agency: str
    service: str
    territory: str
    submitted: date
    started: date | None = None  # the legal term's start (submission, or payment)
    decided: date | None = None
    outcome: str | None = None

    @property
    def working_days_taken(self) -> int:
        assert self.started is not None
        assert self.decided is not None
        return working_days_after(self.started, self.decided)

    @property
    def within_term(self) -> bool:
        assert self.started is not None
        assert self.decided is not None
        return self.decided <= add_working_days(self.started, TERM_WORKING_DAYS[self.service])


@dataclass
class AppealFact:
    id: UUID
    agency: str
    territory: str
    filed: date
    due: date
    answered: date | None = None
    overdue: bool = False
    rating: int | None = None


@dataclass
class RequestFact:
    id: UUID
    agency: str  # the receiving one
    territory: str
    requested: date
    due: date
    responded: date | None = None
    overdue: bool = False


@dataclass
class Fee:
    agency: str
    service: str
    territory: str
    paid: int
    paid_month: str
    refunded: int = 0
    refunded_month: str | None = None


@dataclass
class Script:
    container: Container
    clock: FixedClock
    apps: dict[str, App] = field(default_factory=dict)
    appeals: dict[str, AppealFact] = field(default_factory=dict)
    requests: dict[str, RequestFact] = field(default_factory=dict)
    fees: dict[str, Fee] = field(default_factory=dict)

    # --- time ---

    def on(self, day: date) -> None:
        assert day >= self.today, "the script runs forwards"
        self.clock.at = datetime(day.year, day.month, day.day, 9, 0, tzinfo=UZ)

    @property
    def today(self) -> date:
        return self.clock.today()

    # --- citizens ---

    def ctx(self, who: Principal) -> CommandContext:
        if who.role == "citizen":
            return CommandContext(
                actor=who.subject,
                role="citizen",
                correlation_id="kpi",
                actor_ref=self.container.cases.applicant_ref(who.subject),
            )
        return CommandContext(actor=who.subject, role=who.role, correlation_id="kpi")

    def submit(self, name: str, service: str, territory: str, who: str = CITIZEN_A) -> None:
        citizen = Principal(who, "citizen")
        application = self.container.submissions.submit(
            citizen,
            self.ctx(citizen),
            service_code=service,
            territory=territory,
            form=service_example(service),
            attachments=uploads(service),
            language="ru",
        )
        assert application.agency is not None
        free = service != MARRIAGE  # a paid case's term starts when it is paid
        self.apps[name] = App(
            application.id,
            application.agency.code,
            service,
            territory,
            self.today,
            self.today if free else None,
        )

    def pay(self, name: str, who: str = CITIZEN_A) -> None:
        app = self.apps[name]
        citizen = Principal(who, "citizen")
        started = self.container.payments.start(citizen, self.ctx(citizen), str(app.id))
        assert started.provider is not None
        assert started.payment.amount == FEE
        provider = self.container.provider
        assert isinstance(provider, SandboxProvider)
        callback = provider.decide(started.provider.provider_payment_id, "succeeded")
        assert callback is not None
        event = to_provider_event(verify(*callback, self.container.webhook_secret))
        assert event is not None
        before = wall_month()
        self.container.payments.apply_provider_event(PROVIDER, event)
        paid_month = wall_month()
        if before != paid_month:
            pytest.skip("the wall clock's month turned while paying")
        self.fees[name] = Fee(app.agency, app.service, app.territory, FEE, paid_month)
        eventually(
            lambda: self.container.cases.load(str(app.id)).status == "queued",
            "the paid case to be queued",
        )
        app.started = self.today  # the term starts on payment

    def withdraw(self, name: str) -> None:
        citizen = Principal(CITIZEN_A, "citizen")
        self.container.submissions.withdraw(
            citizen, self.ctx(citizen), str(self.apps[name].id), reason="changed my mind"
        )

    # --- officers ---

    def accept(self, name: str) -> None:
        app = self.apps[name]
        clerk = OFFICERS[app.agency]
        self.container.handling.accept(clerk, self.ctx(clerk), str(app.id))

    def decide(self, name: str, outcome: str, *, accept: bool = True) -> None:
        app = self.apps[name]
        clerk = OFFICERS[app.agency]
        if accept:
            self.accept(name)
        refunded_before = wall_month()
        self.container.decisions.decide(
            clerk,
            self.ctx(clerk),
            str(app.id),
            outcome=outcome,
            reasons="Checked.",
            legal_basis="Art. 1",
        )
        app.decided, app.outcome = self.today, outcome
        if outcome == "rejected" and name in self.fees:  # refunded on rejection
            ledger = self.container.payments_ledger
            eventually(
                lambda: any(
                    e.status == "refunded"
                    for e in ledger.entries(filters={"agency": app.agency}).items
                    if e.application_id == app.id
                ),
                "the rejected case's fee to be refunded",
            )
            refunded_month = wall_month()
            if refunded_before != refunded_month:
                pytest.skip("the wall clock's month turned while refunding")
            self.fees[name].refunded, self.fees[name].refunded_month = FEE, refunded_month

    # --- appeals ---

    def file_appeal(self, name: str, territory: str, who: str = CITIZEN_B) -> None:
        citizen = Principal(who, "citizen")
        appeal = self.container.appeals.file(
            citizen,
            self.ctx(citizen),
            territory=territory,
            subject="housing",
            text="The courtyard lighting has not worked for a month.",
        )
        self.appeals[name] = AppealFact(
            appeal.id, appeal.agency.code, territory, self.today, self.today + APPEAL_TERM
        )

    def extend_appeal(self, name: str) -> None:
        fact = self.appeals[name]
        clerk = OFFICERS[fact.agency]
        self.container.appeals.extend(
            clerk, self.ctx(clerk), str(fact.id), reason="an inspection is needed"
        )
        fact.due = fact.filed + EXTENDED_APPEAL_TERM

    def answer_appeal(self, name: str, by: str | None = None) -> None:
        fact = self.appeals[name]
        clerk = OFFICERS[by or fact.agency]
        self.container.appeals.answer(clerk, self.ctx(clerk), str(fact.id), text="Repaired.")
        fact.answered = self.today

    def rate_appeal(self, name: str, rating: int, who: str = CITIZEN_B) -> None:
        citizen = Principal(who, "citizen")
        self.container.appeals.rate(
            citizen, self.ctx(citizen), str(self.appeals[name].id), rating=rating
        )
        self.appeals[name].rating = rating

    def appeal_overdue(self, name: str) -> None:
        fact = self.appeals[name]
        assert self.today > fact.due
        assert self.container.appeals.check_deadline(SYSTEM, fact.id)
        fact.overdue = True

    # --- inter-agency requests ---

    def request(self, name: str, case: str, to_agency: str) -> None:
        app = self.apps[case]
        clerk = OFFICERS[app.agency]
        made = self.container.inter_agency.request(
            clerk,
            self.ctx(clerk),
            str(app.id),
            to_agency=to_agency,
            requested_data="The applicant's registered address.",
            purpose="To confirm the territory of the case.",
            legal_basis="Art. 2",
            term_working_days=REQUEST_TERM_WORKING_DAYS,
        )
        self.requests[name] = RequestFact(
            made.id,
            to_agency,
            app.territory,
            self.today,
            add_working_days(self.today, REQUEST_TERM_WORKING_DAYS),
        )

    def answer_request(self, name: str) -> None:
        fact = self.requests[name]
        clerk = OFFICERS[fact.agency]
        self.container.inter_agency.answer(
            clerk, self.ctx(clerk), str(fact.id), data={"address": "Mustaqillik 1"}
        )
        fact.responded = self.today

    def refuse_request(self, name: str) -> None:
        fact = self.requests[name]
        clerk = OFFICERS[fact.agency]
        self.container.inter_agency.refuse(
            clerk, self.ctx(clerk), str(fact.id), reason="We hold no such record."
        )
        fact.responded = self.today

    def request_overdue(self, name: str) -> None:
        fact = self.requests[name]
        assert self.today > fact.due
        assert self.container.inter_agency.check_deadline(SYSTEM, fact.id)
        fact.overdue = True


def eventually(check: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"{what}: not within {timeout}s"
        time.sleep(0.05)


def run_script(script: Script) -> None:
    s, d = script, START
    s.on(d)  # Monday 1 February
    for name in ("a1", "a2", "a3", "a6"):
        s.submit(name, BIRTH, T1)
    for name in ("a4", "a5"):
        s.submit(name, MARRIAGE, T1)
        s.pay(name)
    for name in ("b1", "b2"):
        s.submit(name, BIRTH, T2)
    for name in ("h1", "h2"):
        s.submit(name, LAND, T1)
    s.withdraw("a6")
    s.decide("a1", "approved")
    s.decide("b2", "rejected")
    s.accept("a5")
    for name in ("r1", "r2", "r3", "r4"):
        s.request(name, "a5", H)
    s.accept("h2")
    s.request("r5", "h2", J)
    for name in ("p1", "p2", "p3", "p4", "p7", "p8"):
        s.file_appeal(name, T1)
    s.file_appeal("p6", T2)

    s.on(d + timedelta(days=1))  # Tuesday 2 February
    s.decide("a2", "rejected")  # on its due date: within the term
    s.refuse_request("r3")
    s.answer_request("r5")
    s.answer_appeal("p6")
    s.rate_appeal("p6", 4)

    s.on(d + timedelta(days=2))  # Wednesday 3 February
    s.decide("a4", "rejected")  # its fee is refunded
    s.answer_request("r1")
    s.answer_appeal("p1")
    s.rate_appeal("p1", 5)

    s.on(d + timedelta(days=3))  # Thursday 4 February
    s.decide("a3", "approved")  # two days late

    s.on(d + timedelta(days=4))  # Friday 5 February
    s.decide("a5", "approved", accept=False)  # accepted on the 1st

    s.on(d + timedelta(days=7))  # Monday 8 February
    s.decide("b1", "approved")  # late

    s.on(d + timedelta(days=8))  # Tuesday 9 February
    s.answer_request("r2")  # a day after its due date

    s.on(d + timedelta(days=9))  # Wednesday 10 February
    s.decide("h1", "approved")
    s.answer_appeal("p2")
    s.rate_appeal("p2", 3)

    s.on(d + timedelta(days=14))  # Monday 15 February
    s.extend_appeal("p7")

    s.on(d + timedelta(days=17))  # Thursday 18 February: past the 15-day term
    s.answer_appeal("p3")
    s.rate_appeal("p3", 2)

    s.on(d + timedelta(days=21))  # Monday 22 February
    s.appeal_overdue("p4")  # escalated to the region, still H's appeal
    s.appeal_overdue("p8")
    s.request_overdue("r4")  # escalated to H's parent, still H's request

    s.on(d + timedelta(days=22))  # Tuesday 23 February
    s.answer_appeal("p8", by=REGION)  # on time for the region: late for H, which it was filed with
    s.rate_appeal("p8", 5)

    s.on(d + timedelta(days=23))  # Wednesday 24 February: within the extended term
    s.answer_appeal("p7")

    s.on(d + timedelta(days=24))  # Thursday 25 February
    s.file_appeal("p5", T1)  # open, within its term

    s.on(d + timedelta(days=25))  # Friday 26 February
    s.submit("a7", BIRTH, T1)
    s.accept("a7")
    s.request("r6", "a7", H)  # open, within its term

    s.on(date(2027, 3, 1))  # Monday 1 March
    s.decide("a7", "approved", accept=False)
    s.container.wait_for_projections(timeout=60)


# --- the expected indicators, computed from the script ------------------------------------------


def expected(
    script: Script,
    group_by: list[str],
    first: str,
    last: str,
    filters: dict[str, str] | None = None,
) -> dict[tuple[str | None, ...], dict[str, Any]]:
    """Each group's counts and indicators, by the documented rules, from the script's facts."""
    filters = filters or {}
    dims = [d for d in ("agency", "service", "territory") if d in group_by]
    buckets: dict[tuple[str | None, ...], dict[str, list[Any]]] = defaultdict(
        lambda: defaultdict(list)
    )

    def add(kind: str, where: dict[str, str | None], value: Any, when: str | None) -> None:
        if when is None or not first <= when <= last:
            return
        if filters.get("agency") and where["agency"] != filters["agency"]:
            return
        if filters.get("service") and where["service"] != filters["service"]:
            return
        territory = where["territory"] or ""
        if filters.get("territory") and not territory.startswith(filters["territory"]):
            return
        buckets[tuple(where[d] for d in dims)][kind].append(value)

    for app in script.apps.values():
        where = {"agency": app.agency, "service": app.service, "territory": app.territory}
        add("submitted", where, 1, month(app.submitted))
        if app.decided is not None:
            decision = (app.within_term, app.outcome == "rejected", app.working_days_taken)
            add("decided", where, decision, month(app.decided))
    for appeal in script.appeals.values():
        where = {"agency": appeal.agency, "service": None, "territory": appeal.territory}
        add("appeal", where, appeal, month(appeal.filed))
    for request in script.requests.values():
        where = {"agency": request.agency, "service": None, "territory": request.territory}
        add("request", where, request, month(request.requested))
    for fee in script.fees.values():
        where = {"agency": fee.agency, "service": fee.service, "territory": fee.territory}
        add("paid", where, fee.paid, fee.paid_month)
        add("refunded", where, fee.refunded, fee.refunded_month)

    per_service = "service" in dims or bool(filters.get("service"))
    groups = {}
    for key, facts in buckets.items():
        decisions = facts["decided"]
        days = sorted(d for _, _, d in decisions)
        appeals: list[AppealFact] = facts["appeal"]
        concluded = [a for a in appeals if a.answered is not None or a.overdue]
        on_time = [
            a for a in concluded if a.answered is not None and a.answered <= a.due and not a.overdue
        ]
        ratings = [a.rating for a in appeals if a.rating is not None]
        requests: list[RequestFact] = facts["request"]
        settled = [r for r in requests if r.responded is not None or r.overdue]
        in_time = [r for r in settled if r.responded is not None and r.responded <= r.due]
        submitted = len(facts["submitted"])
        groups[key] = {
            "submitted": submitted,
            "decided": len(decisions),
            "appeals": len(appeals),
            "inter_agency_requests": len(requests),
            "fees_collected": sum(facts["paid"]),
            "fees_refunded": sum(facts["refunded"]),
            "decided_within_term_pct": percent(sum(w for w, _, _ in decisions), len(decisions)),
            "median_processing_working_days": statistics.median(days) if days else None,
            "p90_processing_working_days": (
                (
                    statistics.quantiles(days, n=10, method="inclusive")[8]
                    if len(days) > 1
                    else days[0]
                )
                if days
                else None
            ),
            "rejection_rate_pct": percent(sum(r for _, r, _ in decisions), len(decisions)),
            "appeals_per_1000_applications": (
                1000 * len(appeals) / submitted if submitted and not per_service else None
            ),
            "appeals_answered_on_time_pct": percent(len(on_time), len(concluded)),
            "average_rating": sum(ratings) / len(ratings) if ratings else None,
            "requests_answered_on_time_pct": percent(len(in_time), len(settled)),
        }
    return groups


def percent(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


COUNTS = (
    "submitted",
    "decided",
    "appeals",
    "inter_agency_requests",
    "fees_collected",
    "fees_refunded",
)


def actual(rows: list[KpiRow], dims: list[str]) -> dict[tuple[str | None, ...], dict[str, Any]]:
    found = {}
    for row in rows:
        values: dict[str, Any] = {name: getattr(row, name) for name in COUNTS}
        values.update(row.actuals)
        found[tuple(row.group[d] for d in dims)] = values
    return found


def assert_matches(
    got: dict[tuple[str | None, ...], dict[str, Any]],
    want: dict[tuple[str | None, ...], dict[str, Any]],
) -> None:
    assert set(got) == set(want)
    for key, values in want.items():
        for name, value in values.items():
            if value is None or name in COUNTS:
                assert got[key][name] == value, (key, name, got[key][name], value)
            else:
                assert got[key][name] == pytest.approx(value, abs=0.006), (key, name)


# --- the fixture ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def script(
    test_database: DatabaseConfig, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Script]:
    clock = FixedClock(datetime(2027, 2, 1, 4, 0, tzinfo=UTC))  # 09:00 in Tashkent
    with live_container(test_database, tmp_path_factory.mktemp("kpi"), clock) as container:
        scripted = Script(container, clock)
        run_script(scripted)
        yield scripted


GROUPINGS = [
    (["agency"], "2027-02", "2027-02", {}),
    (["agency", "service"], "2027-02", "2027-02", {}),
    (["territory"], "2027-02", "2027-02", {}),
    (["agency", "service", "territory"], "2027-02", "2027-03", {}),
    ([], "2027-02", "2027-03", {}),
    (["agency"], "2027-03", "2027-03", {}),
    (["service"], "2027-02", "2027-02", {"territory": "1706"}),
    (["agency"], "2027-02", "2027-02", {"service": BIRTH}),
    (["service"], "2027-02", "2027-03", {"agency": J}),
]


def query(
    script: Script, dims: list[str], first: str, last: str, filters: dict[str, str]
) -> list[KpiRow]:
    return script.container.kpi.every_group(
        dims,
        months=(first, last),
        filters={"agency": None, "service": None, "territory": None, **filters},
    )


# --- the tests --------------------------------------------------------------------------------


def test_the_script_itself_is_what_the_docstring_says(script: Script) -> None:
    """Guards the independent model: the numbers a reader can check by hand."""
    want = expected(script, ["agency"], "2027-02", "2027-02")
    j, j2, h, h2 = want[(J,)], want[(J2,)], want[(H,)], want[(H2,)]
    assert (j["submitted"], j["decided"], j["decided_within_term_pct"]) == (7, 5, 80.0)
    assert (j["median_processing_working_days"], j["rejection_rate_pct"]) == (2, 40.0)
    assert j["p90_processing_working_days"] == pytest.approx(3.6)
    assert j["requests_answered_on_time_pct"] == 100.0
    assert (j2["decided_within_term_pct"], j2["median_processing_working_days"]) == (50.0, 2.5)
    assert (
        h["appeals"],
        h["appeals_answered_on_time_pct"],
        h["appeals_per_1000_applications"],
    ) == (
        7,
        50.0,
        3500.0,
    )
    assert h["average_rating"] == pytest.approx(15 / 4)
    assert (h["inter_agency_requests"], h["requests_answered_on_time_pct"]) == (5, 50.0)
    assert (h2["appeals_per_1000_applications"], h2["average_rating"]) == (None, 4.0)


@pytest.mark.parametrize(("dims", "first", "last", "filters"), GROUPINGS)
def test_every_indicator_matches_the_script(
    script: Script, dims: list[str], first: str, last: str, filters: dict[str, str]
) -> None:
    got = actual(
        query(script, dims, first, last, filters),
        [d for d in ("agency", "service", "territory") if d in dims],
    )
    want = expected(script, dims, first, last, filters)
    if not dims:  # one row for everything, even when empty
        assert list(got) == [()]
    assert_matches(got, want)


def test_fees_count_in_the_month_the_money_moved(script: Script) -> None:
    fees = list(script.fees.values())
    assert sum(f.paid for f in fees) == 2 * FEE
    assert sum(f.refunded for f in fees) == FEE
    months = sorted(
        {f.paid_month for f in fees} | {f.refunded_month for f in fees if f.refunded_month}
    )
    for m in months:
        got = actual(query(script, ["agency"], m, m, {}), ["agency"])
        assert_matches(got, expected(script, ["agency"], m, m))
        assert got[(J,)]["fees_collected"] == sum(f.paid for f in fees if f.paid_month == m)
    first = min(months[0], "2027-02")
    whole = actual(
        query(script, ["agency", "territory"], first, "2027-03", {}), ["agency", "territory"]
    )
    assert whole[(J, T1)]["fees_collected"] == 2 * FEE  # the payments' territory: their case's
    assert whole[(J, T1)]["fees_refunded"] == FEE
    assert_matches(whole, expected(script, ["agency", "territory"], first, "2027-03"))


def test_pages_walk_every_group_once(script: Script) -> None:
    kpi = script.container.kpi
    filters: dict[str, str | None] = {"agency": None, "service": None, "territory": None}
    whole = kpi.every_group(["agency", "service"], months=("2027-02", "2027-03"), filters=filters)
    walked: list[KpiRow] = []
    cursor = None
    while True:
        page = kpi.indicators(
            ["agency", "service"],
            months=("2027-02", "2027-03"),
            filters=filters,
            cursor=cursor,
            limit=2,
        )
        walked.extend(page.items)
        if page.next is None:
            break
        cursor = page.next
    assert walked == whole
    assert len(whole) == len(expected(script, ["agency", "service"], "2027-02", "2027-03"))


def test_the_http_answer_judges_each_indicator_against_its_target(script: Script) -> None:
    """Statuses over HTTP, judged here against the default targets (no overrides ship)."""
    targets = {">=": lambda a, t: a >= t, "<=": lambda a, t: a <= t}
    defaults = {
        "decided_within_term_pct": (95.0, ">="),
        "median_processing_working_days": (5.0, "<="),
        "p90_processing_working_days": (10.0, "<="),
        "rejection_rate_pct": (25.0, "<="),
        "appeals_per_1000_applications": (50.0, "<="),
        "appeals_answered_on_time_pct": (95.0, ">="),
        "average_rating": (4.0, ">="),
        "requests_answered_on_time_pct": (95.0, ">="),
    }
    container = script.container
    token = container.tokens.mint(Principal("admin-1", "admin"))
    with TestClient(create_app(container)) as client:
        response = client.get(
            "/v1/kpi",
            params={"group_by": "agency", "month": "2027-02"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["from"], body["to"], body["group_by"]) == ("2027-02", "2027-02", ["agency"])
    want = expected(script, ["agency"], "2027-02", "2027-02")
    assert {item["agency"] for item in body["items"]} == {key[0] for key in want}
    for item in body["items"]:
        values = want[(item["agency"],)]
        for name, (target, comparison) in defaults.items():
            indicator = item["indicators"][name]
            value = values[name]
            status = (
                "no_data"
                if value is None
                else ("met" if targets[comparison](round(value, 2), target) else "missed")
            )
            assert indicator == {
                "actual": None if value is None else pytest.approx(value, abs=0.006),
                "target": target,
                "comparison": comparison,
                "status": status,
            }, (item["agency"], name)
    by_agency = {item["agency"]: item["indicators"] for item in body["items"]}
    assert by_agency[J]["decided_within_term_pct"]["status"] == "missed"  # 80 < 95
    assert by_agency[H]["decided_within_term_pct"]["status"] == "met"  # 100
    assert by_agency[H]["median_processing_working_days"]["status"] == "missed"  # 7 > 5
    assert by_agency[H2]["decided_within_term_pct"]["status"] == "no_data"


def test_a_rebuild_gives_the_same_answer(script: Script) -> None:
    container = script.container
    months = sorted({f.paid_month for f in script.fees.values()} | {"2027-02"})
    cases = [(dims, first, last, filters) for dims, first, last, filters in GROUPINGS]
    cases.append((["agency", "service", "territory"], months[0], "2027-03", {}))
    before = [query(script, *case) for case in cases]
    for name in ("kpi_cases", "kpi_payments"):
        report = container.rebuild_projection(name)
        assert report.events > 0
    container.wait_for_projections(timeout=60)
    after = [query(script, *case) for case in cases]
    assert after == before
    assert any(row.fees_collected for row in after[-1])
