"""Attachments a test submission needs: a small valid PDF for each document a service
requires (its optional documents left out), in the order the service lists them."""

from __future__ import annotations

import base64
from functools import cache
from typing import Any

from application.attachments import AttachmentUpload
from infrastructure.reference_data import load_reference_data

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@cache
def required_documents(service_code: str) -> tuple[str, ...]:
    spec = next(s for s in load_reference_data().services if s.code == service_code)
    return tuple(
        d["code"] for d in spec.terms.get("required_documents", []) if not d.get("optional")
    )


def uploads(service_code: str) -> list[AttachmentUpload]:
    """For a use case: ``Cases.submit(..., attachments=uploads(code))``."""
    return [
        AttachmentUpload(code, f"{code}.pdf", "application/pdf", PDF)
        for code in required_documents(service_code)
    ]


def attachments(service_code: str) -> list[dict[str, Any]]:
    """For an HTTP body: ``{"attachments": attachments(code), ...}``."""
    return [
        {
            "document": code,
            "filename": f"{code}.pdf",
            "content_type": "application/pdf",
            "content_base64": base64.b64encode(PDF).decode(),
        }
        for code in required_documents(service_code)
    ]
