"""Decisions: an agency's legal act on an application, publicly verifiable."""

from __future__ import annotations

import hmac
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.application_statuses import OUTCOMES
from domain.errors import DecisionRevoked, InvalidInput
from domain.ids import natural_id

VALID = "valid"
REVOKED = "revoked"
STATUSES = (VALID, REVOKED)


def normalize_code(code: str) -> str:
    """A verification code as compared: no dashes or whitespace, upper case."""
    return "".join(ch for ch in code if ch != "-" and not ch.isspace()).upper()


class Decision(Aggregate):
    """Approve or reject, with reasons and legal basis, a registration number, the hashes
    of the result documents and a verification code."""

    class Issued(Aggregate.Created):
        registration_number: str
        application_id: UUID
        tracking_number: str
        agency_id: UUID
        agency_code: str
        service_code: str
        service_version: int
        officer: str
        outcome: str
        reasons: str
        legal_basis: str
        decided_at: str
        documents: dict[str, str]
        verification_code: str
        meta: dict[str, str]

    class Revoked(Aggregate.Event):
        reason: str
        meta: dict[str, str]

    @staticmethod
    def create_id(registration_number: str, **_: Any) -> UUID:
        return natural_id("decisions", registration_number)

    @classmethod
    def issue(cls, **fields: Any) -> Decision:
        if fields.get("outcome") not in OUTCOMES:
            raise InvalidInput(f"outcome must be {' or '.join(OUTCOMES)}")
        for name in ("reasons", "legal_basis"):
            value = fields.get(name)
            if not isinstance(value, str) or not value.strip():
                raise InvalidInput(f"a decision states its {name.replace('_', ' ')}")
            if len(value) > 10000:
                raise InvalidInput(f"{name} is longer than 10000 characters")
            fields[name] = value.strip()
        return cls(**fields)

    @event(Issued)
    def __init__(
        self,
        registration_number: str,
        application_id: UUID,
        tracking_number: str,
        agency_id: UUID,
        agency_code: str,
        service_code: str,
        service_version: int,
        officer: str,
        outcome: str,
        reasons: str,
        legal_basis: str,
        decided_at: str,
        documents: dict[str, str],
        verification_code: str,
        meta: dict[str, str],
    ) -> None:
        self.registration_number = registration_number
        self.application_id = application_id
        self.tracking_number = tracking_number
        self.agency_id = agency_id
        self.agency_code = agency_code
        self.service_code = service_code
        self.service_version = service_version
        self.officer = officer
        self.outcome = outcome
        self.reasons = reasons
        self.legal_basis = legal_basis
        self.decided_at = decided_at
        self.documents = dict(documents)
        self.verification_code = verification_code
        self.status = VALID

    def verifies(self, code: str) -> bool:
        """Whether ``code`` is this decision's verification code, in any case and with or
        without its dashes or spaces (compared in constant time)."""
        return hmac.compare_digest(
            normalize_code(self.verification_code).encode(), normalize_code(code).encode()
        )

    def revoke(self, *, reason: str, meta: dict[str, str]) -> None:
        if self.status == REVOKED:
            raise DecisionRevoked(f"decision {self.registration_number} is already revoked")
        if not reason.strip():
            raise InvalidInput("a revocation states its reason")
        self._revoked(reason=reason.strip(), meta=meta)

    @event(Revoked)
    def _revoked(self, reason: str, meta: dict[str, str]) -> None:
        self.status = REVOKED
