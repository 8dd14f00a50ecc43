"""The service page shows each fee's parts and rates with the acts they come from, each
exemption's act and dates, and the act of the legal term (or null where none was verified)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def _service(client: TestClient, code: str) -> dict[str, Any]:
    page = client.get(f"/v1/services/{code}")
    assert page.status_code == 200, page.text
    body: dict[str, Any] = page.json()
    return body


def test_the_id_card_duty_names_its_row_of_the_state_duty_law(client: TestClient) -> None:
    page = _service(client, "id-card-issuance")
    fee = page["fee"]
    assert fee["multiple"] == "0.89"
    assert fee["source"]["number"] == "ZRU-600"
    assert fee["source"]["date"] == "2020-01-06"
    assert fee["source"]["citation"] == (
        'Law "On state duty", No. ZRU-600 of 2020-01-06, annex, item 6(a)'
    )
    assert [p["code"] for p in fee["parts"]] == ["duty"]
    assert fee["parts"][0]["amount"] == fee["amount"]
    assert page["term_source"] is None  # declared unsourced in the data


def test_the_llc_page_shows_the_foreign_investment_rate(client: TestClient) -> None:
    fee = _service(client, "llc-registration")["fee"]
    assert fee["by_field"] == {
        "field": "founder_kind",
        "rates": [{"value": "foreign_investment", "multiple": "10", "amount": 10 * fee["amount"]}],
    }


def test_a_dated_exemption_shows_its_first_day(client: TestClient) -> None:
    exemptions = _service(client, "marriage-registration")["exemptions"]
    contract = next(e for e in exemptions if e["code"] == "registered-marriage-contract")
    assert contract["effective_from"] == "2027-01-01"
    assert contract["effective_until"] is None
    assert contract["source"] is None


def test_a_free_service_without_a_verified_act_says_null(client: TestClient) -> None:
    fee = _service(client, "death-registration")["fee"]
    assert fee["kind"] == "free"
    assert fee["amount"] == 0
    assert fee["source"] is None
