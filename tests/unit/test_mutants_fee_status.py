"""Rules mutation testing found no unit test reaching (docs/testing.md): the fee status an
applicant is shown, the provider payment index's natural id, and the dict forms of money
and of a fee exemption that events and the API carry."""

from __future__ import annotations

from uuid import uuid5

import pytest

from domain.fee_status import fee_status
from domain.fees import Money
from domain.ids import YAGONA_NAMESPACE
from domain.indexes import ProviderPaymentIndex
from domain.service import Exemption
from tests.unit.builders import names


@pytest.mark.parametrize(
    ("amount", "exempt", "payment_status", "awaiting", "shown"),
    [
        (0, False, None, False, "not_required"),  # a free service
        (0, True, None, False, "exempt"),  # the applicant claimed an exemption
        (100, False, None, True, "pending"),  # owed, no attempt yet
        (100, False, None, False, "unpaid"),  # owed, never paid, the case ended
        (100, False, "requested", True, "pending"),
        (100, False, "pending", True, "pending"),
        (100, False, "succeeded", False, "paid"),
        (100, False, "failed", True, "failed"),
        (100, False, "expired", False, "expired"),
        (100, False, "refund_requested", False, "refund_pending"),
        (100, False, "refund_submitted", False, "refund_pending"),
        (100, False, "refunded", False, "refunded"),
        (100, False, "refund_failed", False, "refund_failed"),
    ],
)
def test_the_fee_status_shown_to_the_applicant(
    amount: int, exempt: bool, payment_status: str | None, awaiting: bool, shown: str
) -> None:
    assert (
        fee_status(
            amount=amount, exempt=exempt, payment_status=payment_status, awaiting_payment=awaiting
        )
        == shown
    )


def test_a_provider_payment_is_found_by_its_provider_id() -> None:
    index = ProviderPaymentIndex(
        provider_payment_id="pi_123", payment_id=uuid5(YAGONA_NAMESPACE, "p")
    )
    assert index.id == uuid5(YAGONA_NAMESPACE, "/provider-payments/pi_123")


def test_money_and_exemptions_as_dicts() -> None:
    assert Money(20_600_000, "UZS").to_dict() == {"amount": 20_600_000, "currency": "UZS"}
    exemption = Exemption("disability-group-1", names("Nogironlar"), "Law 'On state duty', art. 9")
    assert exemption.to_dict() == {
        "code": "disability-group-1",
        "names": names("Nogironlar"),
        "legal_basis": "Law 'On state duty', art. 9",
    }
