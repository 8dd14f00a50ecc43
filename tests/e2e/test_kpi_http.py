"""Target indicators over HTTP: who may read them (officers only their own agency), JSON and
CSV, ETags, pages, the ranking of agencies, and bad parameters.

The module's cases live in April 2027 (its own clock), so that what other modules write on
the shared schema, in other months, stays out of the groups checked here: one case decided
on the day by justice-1703202, one decided three working days late by justice-1706204, and
one land-plot allocation left undecided at hokimiyat-1703202.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from application.principal import Principal
from domain.context import CommandContext
from infrastructure.container import Container
from tests.documents import attachments
from tests.e2e.cases import (
    accept_and_approve,
    citizen,
    headers,
    officer,
    service_example,
    submit,
)
from tests.fakes.adapters import FixedClock

MONTH = "2027-04"
MONDAY = datetime(2027, 4, 5, 4, 0, tzinfo=UTC)  # 09:00 in Tashkent; no holiday that week
ON_TIME, LATE, UNDECIDED = "justice-1703202", "justice-1706204", "hokimiyat-1703202"
OURS = (ON_TIME, LATE, UNDECIDED)
ADMIN = Principal("admin-1", "admin")
ADMIN_CTX = CommandContext(actor="admin-1", role="admin", correlation_id="e2e-kpi")
AUDITOR = Principal("auditor-1", "auditor")
CITIZEN = citizen("31503901234567", name=None)


def api_key(container: Container, *scopes: str) -> dict[str, str]:
    issued = container.integrators.create(ADMIN, ADMIN_CTX, name="KPI board", scopes=list(scopes))
    return {"X-API-Key": issued.api_key}


@pytest.fixture(scope="module")
def april(client: TestClient, seeded: Container) -> Iterator[FixedClock]:
    """The module's cases, written in April 2027; the clock is put back afterwards."""
    clock = seeded.clock
    assert isinstance(clock, FixedClock)
    was = clock.at
    clock.at = MONDAY
    try:
        on_time = submit(client, seeded, CITIZEN, territory="1703202")
        late = submit(client, seeded, CITIZEN, territory="1706204")
        land = client.post(
            "/v1/applications",
            json={
                "service_code": "land-plot-allocation",
                "territory": "1703202",
                "form": service_example("land-plot-allocation"),
                "attachments": attachments("land-plot-allocation"),
            },
            headers=headers(seeded, CITIZEN),
        )
        assert land.status_code == 201, land.text
        accept_and_approve(client, seeded, on_time["id"], officer("clerk-a", ON_TIME))
        clock.at = datetime(2027, 4, 8, 4, 0, tzinfo=UTC)  # Thursday: 3 working days on
        accept_and_approve(client, seeded, late["id"], officer("clerk-b", LATE))
        seeded.wait_for_projections()
        yield clock
    finally:
        clock.at = was


def get(
    client: TestClient,
    container: Container,
    who: Principal | dict[str, str],
    path: str,
    **params: Any,
) -> Any:
    auth = who if isinstance(who, dict) else headers(container, who)
    return client.get(path, params=params, headers=auth)


def ours(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["agency"]: item for item in items if item["agency"] in OURS}


# --- reading ----------------------------------------------------------------------------------


def test_an_auditor_reads_every_agency_with_targets_and_statuses(
    client: TestClient, seeded: Container, april: FixedClock
) -> None:
    response = get(client, seeded, AUDITOR, "/v1/kpi", group_by="agency", month=MONTH)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["from"], body["to"], body["group_by"], body["next"]) == (
        MONTH,
        MONTH,
        ["agency"],
        None,
    )
    found = ours(body["items"])
    assert set(found) == set(OURS)
    assert all(set(item) >= {"agency", "submitted"} for item in body["items"])
    assert all("service" not in item and "territory" not in item for item in body["items"])
    on_time, late, undecided = found[ON_TIME], found[LATE], found[UNDECIDED]
    assert (on_time["submitted"], on_time["decided"]) == (1, 1)
    assert on_time["indicators"]["decided_within_term_pct"] == {
        "actual": 100.0,
        "target": 95.0,
        "comparison": ">=",
        "status": "met",
    }
    assert late["indicators"]["decided_within_term_pct"]["actual"] == 0.0
    assert late["indicators"]["decided_within_term_pct"]["status"] == "missed"
    assert late["indicators"]["median_processing_working_days"] == {
        "actual": 3.0,
        "target": 5.0,
        "comparison": "<=",
        "status": "met",
    }
    assert (undecided["submitted"], undecided["decided"]) == (1, 0)
    assert undecided["indicators"]["decided_within_term_pct"]["status"] == "no_data"
    assert undecided["indicators"]["decided_within_term_pct"]["actual"] is None


