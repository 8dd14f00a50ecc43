"""Every service that takes applications (forms 3 and 4) accepts its own example form and
its required documents through the HTTP app, and the case reaches an agency of the
service's kind at the service's level."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from infrastructure.container import Container
from infrastructure.reference_data import load_reference_data
from tests.e2e.cases import DISTRICT
from tests.memory.support import submitted

APPLICABLE = sorted(
    (s.code, s.terms["agency_kind"], s.terms["jurisdiction"])
    for s in load_reference_data().services
    if s.terms["form"] in (3, 4)
)
TERRITORY_AT = {"district": DISTRICT, "region": DISTRICT[:4], "republic": "17"}


@pytest.mark.parametrize(("code", "kind", "level"), APPLICABLE, ids=[a[0] for a in APPLICABLE])
def test_the_example_form_submits(
    client: TestClient, container: Container, code: str, kind: str, level: str
) -> None:
    application = submitted(client, container, code=code)
    assert application["agency_code"] in (f"{kind}-{TERRITORY_AT[level]}", kind)
    if level == "republic":
        assert application["agency_code"] == kind
