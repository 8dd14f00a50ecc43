"""Cases on PostgreSQL: concurrent decisions, encryption at rest, idempotent submissions,
deadlines and calendar changes, over real HTTP where the issue names responses."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import httpx2 as httpx
import pytest
from psycopg import sql

from domain.service_application import ServiceApplication
from infrastructure.container import Container
from infrastructure.database import DatabaseConfig
from tests.conftest import TEST_NOW
from tests.e2e.cases import CITIZEN_A, citizen, headers, officer, submission
from tests.fakes.adapters import FixedClock
from tests.integration.live import ADMIN, live_container, serve


@pytest.fixture(scope="module")
def clock() -> FixedClock:
    return FixedClock(TEST_NOW)


@pytest.fixture(scope="module")
def live(
    test_database: DatabaseConfig, tmp_path_factory: pytest.TempPathFactory, clock: FixedClock
) -> Iterator[Container]:
    with live_container(test_database, tmp_path_factory.mktemp("cases"), clock) as container:
        yield container


@pytest.fixture(scope="module")
def server(live: Container) -> Iterator[str]:
    with serve(live) as base:
        yield base


def post(base: str, path: str, token: dict[str, str], body: Any = None) -> httpx.Response:
    with httpx.Client(base_url=base, timeout=30) as client:
        return client.post(path, json=body, headers=token)


def submitted_and_accepted(base: str, live: Container) -> str:
    created = post(base, "/v1/applications", headers(live, citizen()), submission())
    assert created.status_code == 201, created.text
    key = created.json()["id"]
    accepted = post(base, f"/v1/applications/{key}/acceptance", headers(live, officer()))
    assert accepted.status_code == 200, accepted.text
    return str(key)


def test_twenty_concurrent_decisions_yield_one_decision_and_nineteen_conflicts(
    server: str, live: Container
) -> None:
    key = submitted_and_accepted(server, live)
    token = headers(live, officer())
    body = {"outcome": "approved", "reasons": "In order.", "legal_basis": "Civil code"}
    start = threading.Barrier(20)

    def decide(_: int) -> httpx.Response:
        start.wait()
        return post(server, f"/v1/applications/{key}/decision", token, body)

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(decide, range(20)))

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 19, [r.text for r in responses if r.status_code != 409]
    assert all(
        r.headers["content-type"].startswith("application/problem+json")
        for r in responses
        if r.status_code == 409
    )
    application = live.cases.repository.get(uuid.UUID(key))
    assert application.status == "result_issued"
    events = list(live.cases.repository.event_store.get(uuid.UUID(key)))
    assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
    assert sum(isinstance(e, ServiceApplication.Decided) for e in events) == 1
    decision_numbers = {
        n.originator_id
        for n in live.cases.recorder.select_notifications(start=1, limit=100000)
        if n.topic.endswith("Decision.Issued") and n.originator_id == application.decision_id
    }
    assert decision_numbers == {application.decision_id}


def registered_numbers(live: Container, prefix: str) -> list[int]:
    """The sequence numbers of the decisions registered under ``prefix``, in order."""
    numbers = [
        decision.registration_number
        for n in live.cases.recorder.select_notifications(start=1, limit=100000)
        if n.topic.endswith("Decision.Issued")
        and (decision := live.cases.repository.get(n.originator_id)).registration_number.startswith(
            prefix
        )
    ]
    return sorted(int(number.rsplit("-", 1)[1]) for number in numbers)


def test_concurrent_decisions_of_an_agency_take_consecutive_numbers_without_gaps(
    server: str, live: Container
) -> None:
    prefix = "ADL-1703202-2026-"  # the district's justice division, in 2026
    before = registered_numbers(live, prefix)
    assert before == list(range(1, len(before) + 1))
    keys = [submitted_and_accepted(server, live) for _ in range(8)]
    token = headers(live, officer())
    body = {"outcome": "approved", "reasons": "In order.", "legal_basis": "Civil code"}
    start = threading.Barrier(len(keys))

    def decide(key: str) -> httpx.Response:
        start.wait()
        return post(server, f"/v1/applications/{key}/decision", token, body)

    with ThreadPoolExecutor(max_workers=len(keys)) as pool:
        responses = list(pool.map(decide, keys))

    assert [r.status_code for r in responses] == [201] * len(keys), [r.text for r in responses]
    issued = sorted(r.json()["registration_number"] for r in responses)
    expected = [f"{prefix}{n:06d}" for n in range(len(before) + 1, len(before) + len(keys) + 1)]
    assert issued == expected  # gapless, in the agency's own series
    assert registered_numbers(live, prefix) == list(range(1, len(before) + len(keys) + 1))

    # Another agency's series starts at one.
    elsewhere = post(
        server, "/v1/applications", headers(live, citizen()), submission(territory="1706204")
    )
    assert elsewhere.status_code == 201, elsewhere.text
    other = officer("officer-bu", "justice-1706204")
    key = elsewhere.json()["id"]
    assert post(server, f"/v1/applications/{key}/acceptance", headers(live, other)).is_success
    decided = post(server, f"/v1/applications/{key}/decision", headers(live, other), body)
    assert decided.status_code == 201, decided.text
    assert decided.json()["registration_number"] == "ADL-1706204-2026-000001"


def test_the_events_table_holds_no_personal_data_in_clear(server: str, live: Container) -> None:
    name = "Zilola Xolmatova"
    form = submission()["form"]
    secret_values = [
        CITIZEN_A,
        name,
        form["child_first_name"],
        form["mother_pinfl"],
        form["medical_certificate_number"],
    ]
    created = post(
        server, "/v1/applications", headers(live, citizen(name=name)), submission(form=form)
    )
    assert created.status_code == 201
    with live.database.connect() as conn:
        rows = conn.execute(
            sql.SQL("SELECT topic, state FROM {}").format(
                sql.Identifier(live.database.schema, "cases_events")
            )
        ).fetchall()
    assert rows
    for topic, state in rows:
        raw = bytes(state)  # type: ignore[arg-type]
        for value in secret_values:
            assert value.encode() not in raw, (topic, value)
            assert value.encode("unicode_escape") not in raw, (topic, value)
    # ...while the application reads them back decrypted.
    application = live.cases.repository.get(uuid.UUID(created.json()["id"]))
    assert application.applicant == CITIZEN_A
    assert application.applicant_name == name


def test_the_same_idempotency_key_replays_the_first_response(server: str, live: Container) -> None:
    token = headers(live, citizen(), **{"Idempotency-Key": f"k-{uuid.uuid4()}"})
    first = post(server, "/v1/applications", token, submission())
    second = post(server, "/v1/applications", token, submission())
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["idempotency-replayed"] == "true"
    other_body = submission(language="en")
    conflict = post(server, "/v1/applications", token, other_body)
    assert conflict.status_code == 409
    assert conflict.json()["type"] == "urn:yagona:problem:idempotency-key-reused"
    # The same key from another caller is another request altogether.
    someone_else = headers(
        live, citizen("42207951234561"), **{"Idempotency-Key": token["Idempotency-Key"]}
    )
    third = post(server, "/v1/applications", someone_else, submission())
    assert third.status_code == 201
    assert third.json()["id"] != first.json()["id"]


def test_concurrent_submissions_with_one_key_make_one_application(
    server: str, live: Container
) -> None:
    key = f"race-{uuid.uuid4()}"
    token = headers(live, citizen(), **{"Idempotency-Key": key})
    start = threading.Barrier(8)

    def submit(_: int) -> httpx.Response:
        start.wait()
        return post(server, "/v1/applications", token, submission())

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(submit, range(8)))
    assert {r.status_code for r in responses} <= {201, 409}
    ids = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(ids) == 1
    assert sum(r.status_code == 201 for r in responses) >= 1


def test_a_breached_deadline_is_recorded_once_and_escalated(
    server: str, live: Container, clock: FixedClock
) -> None:
    created = post(server, "/v1/applications", headers(live, citizen()), submission())
    key = created.json()["id"]
    due = date.fromisoformat(created.json()["due_date"])
    live.wait_for_projections()
    saved = clock.at
    try:
        clock.at = saved + timedelta(days=(due - saved.date()).days + 1)
        assert live.jobs.check_deadlines() >= 1
        assert live.jobs.check_deadlines() == 0
    finally:
        clock.at = saved
    application = live.cases.repository.get(uuid.UUID(key))
    assert application.deadline_breached is True
    assert application.escalated_to is not None
    assert application.escalated_to.code == "justice-1703"
    live.wait_for_projections()
    with httpx.Client(base_url=server) as client:
        parent_queue = client.get(
            "/v1/queue", headers=headers(live, officer("chief-1", "justice-1703"))
        ).json()["items"]
        parent_view = client.get(
            f"/v1/applications/{key}", headers=headers(live, officer("chief-1", "justice-1703"))
        )
    assert key in [item["id"] for item in parent_queue]
    assert parent_view.status_code == 200
    assert parent_view.json()["deadline_breached"] is True


def test_declaring_a_holiday_moves_open_cases_due_dates(server: str, live: Container) -> None:
    created = post(server, "/v1/applications", headers(live, citizen()), submission())
    key = uuid.UUID(created.json()["id"])
    due = date.fromisoformat(created.json()["due_date"])
    live.wait_for_projections()
    holiday = due - timedelta(days=1) if (due - timedelta(days=1)).weekday() < 5 else due
    names = {
        "uz-Latn": "Qoʻshimcha dam olish kuni",
        "uz-Cyrl": "Қўшимча дам олиш куни",
        "ru": "Дополнительный выходной",
        "en": "Additional day off",
    }
    live.catalogue.declare_holiday(ADMIN, day=holiday, names=names)
    deadline = time.monotonic() + 30
    while live.cases.repository.get(key).due_date == due:
        assert time.monotonic() < deadline, "the due date did not follow the calendar"
        time.sleep(0.2)
    application = live.cases.repository.get(key)
    assert application.due_date > due
    assert application.clock_started_on is not None
    expected = live.cases.working_calendar().add_working_days(
        application.clock_started_on, application.term_working_days
    )
    assert application.due_date == expected
