"""Crashes between a provider call and recording its outcome take no second charge and
make no second refund; unpaid payments expire and cancel their applications."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from psycopg import sql

from application.principal import Principal
from domain.errors import NothingToPay
from infrastructure.container import Container
from infrastructure.database import DatabaseConfig
from infrastructure.payments.sandbox import SandboxProvider
from infrastructure.payments.webhooks import to_provider_event, verify
from infrastructure.reference_data import load_reference_data
from tests.conftest import TEST_NOW
from tests.documents import uploads
from tests.e2e.cases import service_example
from tests.fakes.adapters import FixedClock
from tests.integration.live import ADMIN, eventually, live_container

CITIZEN = Principal("31503901234567", "citizen")
OFFICER = Principal("officer-1", "officer", agency="justice-1703202")


@pytest.fixture(scope="module")
def clock() -> FixedClock:
    return FixedClock(TEST_NOW)


@pytest.fixture(scope="module")
def live(
    test_database: DatabaseConfig, tmp_path_factory: pytest.TempPathFactory, clock: FixedClock
) -> Iterator[Container]:
    with live_container(
        test_database, tmp_path_factory.mktemp("recovery"), clock, payment_expiry_minutes=30
    ) as container:
        yield container


def sandbox(live: Container) -> SandboxProvider:
    assert isinstance(live.provider, SandboxProvider)
    return live.provider


def count(live: Container, table: str) -> int:
    with live.database.connect() as conn:
        row = conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(live.database.schema, table))
        ).fetchone()
    assert row is not None
    return int(row[0])  # type: ignore[call-overload]


def submit(live: Container) -> Any:
    return live.submissions.submit(
        CITIZEN,
        ADMIN,
        service_code="marriage-registration",
        territory="1703202",
        form=service_example("marriage-registration"),
        attachments=uploads("marriage-registration"),
    )


def pay(live: Container, provider_payment_id: str) -> None:
    callback = sandbox(live).decide(provider_payment_id, "succeeded")
    assert callback is not None
    event = to_provider_event(verify(*callback, live.webhook_secret))
    assert event is not None
    live.payments.apply_provider_event(ADMIN, event)


def test_a_crash_after_creating_the_providers_payment_takes_no_second_charge(
    live: Container,
) -> None:
    application = submit(live)
    before = count(live, "sandbox_payments")
    with (
        mock.patch.object(live.payments, "_save", side_effect=RuntimeError("crash")),
        pytest.raises(RuntimeError),
    ):
        live.payments.start(CITIZEN, ADMIN, str(application.id))
    assert count(live, "sandbox_payments") == before + 1  # the provider was called...
    payment = live.payments.latest(application.id)
    assert payment is not None
    assert payment.provider_payment_id is None  # ...but its answer was not recorded

    resumed = live.payments.start(CITIZEN, ADMIN, str(application.id))

    assert resumed.payment.id == payment.id
    assert count(live, "sandbox_payments") == before + 1  # the same provider payment
    assert resumed.provider is not None
    assert resumed.payment.provider_payment_id == resumed.provider.provider_payment_id


def test_a_crash_after_refunding_at_the_provider_makes_no_second_refund(
    live: Container,
) -> None:
    application = submit(live)
    started = live.payments.start(CITIZEN, ADMIN, str(application.id))
    assert started.provider is not None
    pay(live, started.provider.provider_payment_id)
    eventually(lambda: live.cases.repository.get(application.id).status == "queued")
    live.stop_workers()  # the refund is carried out by hand below, as the executor would
    try:
        payment = live.payments.payment(started.payment.id)
        payment.request_refund(reason="rejected", meta=ADMIN.meta())
        live.payments.save(payment)
        refunds_before = count(live, "sandbox_refunds")
        with (
            mock.patch.object(live.payments, "_save", side_effect=RuntimeError("crash")),
            pytest.raises(RuntimeError),
        ):
            live.payments.execute_refund(ADMIN, payment.id)
        assert count(live, "sandbox_refunds") == refunds_before + 1
        assert live.payments.payment(payment.id).status == "refund_requested"

        assert live.payments.execute_refund(ADMIN, payment.id) is True  # the restart

        assert count(live, "sandbox_refunds") == refunds_before + 1
        assert live.payments.payment(payment.id).status == "refunded"
        assert live.payments.execute_refund(ADMIN, payment.id) is False
    finally:
        live.start_workers()


def test_an_unpaid_payment_expires_and_its_application_is_cancelled(
    live: Container, clock: FixedClock
) -> None:
    application = submit(live)
    started = live.payments.start(CITIZEN, ADMIN, str(application.id))
    assert started.provider is not None
    live.wait_for_projections()
    assert live.jobs.expire_unpaid() == 0  # not yet
    saved = clock.at
    clock.advance(timedelta(minutes=31))
    try:
        assert live.jobs.expire_unpaid() >= 1
    finally:
        clock.at = saved
    assert live.payments.payment(started.payment.id).status == "expired"
    eventually(lambda: live.cases.repository.get(application.id).status == "cancelled")
    provider_payment_id = started.provider.provider_payment_id
    eventually(lambda: (p := sandbox(live).find(provider_payment_id)) and p.status == "canceled")
    assert sandbox(live).decide(provider_payment_id, "succeeded") is None  # too late to pay


def test_an_exempt_applicant_owes_nothing_and_needs_no_payment(live: Container) -> None:
    undated = [  # an exemption in force whatever the day (no effective dates)
        (s, e)
        for s in load_reference_data().services
        for e in s.terms["exemptions"]
        if "effective_from" not in e and "effective_until" not in e
    ]
    spec, exemption = undated[0]
    form = service_example(spec.code)
    territory = "1703202" if spec.terms["jurisdiction"] != "republic" else "17"
    application = live.submissions.submit(
        CITIZEN,
        ADMIN,
        service_code=spec.code,
        territory=territory,
        form=form,
        attachments=uploads(spec.code),
        exemption=exemption["code"],
    )
    assert application.fee == (0, "UZS")
    assert application.exemption == {
        "code": exemption["code"],
        "legal_basis": exemption["legal_basis"],
    }
    assert application.status == "queued"
    with pytest.raises(NothingToPay, match="owes no fee"):
        live.payments.start(CITIZEN, ADMIN, str(application.id))
