"""What the applicant is shown of an application's fee (``payment.status`` in the API).

The latest payment attempt's state in plain words, or why there is none.
"""

from __future__ import annotations

from domain.payment import (
    EXPIRED,
    FAILED,
    PENDING,
    REFUND_FAILED,
    REFUND_REQUESTED,
    REFUND_SUBMITTED,
    REFUNDED,
    REQUESTED,
    SUCCEEDED,
)

FEE_NOT_REQUIRED = "not_required"  # the service is free
FEE_EXEMPT = "exempt"  # the applicant claimed an exemption: nothing is owed
FEE_PENDING = "pending"  # owed and not paid yet (no attempt, or one under way)
FEE_UNPAID = "unpaid"  # was owed, never paid, and no longer owed (the case ended)
FEE_PAID = "paid"
FEE_REFUND_PENDING = "refund_pending"
_FEE_STATUS_OF_PAYMENT = {
    REQUESTED: FEE_PENDING,
    PENDING: FEE_PENDING,
    SUCCEEDED: FEE_PAID,
    FAILED: FAILED,
    EXPIRED: EXPIRED,
    REFUND_REQUESTED: FEE_REFUND_PENDING,
    REFUND_SUBMITTED: FEE_REFUND_PENDING,
    REFUNDED: REFUNDED,
    REFUND_FAILED: REFUND_FAILED,
}
FEE_STATUSES = tuple(
    dict.fromkeys((FEE_NOT_REQUIRED, FEE_EXEMPT, *_FEE_STATUS_OF_PAYMENT.values(), FEE_UNPAID))
)


def fee_status(
    *, amount: int, exempt: bool, payment_status: str | None, awaiting_payment: bool
) -> str:
    """The applicant's view of a fee of ``amount`` (minor units) given the latest payment
    attempt's status (None when no attempt was made) and whether the case still waits for
    the money."""
    if amount == 0:
        return FEE_EXEMPT if exempt else FEE_NOT_REQUIRED
    if payment_status is None:
        return FEE_PENDING if awaiting_payment else FEE_UNPAID
    return _FEE_STATUS_OF_PAYMENT[payment_status]
