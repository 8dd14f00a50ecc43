"""When a paid fee is refunded: the payments policy fed the case's real events, for the
paid services of the reference catalogue and for a service whose terms refund nothing.

The rule (domain/service.py ``refund_on``, applied by ``PaymentsFollowCases``): a rejection
refunds when the service lists ``rejection``; a withdrawal refunds only before an officer
accepted the case and when the service lists ``withdrawal_before_acceptance``; an approval
never refunds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import Tracking

from application.payment_policies import PaymentsFollowCases
from domain.agency import AgencyRef
from domain.calendar import WorkingCalendar
from domain.payment import Payment
from domain.service import ServiceTerms
from infrastructure.reference_data import load_reference_data
from tests.fakes.adapters import FixedClock
from tests.unit.builders import META, empty_case

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
TODAY = NOW.date()
OFFICER = "officer-17"
AGENCY = AgencyRef(UUID(int=1), "justice-1703202")


class NoCalendar:
    def find(self, *_: Any) -> None:
        return None


def _reference_refund_rules() -> dict[str, tuple[str, ...]]:
    """Each paid reference service's refund occasions, as its terms parse them."""
    rules = {}
    for spec in load_reference_data().services:
        terms = ServiceTerms.from_dict(spec.terms)
        if terms.fee.kind != "free":
            rules[spec.code] = terms.refund_on
    return rules


REFUND_RULES = _reference_refund_rules()
# Several paid services of different agencies (the catalogue has no paid service that
# refunds nothing; that case is a revision of one of these, see ``NO_REFUNDS``).
SERVICES = [
    "marriage-registration",
    "id-card-issuance",
    "pharmaceutical-licence",
    "cadastral-passport",
    "electricity-connection",
]
NO_REFUNDS: tuple[str, ...] = ()


def test_the_chosen_services_are_paid_and_refund_on_both_occasions() -> None:
    for code in SERVICES:
        assert REFUND_RULES[code] == ("rejection", "withdrawal_before_acceptance"), code


class Scenario:
    """A paid case of a service, and the payments policy that follows its events."""

    def __init__(self, service_code: str, refund_on: tuple[str, ...]) -> None:
        self.policy = PaymentsFollowCases.bind(
            clock=FixedClock(NOW), calendar_source=NoCalendar()
        )()
        self.position = 0
        self.case = empty_case(
            application_id=uuid4(),
            tracking_number="AR-2026-0000042",
            service_code=service_code,
            meta=META,
        )
        self.case.route(
            agency=AGENCY,
            term_working_days=5,
            fee=(20_600_000, "UZS", None),
            today=TODAY,
            calendar=WorkingCalendar(),
            meta=META,
        )
        payment = Payment.request(
            application_id=self.case.id,
            tracking_number=self.case.tracking_number,
            agency_code=AGENCY.code,
            service_code=service_code,
            attempt=1,
            amount=20_600_000,
            currency="UZS",
            provider="sandbox",
            refund_on=list(refund_on),
            requested_at=NOW,
            meta=META,
        )
        payment.provider_payment_created(provider_payment_id="pi_1", meta=META)
        payment.succeed(
            provider_event_id="evt_ok", provider_payment_id="pi_1", amount=20_600_000, meta=META
        )
        self.payment_id = payment.id
        self.policy.save(payment)
        self.case.confirm_payment(
            payment_id=payment.id,
            amount=20_600_000,
            today=TODAY,
            calendar=WorkingCalendar(),
            meta=META,
        )
        self.follow()

    def follow(self) -> None:
        """Run the policy over the case's new events, as the runner would."""
        for domain_event in self.case.collect_events():
            self.position += 1
            self.policy.process_event(domain_event, Tracking("Cases", self.position))

    def accept(self) -> None:
        self.case.accept(officer=OFFICER, meta=META)
        self.follow()

    def decide(self, outcome: str) -> None:
        self.case.decide(
            officer=OFFICER,
            outcome=outcome,
            decision_id=uuid4(),
            registration_number="R-1",
            today=date(2026, 12, 1),
            calendar=WorkingCalendar(),
            meta=META,
        )
        self.follow()

    def withdraw(self) -> None:
        self.case.withdraw(reason="changed my mind", meta=META)
        self.follow()

    def refund_requests(self) -> list[Any]:
        return [
            e
            for e in self.policy.repository.event_store.get(self.payment_id)
            if isinstance(e, Payment.RefundRequested)
        ]

    def payment_status(self) -> str:
        return str(self.policy.repository.get(self.payment_id).status)


