"""The scripted February 2027 of the KPI test (test_kpi.py, whose docstring tells it): the
commands run against a live container on an injected clock, each recording the plain facts
the expected indicators are computed from."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest

from application.principal import Principal
from domain.context import CommandContext
from infrastructure.container import Container
from infrastructure.payments.sandbox import SandboxProvider
from infrastructure.payments.webhooks import to_provider_event, verify
from tests.documents import uploads
from tests.e2e.cases import CITIZEN_A, CITIZEN_B, service_example
from tests.fakes.adapters import FixedClock
from tests.integration.kpi_facts import (
    APPEAL_TERM,
    BIRTH,
    EXTENDED_APPEAL_TERM,
    FEE,
    LAND,
    MARRIAGE,
    OFFICERS,
    PROVIDER,
    REGION,
    REQUEST_TERM_WORKING_DAYS,
    START,
    SYSTEM,
    T1,
    T2,
    UZ,
    App,
    AppealFact,
    Fee,
    H,
    J,
    RequestFact,
    add_working_days,
    wall_month,
)


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
