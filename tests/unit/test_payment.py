"""The payment state machine, provider events applied once and in any order."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from domain.errors import InvalidInput, InvalidTransition, NothingChanged
from domain.payment import Payment
from tests.unit.builders import META
from tests.unit.gwt import given, history, when_created

APPLICATION = UUID(int=7)


def requested(**changes: Any) -> Payment:
    fields: dict[str, Any] = {
        "application_id": APPLICATION,
        "tracking_number": "AR-2026-0000007",
        "agency_code": "justice-1703202",
        "service_code": "marriage-registration",
        "attempt": 1,
        "amount": 20_600_000,
        "currency": "UZS",
        "provider": "stripe",
        "refund_on": ["rejection", "withdrawal_before_acceptance"],
        "requested_at": datetime(2026, 11, 27, 7, 0, tzinfo=UTC),
        "meta": META,
    }
    fields.update(changes)
    return Payment.request(**fields)


STEPS = {
    "created": lambda p: p.provider_payment_created(provider_payment_id="pi_1", meta=META),
    "succeeded": lambda p: p.succeed(
        provider_event_id="evt_ok", provider_payment_id="pi_1", amount=20_600_000, meta=META
    ),
    "failed": lambda p: p.fail(provider_event_id="evt_no", reason="declined", meta=META),
    "expired": lambda p: p.expire(reason="not paid in time", meta=META),
    "refund": lambda p: p.request_refund(reason="rejected", meta=META),
    "submitted": lambda p: p.refund_submitted(provider_refund_id="re_1", meta=META),
    "refunded": lambda p: p.refunded(
        provider_event_id="evt_re", provider_refund_id="re_1", amount=20_600_000, meta=META
    ),
    "refund_failed": lambda p: p.refund_failed(
        provider_event_id="evt_rf", reason="card closed", meta=META
    ),
}


def case(*steps: str) -> list[Any]:
    payment = requested()
    for step in steps:
        STEPS[step](payment)
    return history(payment)


def test_a_payment_is_for_a_positive_amount() -> None:
    when_created(lambda: requested(amount=0)).then_error(InvalidInput, "positive amount")
    when_created(requested).then(Payment.Requested, amount=20_600_000, attempt=1)


def test_the_ids_of_attempts_are_derived_from_the_application() -> None:
    assert requested().id == Payment.create_id(APPLICATION, 1)
    assert Payment.create_id(APPLICATION, 2) != Payment.create_id(APPLICATION, 1)


def test_the_happy_path() -> None:
    given(*case()).when(STEPS["created"]).then(Payment.ProviderPaymentCreated, status="pending")
    outcome = given(*case("created")).when(STEPS["succeeded"])
    outcome.then(Payment.Succeeded, application_id=APPLICATION, status="succeeded")
    assert outcome.aggregate.paid_amount == 20_600_000


def test_success_before_the_providers_payment_was_recorded_is_accepted() -> None:
    outcome = given(*case()).when(STEPS["succeeded"])
    outcome.then(Payment.Succeeded)
    assert outcome.aggregate.provider_payment_id == "pi_1"
    given(*outcome.aggregate_history()).when(STEPS["created"]).then_error(NothingChanged)


def test_the_same_provider_event_is_applied_once() -> None:
    given(*case("created", "succeeded")).when(STEPS["succeeded"]).then_error(
        NothingChanged, "already"
    )
    given(*case("created", "failed")).when(STEPS["failed"]).then_error(NothingChanged)


def test_a_late_failure_does_not_undo_a_success() -> None:
    given(*case("created", "succeeded")).when(STEPS["failed"]).then_error(NothingChanged)


def test_a_retried_card_may_succeed_after_a_failure() -> None:
    given(*case("created", "failed")).when(
        lambda p: p.succeed(
            provider_event_id="evt_ok2", provider_payment_id="pi_1", amount=20_600_000, meta=META
        )
    ).then(Payment.Succeeded)


def test_refund_lifecycle() -> None:
    outcome = given(*case("created", "succeeded")).when(STEPS["refund"])
    outcome.then(Payment.RefundRequested, amount=20_600_000, status="refund_requested")
    assert outcome.aggregate.refund_id is not None
    given(*case("created", "succeeded", "refund")).when(STEPS["submitted"]).then(
        Payment.RefundSubmitted
    )
    given(*case("created", "succeeded", "refund", "submitted")).when(STEPS["refunded"]).then(
        Payment.Refunded, status="refunded"
    )
    given(*case("created", "succeeded", "refund", "submitted")).when(STEPS["refund_failed"]).then(
        Payment.RefundFailed
    )
    given(*case("created", "succeeded", "refund", "submitted", "refund_failed")).when(
        STEPS["refund"]
    ).then(Payment.RefundRequested)


@pytest.mark.parametrize(
    ("steps", "step", "error"),
    [
        ((), "refund", InvalidTransition),
        (("created",), "refund", InvalidTransition),
        (("created", "succeeded", "refund"), "refund", NothingChanged),
        (("created", "succeeded", "refund", "submitted", "refunded"), "refund", NothingChanged),
        (("created", "succeeded"), "expired", InvalidTransition),
        (("created", "expired"), "expired", InvalidTransition),
        (("created",), "submitted", InvalidTransition),
        (("created", "succeeded"), "refund_failed", InvalidTransition),
        (("created", "succeeded", "refund", "submitted", "refunded"), "refunded", NothingChanged),
    ],
)
def test_refused_transitions(steps: tuple[str, ...], step: str, error: type[Exception]) -> None:
    given(*case(*steps)).when(STEPS[step]).then_error(error)  # type: ignore[arg-type]


def test_a_refund_made_at_the_provider_directly_is_recorded() -> None:
    given(*case("created", "succeeded")).when(STEPS["refunded"]).then(Payment.Refunded)


def test_admin_corrections_are_new_events() -> None:
    outcome = given(*case("created")).when(
        lambda p: p.correct(status="succeeded", reason="bank statement 2026-11-27", meta=META)
    )
    outcome.then(Payment.Corrected, status="succeeded")
    given(*case("created")).when(
        lambda p: p.correct(status="pending", reason="x", meta=META)
    ).then_error(NothingChanged)
    given(*case("created")).when(
        lambda p: p.correct(status="bogus", reason="x", meta=META)
    ).then_error(InvalidInput)