Journey = Callable[[Scenario], None]


def rejected(s: Scenario) -> None:
    s.accept()
    s.decide("rejected")


def approved(s: Scenario) -> None:
    s.accept()
    s.decide("approved")


def withdrawn_before_acceptance(s: Scenario) -> None:
    s.withdraw()


def withdrawn_after_acceptance(s: Scenario) -> None:
    s.accept()
    s.withdraw()


def withdrawn_after_acceptance_and_release(s: Scenario) -> None:
    """Accepted once is accepted: releasing the case back to the queue does not undo it."""
    s.accept()
    s.case.release(officer=OFFICER, meta=META)
    s.follow()
    s.withdraw()


@pytest.mark.parametrize("code", SERVICES)
@pytest.mark.parametrize(
    ("journey", "refunds"),
    [
        (rejected, 1),
        (withdrawn_before_acceptance, 1),
        (approved, 0),
        (withdrawn_after_acceptance, 0),
        (withdrawn_after_acceptance_and_release, 0),
    ],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_refunds_follow_the_services_rule(code: str, journey: Journey, refunds: int) -> None:
    scenario = Scenario(code, REFUND_RULES[code])
    journey(scenario)
    requested = scenario.refund_requests()
    assert len(requested) == refunds
    assert scenario.payment_status() == ("refund_requested" if refunds else "succeeded")
    for event in requested:
        assert event.amount == 20_600_000


@pytest.mark.parametrize(
    "journey",
    [rejected, withdrawn_before_acceptance, approved, withdrawn_after_acceptance],
    ids=lambda v: v.__name__,
)
def test_a_service_that_refunds_nothing_records_no_refund(journey: Journey) -> None:
    scenario = Scenario("marriage-registration", NO_REFUNDS)
    journey(scenario)
    assert scenario.refund_requests() == []
    assert scenario.payment_status() == "succeeded"


@pytest.mark.parametrize(
    ("refund_on", "journey", "refunds"),
    [
        (("rejection",), rejected, 1),
        (("rejection",), withdrawn_before_acceptance, 0),
        (("withdrawal_before_acceptance",), rejected, 0),
        (("withdrawal_before_acceptance",), withdrawn_before_acceptance, 1),
    ],
    ids=[
        "rejection-only:rejected",
        "rejection-only:withdrawn",
        "withdrawal-only:rejected",
        "withdrawal-only:withdrawn",
    ],
)
def test_each_occasion_is_its_own(
    refund_on: tuple[str, ...], journey: Journey, refunds: int
) -> None:
    scenario = Scenario("marriage-registration", refund_on)
    journey(scenario)
    assert len(scenario.refund_requests()) == refunds


def test_the_withdrawal_event_says_whether_an_officer_had_accepted() -> None:
    before = Scenario("marriage-registration", REFUND_RULES["marriage-registration"])
    before.case.withdraw(reason="r", meta=META)
    assert [e.before_acceptance for e in before.case.collect_events()] == [True]
    after = Scenario("marriage-registration", REFUND_RULES["marriage-registration"])
    after.case.accept(officer=OFFICER, meta=META)
    after.case.withdraw(reason="r", meta=META)
    assert after.case.collect_events()[-1].before_acceptance is False


def test_the_same_rejection_processed_twice_refunds_once() -> None:
    scenario = Scenario("marriage-registration", REFUND_RULES["marriage-registration"])
    scenario.accept()
    scenario.case.decide(
        officer=OFFICER,
        outcome="rejected",
        decision_id=uuid4(),
        registration_number="R-1",
        today=date(2026, 12, 1),
        calendar=WorkingCalendar(),
        meta=META,
    )
    decided = scenario.case.collect_events()
    for domain_event in (*decided, *decided):
        scenario.position += 1
        scenario.policy.process_event(domain_event, Tracking("Cases", scenario.position))
    assert len(scenario.refund_requests()) == 1
