"""The statuses an application (the case) is read in, and the outcomes of its decision.

The transitions between them are ServiceApplication's (domain/service_application.py).
"""

from __future__ import annotations

AWAITING_PAYMENT = "awaiting_payment"
QUEUED = "queued"
IN_REVIEW = "in_review"
AWAITING_INFORMATION = "awaiting_information"
DECIDED = "decided"
RESULT_ISSUED = "result_issued"
WITHDRAWN = "withdrawn"
CANCELLED = "cancelled"
CLOSED = "closed"
SUBMITTED = "submitted"  # only inside the submitting command: it is routed in the same save
# Every status an application can be read in (the API's vocabulary is derived from this).
STATUSES = (
    AWAITING_PAYMENT,
    QUEUED,
    IN_REVIEW,
    AWAITING_INFORMATION,
    DECIDED,
    RESULT_ISSUED,
    WITHDRAWN,
    CANCELLED,
    CLOSED,
)
OPEN = (AWAITING_PAYMENT, QUEUED, IN_REVIEW, AWAITING_INFORMATION)
CLOCK_RUNNING = (QUEUED, IN_REVIEW)

APPROVED = "approved"
REJECTED = "rejected"
OUTCOMES = (APPROVED, REJECTED)
