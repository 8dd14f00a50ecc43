"""Appeals and inter-agency requests over HTTP: filed where the territory says, answered
there and seen by nobody else, escalated to the region when overdue; a request inside a case
answered by the receiving agency and shown in the case's history; notices per change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from application.principal import Principal
from domain.appeal_terms import add_months, on_a_working_day
from domain.context import CommandContext
from infrastructure.container import Container
from projections.notifications import NotificationsView
from tests.e2e.cases import CITIZEN_B, citizen, headers, officer, submit
from tests.fakes.adapters import FixedClock

DISTRICT = "1703202"  # Oltinkoʻl tumani, Andijon viloyati
DISTRICT_HOKIMIYAT = officer("hokim-clerk-1", "hokimiyat-1703202")
OTHER_DISTRICT_HOKIMIYAT = officer("hokim-clerk-2", "hokimiyat-1706204")
REGION_HOKIMIYAT = officer("hokim-clerk-3", "hokimiyat-1703")
CADASTRE = officer("cadastre-clerk", "cadastre-1703202")
CADASTRE_REGION = officer("cadastre-head", "cadastre-1703")
AUDITOR = Principal("auditor-1", "auditor")


def call(
    client: TestClient, container: Container, who: Principal, method: str, path: str, **kw: Any
) -> Any:
    return client.request(method, path, headers=headers(container, who), **kw)


def file(client: TestClient, seeded: Container, **changes: Any) -> dict[str, Any]:
    body = {"territory": DISTRICT, "subject": "utilities", "text": "No water since Monday."}
    body.update(changes)
    response = call(client, seeded, citizen(), "POST", "/v1/appeals", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def due_on(container: Container, nominal_end: date) -> str:
    """A term ending on ``nominal_end``, moved to the next working day when it is a day off."""
    return on_a_working_day(container.cases.working_calendar(), nominal_end).isoformat()


@pytest.fixture
def later(seeded: Container) -> Iterator[FixedClock]:
    """The module's clock, moved by the test and put back afterwards."""
    clock = seeded.clock
    assert isinstance(clock, FixedClock)
    start = clock.now()
    yield clock
    clock.at = start


