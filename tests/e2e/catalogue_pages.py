"""Walking a paged answer of the catalogue API (test_catalogue_*_http.py)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def all_pages(client: TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        response = client.get(path, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["items"])
        cursor = body["next"]
        if cursor is None:
            return items
