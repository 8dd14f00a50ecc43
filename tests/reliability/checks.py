"""The checks that follow a fault: every acknowledged write (in the clients' ledger) is in
the event store, once, and every read model equals a rebuild.
"""

from __future__ import annotations

from uuid import UUID

from domain.appeal import Appeal
from domain.ids import natural_id
from domain.payment import Payment
from domain.service_application import ServiceApplication
from infrastructure.container import Container
from infrastructure.workers import PROJECTIONS
from tests.integration.store_reading import decoded, snapshot
from tests.reliability.clients import Ledger


def assert_acknowledged_writes_recorded(container: Container, ledger: Ledger) -> dict[str, int]:
    """Every acknowledged write is in the event store, once; returns how many were checked."""
    cases, payments = container.cases, container.payments
    acknowledged = {k: list(v) for k, v in ledger.acknowledged.items()}
    for key in acknowledged.get("application", []):
        application = cases.find(ServiceApplication, UUID(key))
        assert application is not None, f"acknowledged application {key} is not in the store"
    for key in acknowledged.get("decision", []):
        application = cases.find(ServiceApplication, UUID(key))
        assert application is not None
        assert application.decision_id is not None, f"acknowledged decision of {key} is lost"
    for key in acknowledged.get("payment", []):
        payments.payment(UUID(key))  # PaymentNotFound if the acknowledged payment is lost
    for key in acknowledged.get("payment_succeeded", []):
        payment = payments.payment(UUID(key))
        assert payment.status in ("succeeded", "refunded"), key
    for key in acknowledged.get("appeal", []):
        assert cases.find(Appeal, UUID(key)) is not None, f"appeal {key} is lost"

    # Nothing twice: each submission key made at most one application, the one its
    # acknowledgement named; no application came from anywhere else.
    submitted = [
        e.originator_id for _, e in decoded(cases) if isinstance(e, ServiceApplication.Submitted)
    ]
    assert len(submitted) == len(set(submitted))
    expected = {
        natural_id("applications", f"{citizen}:{key}")
        for key, citizen in ledger.submission_keys.items()
    }
    assert set(submitted) <= expected, "an application no submission key accounts for"
    acked = {UUID(k) for k in acknowledged.get("application", [])}
    assert len(acked) == len(acknowledged.get("application", [])), "one id acknowledged twice"
    assert acked <= set(submitted)
    # Appeals and payments have no natural id from the key: at most one per key used.
    filed = [e for _, e in decoded(cases) if isinstance(e, Appeal.Filed)]
    assert len(filed) <= ledger.keys["appeal"], (
        f"{len(filed)} appeals filed with {ledger.keys['appeal']} idempotency keys"
    )
    requested = [e for _, e in decoded(payments) if isinstance(e, Payment.Requested)]
    assert len({e.application_id for e in requested}) == len(requested), "two payments of a case"
    return {kind: len(ids) for kind, ids in acknowledged.items()}


def assert_read_models_equal_a_rebuild(container: Container) -> None:
    live = snapshot(container)
    for spec in PROJECTIONS:
        container.rebuild_projection(spec.name)
    rebuilt = snapshot(container)
    for name, tables in live.items():
        for table, rows in tables.items():
            assert rows == rebuilt[name][table], f"{name}: {table} differs from its rebuild"
    assert live["citizen_applications"]["citizen_applications"], "no application was projected"
