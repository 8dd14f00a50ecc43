"""Integrator clients (keys, scopes, revocation) and the feed's redaction, in memory."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from application.authorization import authorize
from application.feed import FeedEvent, redact
from application.integrators import Integrators
from application.principal import Principal
from domain.context import CommandContext
from domain.errors import (
    IntegratorNotFound,
    InvalidInput,
    InvalidScope,
    RoleNotAllowed,
    ScopeMissing,
)
from tests.fakes.adapters import FixedClock, MemoryIntegratorStore

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
ADMIN = Principal("admin-1", "admin")
CTX = CommandContext(actor="admin-1", role="admin", correlation_id="t")


@pytest.fixture
def integrators() -> Integrators:
    return Integrators(MemoryIntegratorStore(), FixedClock(NOW))


def test_a_key_authenticates_its_client_until_revoked(integrators: Integrators) -> None:
    issued = integrators.create(ADMIN, CTX, name="Bank", scopes=["feed:read"])
    principal = integrators.authenticate(issued.api_key)
    assert principal == Principal(
        str(issued.client.id), "integrator", scopes=frozenset({"feed:read"})
    )
    assert issued.api_key not in repr(integrators.store.get(issued.client.id))  # kept hashed
    assert integrators.authenticate(issued.api_key + "x") is None
    assert integrators.authenticate("yk_not-a-key") is None
    assert integrators.authenticate("Bearer nonsense") is None
    revoked = integrators.revoke(ADMIN, CTX, issued.client.id, reason="contract ended")
    assert revoked.revoked_at == NOW
    assert integrators.authenticate(issued.api_key) is None
    again = integrators.revoke(ADMIN, CTX, issued.client.id, reason="second time")
    assert again.revoke_reason == "contract ended"  # the first revocation stands


def test_a_client_is_named_by_its_id_or_a_unique_prefix(integrators: Integrators) -> None:
    issued = integrators.create(ADMIN, CTX, name="Bank", scopes=["feed:read"])
    client_id = str(issued.client.id)
    for key in (client_id, client_id.upper(), client_id[:6], issued.client.id.hex[:10]):
        assert integrators.client(ADMIN, key) == issued.client
    with pytest.raises(IntegratorNotFound):
        integrators.client(ADMIN, "0" * 32 if not client_id.startswith("0") else "f" * 32)
    with pytest.raises(InvalidInput, match="at least 4"):
        integrators.client(ADMIN, client_id[:3])
    with pytest.raises(RoleNotAllowed):
        integrators.client(Principal("someone", "auditor"), client_id)


def test_only_administrators_manage_clients_and_scopes_are_known(
    integrators: Integrators,
) -> None:
    with pytest.raises(RoleNotAllowed):
        integrators.create(Principal("auditor-1", "auditor"), CTX, name="X", scopes=["feed:read"])
    with pytest.raises(InvalidScope, match="unknown scopes"):
        integrators.create(ADMIN, CTX, name="X", scopes=["feed:write"])
    with pytest.raises(InvalidScope, match="at least one"):
        integrators.create(ADMIN, CTX, name="X", scopes=[])


def test_tokens_count_for_registered_clients_within_their_scopes(
    integrators: Integrators,
) -> None:
    issued = integrators.create(ADMIN, CTX, name="Bank", scopes=["feed:read", "webhooks:manage"])
    subject = str(issued.client.id)
    narrow = Principal(subject, "integrator", scopes=frozenset({"feed:read"}))
    assert integrators.admit(narrow) == narrow
    bare = integrators.admit(Principal(subject, "integrator"))
    assert bare is not None
    assert bare.scopes == issued.client.scopes
    assert (
        integrators.admit(
            Principal(subject, "integrator", scopes=frozenset({"personal-data:read"}))
        )
        is None
    )
    assert integrators.admit(Principal(str(uuid4()), "integrator")) is None
    assert integrators.admit(Principal("not-a-uuid", "integrator")) is None
    officer = Principal("o-1", "officer", agency="justice-1703")
    assert integrators.admit(officer) is officer


def test_scopes_gate_integrators_and_roles_listed_pass() -> None:
    reader = Principal("c", "integrator", scopes=frozenset({"feed:read"}))
    authorize(reader, "feed.read")
    with pytest.raises(ScopeMissing, match="read-models:read"):
        authorize(reader, "read_models.read")
    authorize(Principal("a", "auditor"), "read_models.read")  # no scope asked of auditors
    with pytest.raises(RoleNotAllowed):
        authorize(Principal("a", "auditor"), "feed.read")


def test_redaction_keeps_public_fields_and_names_what_it_left_out() -> None:
    event = FeedEvent(
        position=7,
        stream="Cases",
        type="ServiceApplication.Submitted",
        aggregate_id=uuid4(),
        version=1,
        recorded_at=NOW,
        data={
            "tracking_number": "AR-2026-0000001",
            "service_code": "birth-registration",
            "applicant": "31503901234567",
            "applicant_name": "Aziza",
            "form": {"child_name": "Aziz"},
            "something_new": 1,
        },
        meta={"actor": "31503901234567", "role": "citizen", "correlation_id": "c"},
    )
    redacted = redact(event)
    assert redacted.data == {
        "tracking_number": "AR-2026-0000001",
        "service_code": "birth-registration",
    }
    assert redacted.redacted == ("applicant", "applicant_name", "form", "something_new")
    assert redacted.meta == {"actor": "citizen", "role": "citizen", "correlation_id": "c"}
    catalogue = FeedEvent(8, "Catalogue", "Service.Published", uuid4(), 1, NOW, {"names": {}})
    assert redact(catalogue).data == {"names": {}}
