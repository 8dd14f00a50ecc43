"""What mutation testing found the payment tests left unchecked (docs/testing.md).

Every event records the command's fields as given (the books and the read models are built
from the events alone); each transition is allowed from each state the rules name; a
provider event is applied once even after a correction or a retry; and the ids the provider
sees as idempotency keys keep their documented derivation.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

import pytest

from domain.errors import InvalidTransition, NothingChanged
from domain.ids import YAGONA_NAMESPACE
from domain.payment import Payment
from tests.unit.builders import META
from tests.unit.gwt import given, history, when_created
from tests.unit.test_payment import APPLICATION, STEPS, case, requested

OTHER_META = {"actor": "system:stripe", "role": "system", "correlation_id": "corr-9"}


def test_the_request_records_every_field_it_was_given() -> None:
    outcome = when_created(requested)
    outcome.then(
        Payment.Requested,
        application_id=APPLICATION,
        tracking_number="AR-2026-0000007",
        agency_code="justice-1703202",
        service_code="marriage-registration",
        currency="UZS",
        provider="stripe",
        refund_on=["rejection", "withdrawal_before_acceptance"],
        meta=META,
    )
    payment = outcome.aggregate
    assert (payment.tracking_number, payment.agency_code, payment.service_code) == (
        "AR-2026-0000007",
        "justice-1703202",
        "marriage-registration",
    )
    assert (payment.currency, payment.provider) == ("UZS", "stripe")


def test_the_smallest_positive_amount_is_a_payment() -> None:
    when_created(lambda: requested(amount=1)).then(Payment.Requested, amount=1)


def test_payment_ids_keep_their_derivation() -> None:
    """Payment ids are natural keys: a changed derivation would lose every stored payment."""
    assert Payment.create_id(APPLICATION, 1) == uuid5(
        YAGONA_NAMESPACE, f"/payments/{APPLICATION}:1"
    )


def test_each_refund_request_gets_its_own_documented_id() -> None:
    """The refund id is the provider's idempotency key: a retried refund needs a new one,
    and the same history always gives the same one."""
    first = given(*case("created", "succeeded")).when(STEPS["refund"])
    first.then(Payment.RefundRequested)
    payment = first.aggregate
    assert payment.refund_id == uuid5(YAGONA_NAMESPACE, f"/refunds/{payment.id}:3")
    again = given(*case("created", "succeeded", "refund", "submitted", "refund_failed")).when(
        STEPS["refund"]
    )
    again.then(Payment.RefundRequested)
    assert again.aggregate.refund_id not in (None, payment.refund_id)
    assert again.aggregate.refund_id == uuid5(YAGONA_NAMESPACE, f"/refunds/{payment.id}:6")


@pytest.mark.parametrize(
    ("steps", "step", "expected", "fields"),
    [
        (
            (),
            "created",
            Payment.ProviderPaymentCreated,
            {"provider_payment_id": "pi_1", "meta": META},
        ),
        (
            ("created",),
            "succeeded",
            Payment.Succeeded,
            {"provider_event_id": "evt_ok", "provider_payment_id": "pi_1", "meta": META},
        ),
        (
            ("created",),
            "failed",
            Payment.Failed,
            {"provider_event_id": "evt_no", "reason": "declined", "meta": META},
        ),
        (
            ("created",),
            "expired",
            Payment.Expired,
            {
                "application_id": APPLICATION,
                "reason": "not paid in time",
                "status": "expired",
                "meta": META,
            },
        ),
        (
            ("created", "succeeded"),
            "refund",
            Payment.RefundRequested,
            {"reason": "rejected", "meta": META},
        ),
        (
            ("created", "succeeded", "refund"),
            "submitted",
            Payment.RefundSubmitted,
            {"provider_refund_id": "re_1", "meta": META},
        ),
        (
            ("created", "succeeded", "refund", "submitted"),
            "refunded",
            Payment.Refunded,
            {
                "provider_event_id": "evt_re",
                "provider_refund_id": "re_1",
                "amount": 20_600_000,
                "meta": META,
            },
        ),
        (
            ("created", "succeeded", "refund", "submitted"),
            "refund_failed",
            Payment.RefundFailed,
            {"provider_event_id": "evt_rf", "reason": "card closed", "meta": META},
        ),
    ],
)
def test_each_event_records_the_commands_fields(
    steps: tuple[str, ...], step: str, expected: type[Any], fields: dict[str, Any]
) -> None:
    given(*case(*steps)).when(STEPS[step]).then(expected, **fields)


def test_the_state_follows_the_recorded_provider_ids() -> None:
    payment = given(*case("created", "succeeded", "refund", "submitted")).aggregate
    assert payment.provider_payment_id == "pi_1"
    assert payment.provider_refund_id == "re_1"
    refunded = given(*case("created", "succeeded", "refund", "submitted", "refunded")).aggregate
    assert (refunded.refund_amount, refunded.status) == (20_600_000, "refunded")


def test_a_correction_records_its_reason_stripped_and_its_meta() -> None:
    given(*case("created")).when(
        lambda p: p.correct(status="succeeded", reason="  bank statement  ", meta=OTHER_META)
    ).then(Payment.Corrected, reason="bank statement", meta=OTHER_META)


@pytest.mark.parametrize(
    ("steps", "step", "expected"),
    [
        ((), "expired", Payment.Expired),  # never even created at the provider
        (("created", "failed"), "expired", Payment.Expired),  # the citizen gave up retrying
        (("created", "expired"), "succeeded", Payment.Succeeded),  # money taken late: recorded
        (("created", "succeeded", "refund"), "refunded", Payment.Refunded),
        (
            ("created", "succeeded", "refund", "submitted", "refund_failed"),
            "refunded",
            Payment.Refunded,
        ),
        (("created", "succeeded", "refund"), "refund_failed", Payment.RefundFailed),
    ],
)
def test_transitions_from_every_state_the_rules_allow(
    steps: tuple[str, ...], step: str, expected: type[Any]
) -> None:
    given(*case(*steps)).when(STEPS[step]).then(expected)


def test_a_refused_transition_names_the_state_it_was_refused_in() -> None:
    outcome = given(*case("created")).when(STEPS["refund"]).then_error(InvalidTransition)
    assert isinstance(outcome.error, InvalidTransition)
    assert outcome.error.state == "pending"
    assert "succeeded or refund_failed" in outcome.error.detail


def test_a_failures_event_id_cannot_later_count_as_a_success() -> None:
    given(*case("created", "failed")).when(
        lambda p: p.succeed(
            provider_event_id="evt_no", provider_payment_id="pi_1", amount=1, meta=META
        )
    ).then_error(NothingChanged, "evt_no")


def test_a_failure_replayed_after_a_correction_is_still_applied_once() -> None:
    payment = requested()
    STEPS["created"](payment)
    STEPS["failed"](payment)
    payment.correct(status="pending", reason="the bank retried", meta=META)
    given(*history(payment)).when(STEPS["failed"]).then_error(NothingChanged, "evt_no")


def test_a_refund_failures_event_id_is_applied_once() -> None:
    steps = ("created", "succeeded", "refund", "submitted", "refund_failed", "refund")
    given(*case(*steps)).when(STEPS["refund_failed"]).then_error(NothingChanged, "evt_rf")
    given(*case(*steps[:-1])).when(
        lambda p: p.refunded(
            provider_event_id="evt_rf", provider_refund_id="re_1", amount=1, meta=META
        )
    ).then_error(NothingChanged, "evt_rf")


def test_a_refund_event_id_is_applied_once_after_a_correction() -> None:
    payment = requested()
    for step in ("created", "succeeded", "refunded"):
        STEPS[step](payment)
    payment.correct(status="succeeded", reason="the bank reversed the refund", meta=META)
    given(*history(payment)).when(STEPS["refunded"]).then_error(NothingChanged, "evt_re")


def test_the_ids_of_the_payments_of_two_applications_differ() -> None:
    assert Payment.create_id(UUID(int=8), 1) != Payment.create_id(APPLICATION, 1)
