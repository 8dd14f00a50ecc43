"""What mutation testing found no test checked in a decision (docs/testing.md): its texts
are refused blank, by the field's name, and past 10000 characters, recorded without the
spaces around them; a revocation records its reason and meta, and happens once."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from domain.decision import REVOKED, VALID, Decision
from domain.errors import DecisionRevoked, InvalidInput
from tests.unit.builders import META

NUMBER = "JUSTICE-1703202-2026-000001"


def fields(**changed: Any) -> dict[str, Any]:
    return {
        "registration_number": NUMBER,
        "application_id": UUID(int=2),
        "tracking_number": "AR-2026-0000001",
        "agency_id": UUID(int=1),
        "agency_code": "justice-1703202",
        "service_code": "x",
        "service_version": 1,
        "officer": "officer-1",
        "outcome": "approved",
        "reasons": "the documents are complete",
        "legal_basis": "Regulation 1, article 2",
        "decided_at": "2026-11-30T10:00:00+00:00",
        "documents": {},
        "verification_code": "ABCD-EFGH",
        "meta": META,
        **changed,
    }


@pytest.mark.parametrize(
    ("name", "words"), [("reasons", "reasons"), ("legal_basis", "legal basis")]
)
def test_a_blank_text_is_refused_by_its_name(name: str, words: str) -> None:
    for blank in ("", "   "):
        with pytest.raises(InvalidInput, match=f"^a decision states its {words}$"):
            Decision.issue(**fields(**{name: blank}))


@pytest.mark.parametrize("name", ["reasons", "legal_basis"])
def test_a_text_may_be_10000_characters_and_no_more(name: str) -> None:
    assert len(getattr(Decision.issue(**fields(**{name: "a" * 10000})), name)) == 10000
    with pytest.raises(InvalidInput, match=name):
        Decision.issue(**fields(**{name: "a" * 10001}))


def test_texts_are_recorded_without_surrounding_spaces() -> None:
    decision = Decision.issue(**fields(reasons="  complete \n", legal_basis="\tart. 2 "))
    [issued] = decision.collect_events()
    assert (issued.reasons, issued.legal_basis) == ("complete", "art. 2")
    assert (decision.reasons, decision.legal_basis, decision.status) == (
        "complete",
        "art. 2",
        VALID,
    )


def test_a_revocation_records_its_reason_and_meta_and_happens_once() -> None:
    decision = Decision.issue(**fields())
    decision.revoke(reason="  issued in error ", meta=META)
    revoked = decision.collect_events()[-1]
    assert isinstance(revoked, Decision.Revoked)
    assert (revoked.reason, revoked.meta, decision.status) == ("issued in error", META, REVOKED)
    with pytest.raises(DecisionRevoked, match=f"^decision {NUMBER} is already revoked$"):
        decision.revoke(reason="again", meta=META)


def test_a_revocation_states_its_reason() -> None:
    decision = Decision.issue(**fields())
    with pytest.raises(InvalidInput, match="reason"):
        decision.revoke(reason="  ", meta=META)
    assert decision.status == VALID


def test_an_unknown_outcome_is_refused_naming_the_allowed_ones() -> None:
    with pytest.raises(InvalidInput, match=r"^outcome must be approved or rejected$"):
        Decision.issue(**fields(outcome="maybe"))
