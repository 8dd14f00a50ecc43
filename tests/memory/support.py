"""Callers and helpers the in-memory tier's modules share."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from application.principal import Principal
from domain.context import CommandContext
from infrastructure.container import Container
from tests.e2e.cases import citizen, headers, submission

ADMIN = Principal("admin-1", "admin")
ADMIN_CTX = CommandContext(actor="admin-1", role="admin", correlation_id="memory")
ALL_SCOPES = ("feed:read", "read-models:read", "personal-data:read", "webhooks:manage")


def problem(response: Any, status: int) -> dict[str, Any]:
    """The problem document of a ``status`` response."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def api_key(container: Container, *scopes: str, name: str = "Bank") -> dict[str, str]:
    issued = container.integrators.create(ADMIN, ADMIN_CTX, name=name, scopes=list(scopes))
    return {"X-API-Key": issued.api_key}


def submitted(
    client: TestClient, container: Container, who: Principal | None = None, **changes: Any
) -> dict[str, Any]:
    response = client.post(
        "/v1/applications",
        json=submission(**changes),
        headers=headers(container, who or citizen()),
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body
