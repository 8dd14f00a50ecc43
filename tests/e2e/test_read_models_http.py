"""Integrators' read models over HTTP: the applications summary, the payments ledger and the
decisions register, by scope, paged, with ETags."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from fastapi.testclient import TestClient

from application.principal import Principal
from domain.context import CommandContext
from infrastructure.container import Container
from tests.documents import attachments
from tests.e2e.cases import DISTRICT, citizen, headers, paid_and_decided, service_example

ADMIN = Principal("admin-1", "admin")
ADMIN_CTX = CommandContext(actor="admin-1", role="admin", correlation_id="e2e")
SERVICE = "marriage-registration"
PINFLS = ["30101851234568", "40202901234562", "31111801234563"]


def api_key(container: Container, *scopes: str) -> dict[str, str]:
    issued = container.integrators.create(ADMIN, ADMIN_CTX, name="Stats", scopes=list(scopes))
    return {"X-API-Key": issued.api_key}


def summary(client: TestClient, auth: dict[str, str], **params: Any) -> dict[tuple[Any, ...], int]:
    response = client.get("/v1/read-models/applications-summary", params=params, headers=auth)
    assert response.status_code == 200, response.text
    dims = [d.strip() for d in params["group_by"].split(",")]
    return {tuple(r[d] for d in dims): r["applications"] for r in response.json()["items"]}


@pytest.fixture(scope="module")
def reader(seeded: Container) -> dict[str, str]:
    return api_key(seeded, "read-models:read")


@pytest.fixture(scope="module")
def written(client: TestClient, seeded: Container, reader: dict[str, str]) -> dict[str, Any]:
    """Two cases paid and approved and one left unpaid, with the summary before them."""
    before = summary(client, reader, group_by="service,status", service=SERVICE)
    decided = [paid_and_decided(client, seeded, citizen(p, name=None)) for p in PINFLS[:2]]
    unpaid = client.post(
        "/v1/applications",
        json={
            "service_code": SERVICE,
            "territory": DISTRICT,
            "form": service_example(SERVICE),
            "attachments": attachments(SERVICE),
        },
        headers=headers(seeded, citizen(PINFLS[2], name=None)),
    )
    assert unpaid.status_code == 201, unpaid.text
    seeded.wait_for_projections()
    return {"before": before, "decided": decided, "unpaid": unpaid.json()}


def test_the_summary_counts_what_was_written(
    client: TestClient, reader: dict[str, str], written: dict[str, Any]
) -> None:
    after = summary(client, reader, group_by="service,status", service=SERVICE)
    delta = Counter(after)
    delta.subtract(Counter(written["before"]))
    assert {k: v for k, v in delta.items() if v} == {
        (SERVICE, "result_issued"): 2,
        (SERVICE, written["unpaid"]["status"]): 1,
    }
    by_agency = summary(
        client, reader, group_by="agency,territory,month", service=SERVICE, territory="1703"
    )
    assert all(territory.startswith("1703") for _, territory, _ in by_agency)
    assert sum(by_agency.values()) == sum(after.values())


def test_summary_pages_walk_every_group_once(
    client: TestClient, reader: dict[str, str], written: dict[str, Any]
) -> None:
    whole = summary(client, reader, group_by="service,status", limit=1000)
    walked: list[tuple[Any, ...]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"group_by": "service,status", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        body = client.get(
            "/v1/read-models/applications-summary", params=params, headers=reader
        ).json()
        walked.extend((r["service"], r["status"]) for r in body["items"])
        cursor = body["next"]
        if cursor is None:
            break
    assert walked == sorted(whole)
    assert len(walked) == len(set(walked))


def test_the_payments_ledger_pages_oldest_first(
    client: TestClient, reader: dict[str, str], written: dict[str, Any]
) -> None:
    paid = {d["payment"]["payment_id"]: d for d in written["decided"]}
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 1, "service": SERVICE}
        if cursor:
            params["cursor"] = cursor
        body = client.get("/v1/read-models/payments", params=params, headers=reader).json()
        rows.extend(body["items"])
        cursor = body["next"]
        if cursor is None:
            break
    mine = {r["payment_id"]: r for r in rows if r["payment_id"] in paid}
    assert set(mine) == set(paid)
    for payment_id, row in mine.items():
        assert row["status"] == "succeeded"
        assert row["paid_amount"] == row["amount"] == paid[payment_id]["payment"]["amount"]
        assert row["tracking_number"] == paid[payment_id]["tracking_number"]
    requested = [(r["requested_at"], r["payment_id"]) for r in rows]
    assert requested == sorted(requested)
    succeeded = client.get(
        "/v1/read-models/payments", params={"status": "succeeded", "limit": 1000}, headers=reader
    ).json()["items"]
    assert set(paid) <= {r["payment_id"] for r in succeeded}
    assert {r["status"] for r in succeeded} == {"succeeded"}


@pytest.mark.parametrize(
    "path",
    [
        "/v1/read-models/applications-summary",
        "/v1/read-models/payments",
        "/v1/decisions",
    ],
)
def test_etags_answer_304_and_change_with_the_data(
    client: TestClient, seeded: Container, reader: dict[str, str], path: str
) -> None:
    first = client.get(path, headers=reader)
    assert first.status_code == 200, first.text
    etag = first.headers["etag"]
    again = client.get(path, headers={**reader, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    paid_and_decided(client, seeded, citizen("50303951234565", name=None))
    seeded.wait_for_projections()
    changed = client.get(path, headers={**reader, "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


def test_who_may_read_the_read_models(client: TestClient, seeded: Container) -> None:
    path = "/v1/read-models/payments"
    assert client.get(path, headers=api_key(seeded, "feed:read")).status_code == 403
    officer = headers(seeded, Principal("officer-1", "officer", agency="justice-1703202"))
    assert client.get(path, headers=officer).status_code == 403
    assert client.get(path, headers=headers(seeded, citizen())).status_code == 403
    auditor = headers(seeded, Principal("auditor-1", "auditor"))
    assert client.get(path, headers=auditor).status_code == 200
    assert client.get("/v1/decisions", headers=api_key(seeded, "feed:read")).status_code == 403
    assert client.get(path).status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"group_by": "agency,shoe_size"}, "group_by"),
        ({"group_by": "agency,agency"}, "group_by"),
        ({"group_by": "status", "from": "2026-12-01", "to": "2026-11-01"}, "from"),
        ({"group_by": "status", "territory": "17-03"}, "territory"),
        ({"group_by": "status", "cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_bad_summary_parameters_are_named(
    client: TestClient, reader: dict[str, str], params: dict[str, Any], field: str
) -> None:
    response = client.get("/v1/read-models/applications-summary", params=params, headers=reader)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in str(response.json())
