"""The holiday calendar over HTTP: a year's days off and working weekends with their acts."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_a_year_lists_each_day_with_its_source(client: TestClient) -> None:
    response = client.get("/v1/calendar/2026", params={"lang": "en"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["year"] == 2026
    days = {item["day"]: item for item in body["items"]}
    assert list(days) == sorted(days)
    transferred = days["2026-03-23"]
    assert transferred["kind"] == "holiday"
    assert transferred["name"] == "Navruz (day off transferred)"
    assert transferred["source"]["number"] == "ZRU-798"
    assert transferred["source"]["article"] == "art. 208"
    assert transferred["source"]["url"] == "https://lex.uz/docs/-6257288"
    assert transferred["source"]["citation"].startswith("Labour Code of the Republic of Uzbekistan")
    saturday = days["2026-12-12"]
    assert saturday["kind"] == "working_weekend"
    assert saturday["source"]["number"] == "PF-257"
    assert set(saturday["names"]) == {"uz-Latn", "uz-Cyrl", "ru", "en"}


def test_an_unsourced_day_says_null_and_a_year_without_a_calendar_is_empty(
    client: TestClient,
) -> None:
    days = {i["day"]: i for i in client.get("/v1/calendar/2025").json()["items"]}
    assert days["2025-03-30"]["source"] is None  # Ramazon hayiti 2025: resolution unverified
    assert client.get("/v1/calendar/2040").json() == {"year": 2040, "items": []}
    assert client.get("/v1/calendar/1800").status_code == 422
