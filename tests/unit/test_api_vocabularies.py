"""The API's closed vocabularies are the domain's own lists: a value the domain defines is
served (never a 500 from a response model that forgot it) and documented as an enum."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from api.schemas.appeals import AppealOut
from api.schemas.applications import ApplicationOut, ApplicationPaymentOut, QueueItemOut
from api.schemas.catalogue import Fee, ServiceChangeOut, ServiceSummary, TerritoryOut
from api.schemas.inter_agency import RequestOut
from api.schemas.kpi import IndicatorOut
from application.read_models.cases import KINDS
from domain import appeal, application_statuses, fee_status, inter_agency, kpi, service
from domain.fees import FEE_KINDS
from domain.territory import TERRITORY_LEVELS


def enum_of(model: type[BaseModel], field: str) -> list[Any]:
    schema = model.model_json_schema()
    if "$ref" in schema:  # a recursive model is described under $defs
        schema = schema["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    return list(schema["properties"][field]["enum"])


@pytest.mark.parametrize(
    ("model", "field", "values"),
    [
        (ApplicationOut, "status", application_statuses.STATUSES),
        (ApplicationPaymentOut, "status", fee_status.FEE_STATUSES),
        (QueueItemOut, "kind", KINDS),
        (AppealOut, "status", appeal.STATUSES),
        (RequestOut, "status", inter_agency.STATUSES),
        (ServiceSummary, "status", service.STATUSES),
        (ServiceChangeOut, "change", service.CHANGES),
        (TerritoryOut, "level", TERRITORY_LEVELS),
        (Fee, "kind", FEE_KINDS),
        (IndicatorOut, "status", kpi.STATUSES),
    ],
)
def test_each_vocabulary_is_the_domains(
    model: type[BaseModel], field: str, values: tuple[str, ...]
) -> None:
    assert enum_of(model, field) == list(values)


def test_a_queue_item_shows_any_status_of_what_it_holds() -> None:
    statuses = set(enum_of(QueueItemOut, "status"))
    for each in (application_statuses.STATUSES, appeal.STATUSES, inter_agency.STATUSES):
        assert set(each) <= statuses


def test_every_application_status_is_served_by_the_response_model() -> None:
    for status in application_statuses.STATUSES:
        ApplicationOut.model_validate(  # a status the model does not know would raise here
            {
                **dict.fromkeys(ApplicationOut.model_fields),
                "id": "00000000-0000-0000-0000-000000000001",
                "tracking_number": "AR-2026-0000001",
                "status": status,
                "service_code": "x",
                "service_version": 1,
                "territory": "1703202",
                "language": "ru",
                "deadline_breached": False,
                "form": {},
                "attachments": [],
                "information_requests": [],
                "payment": {"status": "not_required", "amount": 0, "currency": "UZS"},
                "submitted_at": "2026-11-27T07:00:00Z",
                "updated_at": "2026-11-27T07:00:00Z",
            }
        )
