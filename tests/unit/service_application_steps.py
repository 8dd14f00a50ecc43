"""Applications (cases) for the domain tests: a valid submission, changed one field at a
time, routed on a fixed calendar, and the commands that take it through its lifecycle."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from domain.agency import AgencyRef
from domain.attachment import Attachment
from domain.calendar import WorkingCalendar
from domain.service_application import ServiceApplication
from tests.unit.builders import META
from tests.unit.gwt import history

MONDAY = date(2026, 11, 23)
CALENDAR = WorkingCalendar(holidays=frozenset({date(2026, 12, 8)}))  # Constitution Day
AGENCY = AgencyRef(UUID(int=1), "justice-1703202")
PARENT = AgencyRef(UUID(int=2), "justice-1703")
SHA = "a" * 64


def submitted(**changes: Any) -> ServiceApplication:
    fields: dict[str, Any] = {
        "application_id": uuid4(),
        "tracking_number": "AR-2026-0000001",
        "service_code": "birth-registration",
        "service_version": 1,
        "applicant": "31503901234567",
        "applicant_ref": "ref",
        "applicant_name": None,
        "language": "uz-Latn",
        "territory": "1703202",
        "form": {"child_name": "Aziza"},
        "attachments": [Attachment("medical-certificate", "a.pdf", "application/pdf", 10, SHA)],
        "meta": META,
    }
    fields.update(changes)
    return ServiceApplication.submit(**fields)


def route(app: ServiceApplication, fee: int = 0, day: date = MONDAY, term: int = 5) -> None:
    app.route(
        agency=AGENCY,
        term_working_days=term,
        fee=(fee, "UZS", None),
        today=day,
        calendar=CALENDAR,
        meta=META,
    )


STEPS: dict[str, Callable[[ServiceApplication], None]] = {
    "route": route,
    "accept": lambda a: a.accept(officer="officer-1", meta=META),
    "release": lambda a: a.release(officer="officer-1", meta=META),
    "request": lambda a: a.request_information(
        officer="officer-1", message="Need the certificate", today=MONDAY, meta=META
    ),
    "provide": lambda a: a.provide_information(
        message="Attached", form={}, today=date(2026, 11, 25), calendar=CALENDAR, meta=META
    ),
    "decide": lambda a: a.decide(
        officer="officer-1",
        outcome="approved",
        decision_id=UUID(int=9),
        registration_number="JUSTICE-1703202-2026-000001",
        today=date(2026, 11, 27),
        calendar=CALENDAR,
        meta=META,
    ),
    "issue": lambda a: a.issue_result(documents={"pdf": SHA}, meta=META),
    "withdraw": lambda a: a.withdraw(reason="changed my mind", meta=META),
    "close": lambda a: a.close(reason="delivered", meta=META),
}


def case(*steps: str) -> list[Any]:
    """The history of an application taken through ``steps`` (after submission)."""
    app = submitted()
    for step in steps:
        STEPS[step](app)
    return history(app)