def test_an_officer_sees_only_their_own_agency(
    client: TestClient, seeded: Container, april: FixedClock
) -> None:
    clerk = officer("clerk-a", ON_TIME)
    other = get(client, seeded, clerk, "/v1/kpi", group_by="agency", month=MONTH, agency=LATE)
    assert other.status_code == 403, other.text  # not a silent answer about their own
    assert other.headers["content-type"].startswith("application/problem+json")
    assert other.json()["type"] == "urn:yagona:problem:not-your-agency"
    for params in (
        {"group_by": "agency", "month": MONTH},
        {"group_by": "agency", "month": MONTH, "agency": ON_TIME},  # their own, asked for
        {"group_by": "territory", "month": MONTH},
    ):
        response = get(client, seeded, clerk, "/v1/kpi", **params)
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert sum(item["submitted"] for item in items) == 1
        assert sum(item["decided"] for item in items) == 1
        if "agency" in params["group_by"]:
            assert [item["agency"] for item in items] == [ON_TIME]
    ranking = get(client, seeded, clerk, "/v1/kpi/ranking", month=MONTH)
    assert ranking.status_code == 200, ranking.text
    assert [(e["rank"], e["agency"]) for e in ranking.json()["items"]] == [(1, ON_TIME)]
    assert ranking.json()["total"] >= 3  # its rank is among every agency's


def test_citizens_may_not_read_kpis_and_integrators_need_the_scope(
    client: TestClient, seeded: Container, april: FixedClock
) -> None:
    for path in ("/v1/kpi", "/v1/kpi/ranking"):
        assert get(client, seeded, CITIZEN, path, month=MONTH).status_code == 403
        assert client.get(path, params={"month": MONTH}).status_code == 401
    without = api_key(seeded, "feed:read")
    refused = get(client, seeded, without, "/v1/kpi", month=MONTH)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert get(client, seeded, without, "/v1/kpi/ranking", month=MONTH).status_code == 403
    reader = api_key(seeded, "read-models:read")
    allowed = get(client, seeded, reader, "/v1/kpi", group_by="agency", month=MONTH)
    assert allowed.status_code == 200, allowed.text
    assert set(ours(allowed.json()["items"])) == set(OURS)
    admin = get(client, seeded, ADMIN, "/v1/kpi/ranking", month=MONTH)
    assert admin.status_code == 200, admin.text


def test_csv_has_a_row_per_group_with_every_indicator(
    client: TestClient, seeded: Container, april: FixedClock
) -> None:
    response = get(
        client, seeded, AUDITOR, "/v1/kpi", group_by="agency,service", month=MONTH, format="csv"
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert f'filename="kpi-{MONTH}.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    by_key = {(r["agency"], r["service"]): r for r in rows}
    row = by_key[(ON_TIME, "birth-registration")]
    assert (row["from"], row["to"], row["submitted"], row["decided"]) == (MONTH, MONTH, "1", "1")
    assert float(row["decided_within_term_pct"]) == 100.0
    assert row["decided_within_term_pct_target"] == "95.0"
    assert row["decided_within_term_pct_comparison"] == ">="
    assert row["decided_within_term_pct_status"] == "met"
    assert float(row["rejection_rate_pct"]) == 0.0
    assert row["appeals_per_1000_applications"] == ""  # per service: appeals have none
    assert row["appeals_per_1000_applications_status"] == "no_data"
    late = by_key[(LATE, "birth-registration")]
    assert (float(late["decided_within_term_pct"]), late["decided_within_term_pct_status"]) == (
        0.0,
        "missed",
    )
    assert by_key[(UNDECIDED, "land-plot-allocation")]["median_processing_working_days"] == ""
    ranking = get(client, seeded, AUDITOR, "/v1/kpi/ranking", month=MONTH, format="csv")
    assert ranking.status_code == 200, ranking.text
    ranked = [r for r in csv.DictReader(io.StringIO(ranking.text)) if r["agency"] in OURS]
    assert [(r["agency"], r["status"]) for r in ranked] == [
        (ON_TIME, "met"),
        (LATE, "missed"),
        (UNDECIDED, "no_data"),
    ]


def test_etags_answer_304_until_the_indicators_change(
    client: TestClient, seeded: Container, april: FixedClock
) -> None:
    params = {"group_by": "agency", "month": MONTH}
    first = get(client, seeded, AUDITOR, "/v1/kpi", **params)
    etag = first.headers["etag"]
    again = client.get(
        "/v1/kpi", params=params, headers={**headers(seeded, AUDITOR), "If-None-Match": etag}
    )
    assert again.status_code == 304
    assert again.content == b""
    other = client.get(
        "/v1/kpi",
        params={**params, "group_by": "agency,service"},
        headers={**headers(seeded, AUDITOR), "If-None-Match": etag},
    )
    assert other.status_code == 200
    ranking = get(client, seeded, AUDITOR, "/v1/kpi/ranking", month=MONTH)
    replay = client.get(
        "/v1/kpi/ranking",
        params={"month": MONTH},
        headers={**headers(seeded, AUDITOR), "If-None-Match": ranking.headers["etag"]},
    )
    assert replay.status_code == 304


def test_pages_walk_every_group_once(
    client: TestClient, seeded: Container, april: FixedClock
) -> None:
    whole = get(client, seeded, AUDITOR, "/v1/kpi", group_by="agency,service", month=MONTH)
    walked: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"group_by": "agency,service", "month": MONTH, "limit": 1}
        if cursor:
            params["cursor"] = cursor
        page = get(client, seeded, AUDITOR, "/v1/kpi", **params).json()
        assert len(page["items"]) <= 1
        walked.extend(page["items"])
        cursor = page["next"]
        if cursor is None:
            break
    assert walked == whole.json()["items"]
    assert len(walked) >= 3


