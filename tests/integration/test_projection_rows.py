"""Every read model's rows for a fixed script of events, against the rows recorded in
``projection_rows.json`` (made with the projections as they were before their handlers were
declared as data), so a change to how a projection writes is a change to what it writes only
when this file changes too.

Each log's events are built from the aggregates (the unit tests' builders), with their
timestamps replaced by fixed ones, and fed one at a time with a tracking position; then the
whole log is fed again, which must change nothing (every position is already recorded).

``YAGONA_WRITE_PROJECTION_ROWS=1`` rewrites the file from the projections as they are.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.projection import Projection
from psycopg.sql import SQL, Identifier

from application.catalogue import Catalogue
from application.seeding import seed
from domain.calendar import WorkingCalendar
from domain.decision import Decision
from infrastructure.container import Container
from projections.catalogue import CatalogueProjection, CatalogueView
from projections.citizen_applications import CitizenApplicationsProjection, CitizenApplicationsView
from projections.citizen_payments import CitizenPaymentsProjection, CitizenPaymentsView
from projections.decisions_register import DecisionsRegisterProjection, DecisionsRegisterView
from projections.kpi import CasesKpi, CasesKpiView, PaymentsKpi, PaymentsKpiView
from projections.notifications import NotificationsProjection, NotificationsView
from projections.officer_queue import OfficerQueueProjection, OfficerQueueView
from projections.payments_ledger import PaymentsLedgerProjection, PaymentsLedgerView
from projections.tracked_view import TrackedView
from tests.unit import service_application_steps as applications
from tests.unit import test_appeal as appeals
from tests.unit import test_inter_agency_request as requests
from tests.unit import test_payment as payments
from tests.unit.builders import CTX, META, names, terms
from tests.unit.gwt import history
from tests.unit.test_catalogue_app import data

GOLDEN = Path(__file__).with_name("projection_rows.json")
T0 = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)


def _application(n: int, *steps: str, fee: int = 0) -> list[Any]:
    app = applications.submitted(
        application_id=UUID(int=100 + n),
        tracking_number=f"AR-2026-{n:07d}",
        applicant_ref=f"ref-{n % 2}",
    )
    for step in steps:
        if step == "route":
            applications.route(app, fee=fee)
        else:
            applications.STEPS[step](app)
    return history(app)


def _cases_log() -> list[Any]:
    m = META
    cal = applications.CALENDAR
    events: list[Any] = []
    events += _application(1, "route")
    events += _application(2, "route", "accept", "request", "provide", "decide", "issue")
    events += _application(3, "route", "accept", "release", "withdraw")
    late = applications.submitted(application_id=UUID(int=104), tracking_number="AR-2026-0000004")
    applications.route(late)
    late.recompute_due_date(
        calendar=WorkingCalendar(holidays=frozenset({date(2026, 11, 25)})), meta=m
    )
    late.check_deadline(today=date(2026, 12, 3), escalate_to=applications.PARENT, meta=m)
    events += history(late)
    paid = applications.submitted(application_id=UUID(int=105), tracking_number="AR-2026-0000005")
    applications.route(paid, fee=20_600_000)
    paid.confirm_payment(
        payment_id=UUID(int=5), amount=20_600_000, today=date(2026, 11, 25), calendar=cal, meta=m
    )
    events += history(paid)
    unpaid = applications.submitted(application_id=UUID(int=106), tracking_number="AR-2026-0000006")
    applications.route(unpaid, fee=20_600_000)
    unpaid.cancel(reason="not paid in time", meta=m)
    events += history(unpaid)

    answered = appeals.filed(appeal_id=UUID(int=201), number="MJ-2026-0000001")
    answered.extend(officer="officer-1", reason="A site visit is needed", meta=m)
    appeals.answer(date(2026, 11, 20))(answered)
    answered.rate(rating=4, meta=m)
    events += history(answered)
    overdue = appeals.filed(appeal_id=UUID(int=202), number="MJ-2026-0000002")
    overdue.check_deadline(today=date(2026, 11, 18), escalate_to=appeals.REGION, meta=m)
    appeals.answer(date(2026, 11, 20), appeals.REGION.code)(overdue)
    events += history(overdue)

    on_time = requests.requested(request_id=UUID(int=301), number="IA-2026-0000001")
    requests.answer(date(2026, 12, 7))(on_time)
    events += history(on_time)
    refused = requests.requested(request_id=UUID(int=302), number="IA-2026-0000002")
    refused.refuse(
        officer="clerk-9",
        agency_code=requests.CADASTRE.code,
        reason="Not ours",
        today=requests.MONDAY,
        meta=m,
    )
    events += history(refused)
    escalated = requests.requested(request_id=UUID(int=303), number="IA-2026-0000003")
    escalated.check_deadline(today=date(2026, 12, 9), escalate_to=requests.CADASTRE_REGION, meta=m)
    requests.answer(date(2026, 12, 10), agency="cadastre-1703")(escalated)
    events += history(escalated)
    nowhere = requests.requested(request_id=UUID(int=304), number="IA-2026-0000004")
    nowhere.check_deadline(today=date(2026, 12, 9), escalate_to=None, meta=m)
    events += history(nowhere)

    for n, outcome in ((1, "approved"), (2, "rejected")):
        decision = Decision.issue(
            registration_number=f"JUSTICE-1703202-2026-00000{n}",
            application_id=UUID(int=100 + n),
            tracking_number=f"AR-2026-{n:07d}",
            agency_id=UUID(int=1),
            agency_code="justice-1703202",
            service_code="birth-registration",
            service_version=1,
            officer="officer-1",
            outcome=outcome,
            reasons="All documents are in order",
            legal_basis="Law on civil registration",
            decided_at="2026-11-27T10:00:00+05:00",
            documents={"pdf": "c" * 64, "html": "d" * 64} if n == 1 else {},
            verification_code=f"ABCD-EFG{n}",
            meta=m,
        )
        if n == 2:
            decision.revoke(reason="issued in error", meta=m)
        events += history(decision)
    return events


def _payments_log() -> list[Any]:
    events: list[Any] = []
    steps_of = (
        ("created", "succeeded"),
        ("created", "succeeded", "refund", "submitted", "refunded"),
        ("created", "failed"),
        ("expired",),
    )
    for n, steps in enumerate(steps_of, start=1):
        payment = payments.requested(
            application_id=UUID(int=400 + n), tracking_number=f"AR-2026-000040{n}"
        )
        for step in steps:
            payments.STEPS[step](payment)
        events += history(payment)
    retry = payments.requested(application_id=UUID(int=403), attempt=2)
    payments.STEPS["created"](retry)
    events += history(retry)
    return events


def _catalogue_log() -> list[Any]:
    catalogue = Catalogue()  # in-memory
    seed(catalogue, data(), CTX, today=date(2024, 1, 1))
    catalogue.rename_territory(
        CTX, code="1703202", names=names("Oltinkoʻl"), effective_from=date(2025, 1, 1)
    )
    catalogue.rename_agency(
        CTX, code="hokimiyat-1703", names=names("Viloyat"), effective_from=date(2025, 1, 1)
    )
    catalogue.publish_service(
        CTX, code="marriage-registration", terms=terms(), effective_from=date(2025, 1, 1)
    )
    catalogue.revise_service(
        CTX,
        code="birth-registration",
        terms=terms(deadline_working_days=2),
        effective_from=date(2025, 2, 1),
    )
    catalogue.suspend_service(CTX, code="marriage-registration", reason="audit")
    catalogue.resume_service(CTX, code="marriage-registration")
    catalogue.retire_service(CTX, code="birth-registration", reason="merged")
    catalogue.set_bhm_rate(CTX, effective_from=date(2026, 1, 1), amount=45_000_000)
    catalogue.set_bhm_rate(CTX, effective_from=date(2026, 1, 1), amount=46_000_000)
    notifications = catalogue.recorder.select_notifications(start=1, limit=100_000)
    return [catalogue.mapper.to_domain_event(n) for n in notifications]


def _timed(events: list[Any]) -> list[Any]:
    """The events with fixed timestamps, a minute apart."""
    return [
        dataclasses.replace(e, timestamp=T0 + timedelta(minutes=i)) for i, e in enumerate(events)
    ]


LOGS: dict[str, Callable[[], list[Any]]] = {
    "cases": _cases_log,
    "payments": _payments_log,
    "catalogue": _catalogue_log,
}
READ_MODELS: dict[str, tuple[str, type[TrackedView], type[Projection[Any]]]] = {
    "citizen_applications": (
        "cases",
        CitizenApplicationsView,
        CitizenApplicationsProjection,
    ),
    "officer_queue": ("cases", OfficerQueueView, OfficerQueueProjection),
    "kpi_cases": ("cases", CasesKpiView, CasesKpi),
    "notifications": ("cases", NotificationsView, NotificationsProjection),
    "decisions_register": ("cases", DecisionsRegisterView, DecisionsRegisterProjection),
    "payments_ledger": ("payments", PaymentsLedgerView, PaymentsLedgerProjection),
    "citizen_payments": ("payments", CitizenPaymentsView, CitizenPaymentsProjection),
    "kpi_payments": ("payments", PaymentsKpiView, PaymentsKpi),
    "catalogue": ("catalogue", CatalogueView, CatalogueProjection),
}


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (UUID, Decimal)):
        return str(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _rows(view: TrackedView) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in view.table_names:
        rows = view.fetch_all(SQL("SELECT * FROM {}").format(Identifier(view.schema, table)))
        plain = [{k: _plain(v) for k, v in row.items()} for row in rows]
        tables[table] = sorted(plain, key=lambda r: json.dumps(r, sort_keys=True, default=str))
    return tables


@pytest.fixture
def datastore(container: Container, fresh_schema: str) -> Iterator[PostgresDatastore]:
    built = container.make_datastore(fresh_schema)
    yield built
    built.close()


def test_every_read_model_writes_the_recorded_rows(datastore: PostgresDatastore) -> None:
    logs = {name: _timed(build()) for name, build in LOGS.items()}
    found: dict[str, Any] = {}
    for name, (log, view_class, projection_class) in READ_MODELS.items():
        view = view_class(datastore, tracking_table_name=f"{name}_tracking")
        view.create_table()
        projection = projection_class(view=view)
        for position, event in enumerate(logs[log], start=1):
            projection.process_event(event, Tracking(log, position))
        rows = _rows(view)
        for position, event in enumerate(logs[log], start=1):  # a replay changes nothing
            projection.process_event(event, Tracking(log, position))
        assert _rows(view) == rows, name
        assert view.position(log) == len(logs[log])
        found[name] = rows
    if os.environ.get("YAGONA_WRITE_PROJECTION_ROWS"):
        GOLDEN.write_text(json.dumps(found, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    expected = json.loads(GOLDEN.read_text())
    for name in READ_MODELS:
        assert found[name] == expected[name], name
