"""Valid inputs for domain tests, changed one field at a time by each test."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any
from uuid import uuid4

from domain.context import CommandContext
from domain.service_application import ServiceApplication

CTX = CommandContext(actor="officer-7", role="admin", correlation_id="corr-1")
META = CTX.meta()
DAY = date(2024, 1, 1)


def names(text: str = "Namuna") -> dict[str, str]:
    return {"uz-Latn": text, "uz-Cyrl": f"{text} (кир)", "ru": f"{text} (ру)", "en": f"{text} (en)"}


FORM_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "title": "Ariza",
    "properties": {
        "child_name": {"type": "string", "minLength": 2, "title": "Ism"},
        "birth_date": {"type": "string", "format": "date", "title": "Tug'ilgan sana"},
    },
    "required": ["child_name", "birth_date"],
    "additionalProperties": False,
    "examples": [{"child_name": "Aziza", "birth_date": "2026-01-15"}],
}


def terms(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "names": names("Tug'ilishni qayd etish"),
        "descriptions": names("Tavsif"),
        "category": "civil-registry",
        "form": 3,
        "agency_kind": "justice",
        "jurisdiction": "district",
        "required_documents": [{"code": "medical-certificate", "names": names("Ma'lumotnoma")}],
        "fee": {"kind": "free"},
        "exemptions": [],
        "refund_on": [],
        "deadline_working_days": 3,
        "result_kind": "certificate",
        "legal_basis": names("Fuqarolik holati dalolatnomalari to'g'risidagi qonun"),
        "form_schema": copy.deepcopy(FORM_SCHEMA),
    }
    base.update(changes)
    return base


def paid_terms(**changes: Any) -> dict[str, Any]:
    return terms(**{"form": 4, "fee": {"kind": "bhm_multiple", "multiple": "0.5"}, **changes})


def empty_case(**changes: Any) -> ServiceApplication:
    """A submitted case with an empty form and no attachments (policies' tests route it)."""
    fields: dict[str, Any] = {
        "application_id": uuid4(),
        "tracking_number": "AR-2026-0000042",
        "service_code": "x",
        "service_version": 1,
        "applicant": "31503901234567",
        "applicant_ref": "r",
        "applicant_name": None,
        "language": "ru",
        "territory": "1703202",
        "form": {},
        "attachments": [],
        "meta": META,
    }
    fields.update(changes)
    return ServiceApplication.submit(**fields)