def test_the_ranking_puts_the_best_agency_first(
    client: TestClient, seeded: Container, april: FixedClock
) -> None:
    def ranking(indicator: str) -> dict[str, Any]:
        response = get(client, seeded, AUDITOR, "/v1/kpi/ranking", month=MONTH, indicator=indicator)
        assert response.status_code == 200, response.text
        return dict(response.json())

    within = ranking("decided_within_term_pct")
    assert (within["indicator"], within["comparison"]) == ("decided_within_term_pct", ">=")
    mine = [e for e in within["items"] if e["agency"] in OURS]
    assert [(e["agency"], e["actual"], e["status"]) for e in mine] == [
        (ON_TIME, 100.0, "met"),
        (LATE, 0.0, "missed"),
        (UNDECIDED, None, "no_data"),
    ]
    assert mine[-1]["rank"] is None
    ranks = [e["rank"] for e in within["items"] if e["rank"] is not None]
    assert ranks == sorted(ranks)
    actuals = [e["actual"] for e in within["items"] if e["actual"] is not None]
    assert actuals == sorted(actuals, reverse=True)  # higher is better
    quickest = ranking("median_processing_working_days")
    assert quickest["comparison"] == "<="
    times = [e["actual"] for e in quickest["items"] if e["actual"] is not None]
    assert times == sorted(times)  # lower is better
    order = [e["agency"] for e in quickest["items"] if e["agency"] in OURS]
    assert order == [ON_TIME, LATE, UNDECIDED]
    paged = get(client, seeded, AUDITOR, "/v1/kpi/ranking", month=MONTH, limit=1).json()
    assert len(paged["items"]) == 1
    assert paged["items"] == within["items"][:1]
    assert paged["next"] is not None


@pytest.mark.parametrize(
    ("path", "params", "names"),
    [
        ("/v1/kpi", {"month": "2027-13"}, ["month"]),
        ("/v1/kpi", {"month": "April"}, ["month"]),
        ("/v1/kpi", {}, ["month"]),
        ("/v1/kpi", {"month": MONTH, "from": "2027-01", "to": "2027-02"}, ["month"]),
        ("/v1/kpi", {"from": "2027-05", "to": "2027-04"}, ["from"]),
        ("/v1/kpi", {"from": "2027-05"}, ["to"]),
        ("/v1/kpi", {"month": MONTH, "group_by": "agency,status"}, ["group_by"]),
        ("/v1/kpi", {"month": MONTH, "group_by": "agency,agency"}, ["group_by"]),
        ("/v1/kpi", {"month": MONTH, "territory": "Andijon"}, ["territory"]),
        ("/v1/kpi", {"month": MONTH, "format": "xml"}, ["format"]),
        ("/v1/kpi", {"month": MONTH, "cursor": "not-a-cursor"}, ["cursor"]),
        ("/v1/kpi", {"month": MONTH, "limit": 0}, ["limit"]),
        ("/v1/kpi/ranking", {"month": MONTH, "indicator": "fees_collected"}, ["indicator"]),
        ("/v1/kpi/ranking", {"month": "2027-4"}, ["month"]),
        ("/v1/kpi/ranking", {"month": MONTH, "cursor": "e30"}, ["cursor"]),
    ],
)
def test_bad_parameters_are_422_problems_naming_them(
    client: TestClient,
    seeded: Container,
    path: str,
    params: dict[str, Any],
    names: list[str],
) -> None:
    response = get(client, seeded, AUDITOR, path, **params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["name"] for e in response.json()["errors"]] == names