def test_an_appeal_is_answered_by_its_district_and_seen_by_nobody_else(
    client: TestClient, seeded: Container
) -> None:
    appeal = file(client, seeded)
    assert appeal["agency_code"] == "hokimiyat-1703202"
    assert appeal["status"] == "under_review"
    assert appeal["kind"] == "complaint"
    assert appeal["term"] == "fifteen-days"
    assert appeal["term_source"]["number"] == "ZRU-445"
    assert appeal["term_source"]["article"] == "art. 28, part 1"
    assert appeal["counting_source"]["article"] == "art. 146"
    assert appeal["due_date"] == due_on(seeded, seeded.clock.today() + timedelta(days=15))
    number = appeal["number"]
    seeded.wait_for_projections()

    queue = call(client, seeded, DISTRICT_HOKIMIYAT, "GET", "/v1/queue", params={"kind": "appeal"})
    assert number in [i["tracking_number"] for i in queue.json()["items"]]
    other_queue = call(
        client, seeded, OTHER_DISTRICT_HOKIMIYAT, "GET", "/v1/queue", params={"kind": "appeal"}
    )
    assert number not in [i["tracking_number"] for i in other_queue.json()["items"]]
    for stranger in (OTHER_DISTRICT_HOKIMIYAT, citizen(CITIZEN_B)):
        assert call(client, seeded, stranger, "GET", f"/v1/appeals/{number}").status_code == 404
    refused = call(
        client,
        seeded,
        OTHER_DISTRICT_HOKIMIYAT,
        "POST",
        f"/v1/appeals/{number}/answer",
        json={"text": "Not ours"},
    )
    assert refused.status_code == 404

    answered = call(
        client,
        seeded,
        DISTRICT_HOKIMIYAT,
        "POST",
        f"/v1/appeals/{number}/answer",
        json={"text": "The pipe is repaired."},
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "answered"
    assert answered.json()["answer"]["on_time"] is True
    rated = call(
        client, seeded, citizen(), "POST", f"/v1/appeals/{number}/rating", json={"rating": 5}
    )
    assert rated.json()["rating"] == 5
    seeded.wait_for_projections()
    mine = call(client, seeded, citizen(), "GET", "/v1/appeals").json()["items"]
    assert {"number": number, "status": "answered", "rating": 5}.items() <= next(
        a for a in mine if a["number"] == number
    ).items()
    # One notice per change: filed (citizen and hokimiyat), answered (citizen).
    view = seeded.view("notifications")
    assert isinstance(view, NotificationsView)
    notices = [(n.recipient_kind, n.status) for n in view.for_subject(appeal["id"])]
    assert notices == [
        ("citizen", "under_review"),
        ("agency", "under_review"),
        ("citizen", "answered"),
    ]


def test_an_overdue_appeal_escalates_to_its_region(
    client: TestClient, seeded: Container, later: FixedClock
) -> None:
    appeal = file(client, seeded)
    number = appeal["number"]
    seeded.wait_for_projections()
    later.advance(date.fromisoformat(appeal["due_date"]) - later.today() + timedelta(days=1))
    assert seeded.jobs.check_deadlines() >= 1
    escalated = call(client, seeded, citizen(), "GET", f"/v1/appeals/{number}").json()
    assert escalated["status"] == "escalated"
    assert escalated["escalated_to"] == "hokimiyat-1703"
    assert escalated["due_date"] == due_on(seeded, later.today() + timedelta(days=15))
    assert escalated["term"] == "escalated"
    seeded.wait_for_projections()
    region_queue = call(
        client, seeded, REGION_HOKIMIYAT, "GET", "/v1/queue", params={"kind": "appeal"}
    ).json()["items"]
    assert number in [i["tracking_number"] for i in region_queue]
    answered = call(
        client,
        seeded,
        REGION_HOKIMIYAT,
        "POST",
        f"/v1/appeals/{number}/answer",
        json={"text": "Done at the regional level."},
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["answer"]["agency_code"] == "hokimiyat-1703"
    # The district may still read it, not answer it any more.
    assert (
        call(client, seeded, DISTRICT_HOKIMIYAT, "GET", f"/v1/appeals/{number}").status_code == 200
    )


def test_a_disputed_answer_goes_to_the_region_and_bad_input_is_named(
    client: TestClient, seeded: Container
) -> None:
    appeal = file(client, seeded, subject="housing")
    number = appeal["number"]
    call(
        client,
        seeded,
        DISTRICT_HOKIMIYAT,
        "POST",
        f"/v1/appeals/{number}/extension",
        json={"reason": "A site visit is planned"},
    )
    call(
        client,
        seeded,
        DISTRICT_HOKIMIYAT,
        "POST",
        f"/v1/appeals/{number}/answer",
        json={"text": "Nothing can be done."},
    )
    disputed = call(
        client,
        seeded,
        citizen(),
        "POST",
        f"/v1/appeals/{number}/dispute",
        json={"reason": "Nothing was checked."},
    )
    assert disputed.status_code == 200, disputed.text
    assert disputed.json()["escalated_to"] == "hokimiyat-1703"
    assert disputed.json()["disputed"] is True
    again = call(
        client, seeded, citizen(), "POST", f"/v1/appeals/{number}/extension", json={"reason": "x"}
    )
    assert again.status_code == 403  # citizens do not extend
    for body, field in (
        ({"territory": DISTRICT, "subject": "weather", "text": "x"}, "subject"),
        ({"territory": "17", "subject": "utilities", "text": "x"}, "territory"),
        ({"territory": DISTRICT, "subject": "utilities", "text": ""}, "text"),
    ):
        bad = call(client, seeded, citizen(), "POST", "/v1/appeals", json=body)
        assert bad.status_code == 422, bad.text
        assert field in str(bad.json()["errors"])
    regional = file(client, seeded, subject="public-transport")
    assert regional["agency_code"] == "hokimiyat-1703"


def test_an_appeal_about_ones_own_application_links_to_it(
    client: TestClient, seeded: Container
) -> None:
    application = submit(client, seeded)
    appeal = file(
        client, seeded, subject="application", application_id=application["tracking_number"]
    )
    assert appeal["application_id"] == application["id"]
    seeded.wait_for_projections()
    history = call(
        client,
        seeded,
        AUDITOR,
        "GET",
        f"/v1/audit/applications/{application['id']}/history",
        params={"limit": 500},
    ).json()["items"]
    filed = [i for i in history if i["type"] == "Appeal.Filed"]
    assert [i["aggregate_id"] for i in filed] == [appeal["id"]]  # in the case's history
    strangers = call(
        client,
        seeded,
        citizen(CITIZEN_B),
        "POST",
        "/v1/appeals",
        json={
            "territory": DISTRICT,
            "subject": "application",
            "text": "x",
            "application_id": application["tracking_number"],
        },
    )
    assert strangers.status_code == 404


def test_an_inter_agency_request_inside_a_case(
    client: TestClient, seeded: Container, later: FixedClock
) -> None:
    application = submit(client, seeded)
    key = application["id"]
    clerk = officer()  # justice-1703202, handling the case
    assert (
        call(client, seeded, clerk, "POST", f"/v1/applications/{key}/acceptance").status_code == 200
    )
    body = {
        "to_agency": "cadastre-1703202",
        "requested_data": "The registered address of the applicant",
        "purpose": "Verify residence for the birth record",
        "legal_basis": "Regulation on inter-agency electronic interaction",
        "term_working_days": 3,
    }
    made = call(
        client, seeded, clerk, "POST", f"/v1/applications/{key}/inter-agency-requests", json=body
    )
    assert made.status_code == 201, made.text
    request = made.json()
    number = request["number"]
    assert (request["from_agency"], request["to_agency"], request["status"]) == (
        "justice-1703202",
        "cadastre-1703202",
        "open",
    )
    for missing in ("purpose", "legal_basis"):
        bad = call(
            client,
            seeded,
            clerk,
            "POST",
            f"/v1/applications/{key}/inter-agency-requests",
            json={**body, missing: ""},
        )
        assert bad.status_code == 422
    stranger = call(
        client,
        seeded,
        officer("o-9", "justice-1706204"),
        "POST",
        f"/v1/applications/{key}/inter-agency-requests",
        json=body,
    )
    assert stranger.status_code == 403
    seeded.wait_for_projections()
    queue = call(
        client, seeded, CADASTRE, "GET", "/v1/queue", params={"kind": "inter_agency_request"}
    ).json()["items"]
    assert number in [i["tracking_number"] for i in queue]
    uninvolved = officer("o-9", "justice-1706204")
    assert (
        call(client, seeded, uninvolved, "GET", f"/v1/inter-agency-requests/{number}").status_code
        == 404
    )
    assert (
        call(
            client,
            seeded,
            clerk,
            "POST",
            f"/v1/inter-agency-requests/{number}/answer",
            json={"data": {"x": 1}},
        ).status_code
        == 403
    )  # the requesting agency cannot answer its own request
    in_words = call(
        client,
        seeded,
        CADASTRE,
        "POST",
        f"/v1/inter-agency-requests/{number}/answer",
        json={"data": "No records"},
    )
    assert in_words.status_code == 422
    problem = in_words.json()
    assert [(e["name"], e["in"]) for e in problem["errors"]] == [("data", "body")]
    assert "must be a JSON object of the requested fields" in problem["detail"]
    assert "not a string" in problem["errors"][0]["detail"]
    assert '{"note": "No records"}' in problem["errors"][0]["detail"]

    answered = call(
        client,
        seeded,
        CADASTRE,
        "POST",
        f"/v1/inter-agency-requests/{number}/answer",
        json={"data": {"address": "Oltinkoʻl, Mustaqillik 12"}},
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["answer"]["on_time"] is True
    seen = call(client, seeded, clerk, "GET", f"/v1/inter-agency-requests/{number}").json()
    assert seen["answer"]["data"] == {"address": "Oltinkoʻl, Mustaqillik 12"}
    seeded.wait_for_projections()
    history = call(
        client,
        seeded,
        AUDITOR,
        "GET",
        f"/v1/audit/applications/{key}/history",
        params={"limit": 500},
    ).json()["items"]
    types = [i["type"] for i in history]
    assert "InterAgencyRequest.Requested" in types
    assert "InterAgencyRequest.Answered" in types

    # Another request, left unanswered past its term: overdue, escalated to the parent.
    late = call(
        client, seeded, clerk, "POST", f"/v1/applications/{key}/inter-agency-requests", json=body
    ).json()
    seeded.wait_for_projections()
    later.advance(timedelta(days=10))
    assert seeded.jobs.check_deadlines() >= 1
    overdue = call(
        client, seeded, CADASTRE_REGION, "GET", f"/v1/inter-agency-requests/{late['number']}"
    )
    assert overdue.status_code == 200
    assert (overdue.json()["status"], overdue.json()["escalated_to"]) == (
        "overdue",
        "cadastre-1703",
    )
    refused = call(
        client,
        seeded,
        CADASTRE_REGION,
        "POST",
        f"/v1/inter-agency-requests/{late['number']}/refusal",
        json={"reason": "Not held here"},
    )
    assert refused.status_code == 200, refused.text
    assert refused.json()["status"] == "refused"


def test_a_retry_after_a_lost_answer_files_nothing_twice(
    client: TestClient, seeded: Container
) -> None:
    """The HTTP layer's idempotency record can be lost with a crashed process; the
    use cases still find what an Idempotency-Key created (numbers come from a sequence)."""
    who = citizen()
    ctx = CommandContext(actor=who.subject, role="citizen", correlation_id="retry")
    first, again, other = (
        seeded.appeals.file(
            who, ctx, territory=DISTRICT, subject="utilities", text="Leak.", idempotency_key=key
        )
        for key in ("k-1", "k-1", "k-2")
    )
    assert (again.id, again.number) == (first.id, first.number)
    assert other.id != first.id
    application = submit(client, seeded)
    clerk = officer()
    clerk_ctx = CommandContext(actor=clerk.subject, role="officer", correlation_id="retry")
    seeded.handling.accept(clerk, clerk_ctx, application["id"])
    made = [
        seeded.inter_agency.request(
            clerk,
            clerk_ctx,
            application["id"],
            to_agency="cadastre-1703202",
            requested_data="Address",
            purpose="Residence",
            legal_basis="Regulation",
            idempotency_key="r-1",
        )
        for _ in range(2)
    ]
    assert (made[0].id, made[0].number) == (made[1].id, made[1].number)


def test_the_terms_of_the_law_on_appeals(client: TestClient, seeded: Container) -> None:
    today = seeded.clock.today()
    # a proposal: one month, not extended
    proposal = file(client, seeded, kind="proposal", text="Plant trees along our street.")
    assert proposal["term"] == "one-month-proposal"
    assert proposal["term_source"]["article"] == "art. 28, part 3"
    assert proposal["due_date"] == due_on(seeded, add_months(today, 1))
    for path in ("extension", "head-extension"):
        refused = call(
            client,
            seeded,
            DISTRICT_HOKIMIYAT,
            "POST",
            f"/v1/appeals/{proposal['number']}/{path}",
            json={"reason": "More study."},
        )
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "proposal" in refused.json()["detail"]
    # a complaint: extended for study to a month, then by the head one more month, once
    complaint = file(client, seeded)
    key = complaint["number"]
    studied = call(
        client,
        seeded,
        DISTRICT_HOKIMIYAT,
        "POST",
        f"/v1/appeals/{key}/extension",
        json={"reason": "A site visit is needed."},
    ).json()
    assert studied["term"] == "one-month-for-study"
    assert studied["due_date"] == due_on(seeded, add_months(today, 1))
    headed = call(
        client,
        seeded,
        DISTRICT_HOKIMIYAT,
        "POST",
        f"/v1/appeals/{key}/head-extension",
        json={"reason": "The regional inspectorate must check the network."},
    )
    assert headed.status_code == 200, headed.text
    assert headed.json()["term"] == "head-extension"
    assert headed.json()["term_source"]["article"] == "art. 28, part 2"
    assert headed.json()["head_extension_reason"].startswith("The regional inspectorate")
    assert headed.json()["due_date"] == due_on(seeded, add_months(today, 2))
    again = call(
        client,
        seeded,
        DISTRICT_HOKIMIYAT,
        "POST",
        f"/v1/appeals/{key}/head-extension",
        json={"reason": "Still checking."},
    )
    assert again.status_code == 409, again.text
    assert again.headers["content-type"].startswith("application/problem+json")
    # only an officer of the handling hokimiyat: the citizen is refused
    by_citizen = call(
        client,
        seeded,
        citizen(),
        "POST",
        f"/v1/appeals/{key}/head-extension",
        json={"reason": "Please."},
    )
    assert by_citizen.status_code in (403, 404), by_citizen.text
    unknown_kind = call(
        client,
        seeded,
        citizen(),
        "POST",
        "/v1/appeals",
        json={"territory": DISTRICT, "subject": "utilities", "text": "x", "kind": "petition"},
    )
    assert unknown_kind.status_code == 422
