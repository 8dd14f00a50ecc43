"""The target indicators (KPIs) on PostgreSQL: a scripted February 2027 of cases, appeals,
inter-agency requests and payments, with an injected clock and every worker running; every
KPI value is checked against numbers this test computes from the script itself (its own
working-day count, its own groupings), and a rebuild of the read model gives the same.

The script (Uzbekistan's days; 2027-02-01 is a Monday, and no public holiday falls between
it and 2027-03-01):

- justice-1703202 (J): five birth registrations (free, term 1 working day) decided on the
  day (approved), the next day (rejected), three days later (late); one withdrawn; one
  submitted on 26 February and decided on 1 March; two paid marriage registrations (term
  22), one rejected (its fee refunded) and one approved;
- justice-1706204 (J2, another district): two birth registrations, one decided on the day
  (rejected), one after five working days (late);
- hokimiyat-1703202 (H): two land-plot allocations (term 22), one decided after seven
  working days, one left open; it receives the appeals of district 1703202 (answered on
  time, on time after an extension, late, never (escalated as overdue), escalated as overdue
  and then answered by the region within its new term, one still open)
  and J's inter-agency requests (answered on time, late, refused on time, overdue, one
  open); it asks J once (answered on time);
- hokimiyat-1706204 (H2): one appeal, answered on time.

Fees count when the provider took or gave back the money, which is when the payment's
events were recorded: the wall clock's month, not the injected one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from application.principal import Principal
from infrastructure.database import DatabaseConfig
from projections.kpi import KpiRow
from tests.fakes.adapters import FixedClock
from tests.integration.kpi_expected import actual, assert_matches, expected
from tests.integration.kpi_facts import BIRTH, FEE, H2, J2, T1, H, J
from tests.integration.kpi_script import Script, run_script
from tests.integration.live import live_container

# --- the fixture ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def script(
    test_database: DatabaseConfig, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Script]:
    clock = FixedClock(datetime(2027, 2, 1, 4, 0, tzinfo=UTC))  # 09:00 in Tashkent
    with live_container(test_database, tmp_path_factory.mktemp("kpi"), clock) as container:
        scripted = Script(container, clock)
        run_script(scripted)
        yield scripted


GROUPINGS = [
    (["agency"], "2027-02", "2027-02", {}),
    (["agency", "service"], "2027-02", "2027-02", {}),
    (["territory"], "2027-02", "2027-02", {}),
    (["agency", "service", "territory"], "2027-02", "2027-03", {}),
    ([], "2027-02", "2027-03", {}),
    (["agency"], "2027-03", "2027-03", {}),
    (["service"], "2027-02", "2027-02", {"territory": "1706"}),
    (["agency"], "2027-02", "2027-02", {"service": BIRTH}),
    (["service"], "2027-02", "2027-03", {"agency": J}),
]


def query(
    script: Script, dims: list[str], first: str, last: str, filters: dict[str, str]
) -> list[KpiRow]:
    return script.container.kpi.every_group(
        dims,
        months=(first, last),
        filters={"agency": None, "service": None, "territory": None, **filters},
    )


# --- the tests --------------------------------------------------------------------------------


def test_the_script_itself_is_what_the_docstring_says(script: Script) -> None:
    """Guards the independent model: the numbers a reader can check by hand."""
    want = expected(script, ["agency"], "2027-02", "2027-02")
    j, j2, h, h2 = want[(J,)], want[(J2,)], want[(H,)], want[(H2,)]
    assert (j["submitted"], j["decided"], j["decided_within_term_pct"]) == (7, 5, 80.0)
    assert (j["median_processing_working_days"], j["rejection_rate_pct"]) == (2, 40.0)
    assert j["p90_processing_working_days"] == pytest.approx(3.6)
    assert j["requests_answered_on_time_pct"] == 100.0
    assert (j2["decided_within_term_pct"], j2["median_processing_working_days"]) == (50.0, 2.5)
    assert (
        h["appeals"],
        h["appeals_answered_on_time_pct"],
        h["appeals_per_1000_applications"],
    ) == (
        7,
        50.0,
        3500.0,
    )
    assert h["average_rating"] == pytest.approx(15 / 4)
    assert (h["inter_agency_requests"], h["requests_answered_on_time_pct"]) == (5, 50.0)
    assert (h2["appeals_per_1000_applications"], h2["average_rating"]) == (None, 4.0)


@pytest.mark.parametrize(("dims", "first", "last", "filters"), GROUPINGS)
def test_every_indicator_matches_the_script(
    script: Script, dims: list[str], first: str, last: str, filters: dict[str, str]
) -> None:
    got = actual(
        query(script, dims, first, last, filters),
        [d for d in ("agency", "service", "territory") if d in dims],
    )
    want = expected(script, dims, first, last, filters)
    if not dims:  # one row for everything, even when empty
        assert list(got) == [()]
    assert_matches(got, want)


def test_fees_count_in_the_month_the_money_moved(script: Script) -> None:
    fees = list(script.fees.values())
    assert sum(f.paid for f in fees) == 2 * FEE
    assert sum(f.refunded for f in fees) == FEE
    months = sorted(
        {f.paid_month for f in fees} | {f.refunded_month for f in fees if f.refunded_month}
    )
    for m in months:
        got = actual(query(script, ["agency"], m, m, {}), ["agency"])
        assert_matches(got, expected(script, ["agency"], m, m))
        assert got[(J,)]["fees_collected"] == sum(f.paid for f in fees if f.paid_month == m)
    first = min(months[0], "2027-02")
    whole = actual(
        query(script, ["agency", "territory"], first, "2027-03", {}), ["agency", "territory"]
    )
    assert whole[(J, T1)]["fees_collected"] == 2 * FEE  # the payments' territory: their case's
    assert whole[(J, T1)]["fees_refunded"] == FEE
    assert_matches(whole, expected(script, ["agency", "territory"], first, "2027-03"))


def test_pages_walk_every_group_once(script: Script) -> None:
    kpi = script.container.kpi
    filters: dict[str, str | None] = {"agency": None, "service": None, "territory": None}
    whole = kpi.every_group(["agency", "service"], months=("2027-02", "2027-03"), filters=filters)
    walked: list[KpiRow] = []
    cursor = None
    while True:
        page = kpi.indicators(
            ["agency", "service"],
            months=("2027-02", "2027-03"),
            filters=filters,
            cursor=cursor,
            limit=2,
        )
        walked.extend(page.items)
        if page.next is None:
            break
        cursor = page.next
    assert walked == whole
    assert len(whole) == len(expected(script, ["agency", "service"], "2027-02", "2027-03"))


def test_the_http_answer_judges_each_indicator_against_its_target(script: Script) -> None:
    """Statuses over HTTP, judged here against the default targets (no overrides ship)."""
    targets = {">=": lambda a, t: a >= t, "<=": lambda a, t: a <= t}
    defaults = {
        "decided_within_term_pct": (95.0, ">="),
        "median_processing_working_days": (5.0, "<="),
        "p90_processing_working_days": (10.0, "<="),
        "rejection_rate_pct": (25.0, "<="),
        "appeals_per_1000_applications": (50.0, "<="),
        "appeals_answered_on_time_pct": (95.0, ">="),
        "average_rating": (4.0, ">="),
        "requests_answered_on_time_pct": (95.0, ">="),
    }
    container = script.container
    token = container.tokens.mint(Principal("admin-1", "admin"))
    with TestClient(create_app(container)) as client:
        response = client.get(
            "/v1/kpi",
            params={"group_by": "agency", "month": "2027-02"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["from"], body["to"], body["group_by"]) == ("2027-02", "2027-02", ["agency"])
    want = expected(script, ["agency"], "2027-02", "2027-02")
    assert {item["agency"] for item in body["items"]} == {key[0] for key in want}
    for item in body["items"]:
        values = want[(item["agency"],)]
        for name, (target, comparison) in defaults.items():
            indicator = item["indicators"][name]
            value = values[name]
            status = (
                "no_data"
                if value is None
                else ("met" if targets[comparison](round(value, 2), target) else "missed")
            )
            assert indicator == {
                "actual": None if value is None else pytest.approx(value, abs=0.006),
                "target": target,
                "comparison": comparison,
                "status": status,
            }, (item["agency"], name)
    by_agency = {item["agency"]: item["indicators"] for item in body["items"]}
    assert by_agency[J]["decided_within_term_pct"]["status"] == "missed"  # 80 < 95
    assert by_agency[H]["decided_within_term_pct"]["status"] == "met"  # 100
    assert by_agency[H]["median_processing_working_days"]["status"] == "missed"  # 7 > 5
    assert by_agency[H2]["decided_within_term_pct"]["status"] == "no_data"


def test_a_rebuild_gives_the_same_answer(script: Script) -> None:
    container = script.container
    months = sorted({f.paid_month for f in script.fees.values()} | {"2027-02"})
    cases = [(dims, first, last, filters) for dims, first, last, filters in GROUPINGS]
    cases.append((["agency", "service", "territory"], months[0], "2027-03", {}))
    before = [query(script, *case) for case in cases]
    for name in ("kpi_cases", "kpi_payments"):
        report = container.rebuild_projection(name)
        assert report.events > 0
    container.wait_for_projections(timeout=60)
    after = [query(script, *case) for case in cases]
    assert after == before
    assert any(row.fees_collected for row in after[-1])
