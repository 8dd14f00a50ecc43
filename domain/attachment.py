"""Attachments of an application, as its events and snapshots record them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from domain.errors import InvalidAttachment

SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Attachment:
    """A file the citizen attached: its bytes live in a store, its hash in the event."""

    document: str  # the required document it satisfies (or "other")
    filename: str
    content_type: str
    size: int
    sha256: str

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Attachment:
        attachment = cls(
            str(data["document"]),
            str(data["filename"]),
            str(data["content_type"]),
            int(data["size"]),
            str(data["sha256"]),
        )
        if not SHA256.fullmatch(attachment.sha256):
            raise InvalidAttachment("an attachment's sha256 is 64 lowercase hex digits")
        return attachment

    def to_dict(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "filename": self.filename,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
        }
