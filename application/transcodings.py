"""How the cases' aggregate state is written into snapshots (values JSON cannot hold)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.persistence import JSONTranscoder, Transcoding

from domain.agency import AgencyRef
from domain.attachment import Attachment


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class AgencyRefAsDict(Transcoding):
    type = AgencyRef
    name = "agency_ref"

    def encode(self, obj: AgencyRef) -> dict[str, Any]:
        return {
            "id": obj.id.hex,
            "code": obj.code,
            "parent_id": obj.parent_id.hex if obj.parent_id else None,
            "parent_code": obj.parent_code,
        }

    def decode(self, data: dict[str, Any]) -> AgencyRef:
        return AgencyRef(
            UUID(data["id"]),
            data["code"],
            UUID(data["parent_id"]) if data["parent_id"] else None,
            data["parent_code"],
        )


class AttachmentAsDict(Transcoding):
    type = Attachment
    name = "attachment"

    def encode(self, obj: Attachment) -> dict[str, Any]:
        return obj.to_dict()

    def decode(self, data: dict[str, Any]) -> Attachment:
        return Attachment.from_dict(data)


def register_case_transcodings(transcoder: JSONTranscoder) -> None:
    transcoder.register(DateAsISO())
    transcoder.register(AgencyRefAsDict())
    transcoder.register(AttachmentAsDict())
