"""Checks on files a citizen attaches: count, size, type (by content, not by claim)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.errors import InvalidAttachment

MAX_FILES = 10
MAX_BYTES = 5 * 1024 * 1024
MAGIC = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
OTHER_DOCUMENT = "other"
_FILENAME = re.compile(r"[^\x00-\x1f/\\]{1,200}")


@dataclass(frozen=True)
class AttachmentUpload:
    document: str
    filename: str
    content_type: str
    content: bytes


def check_uploads(uploads: list[AttachmentUpload], documents: set[str]) -> None:
    """Raise ``InvalidAttachment`` naming the first bad file (``attachments[i]``)."""
    if len(uploads) > MAX_FILES:
        raise InvalidAttachment(f"at most {MAX_FILES} attachments, got {len(uploads)}")
    for index, upload in enumerate(uploads):
        where = f"attachments[{index}]"
        if upload.document not in documents and upload.document != OTHER_DOCUMENT:
            known = ", ".join(sorted(documents)) or "none"
            raise InvalidAttachment(
                f"{where}.document must be one of the service's required documents "
                f"({known}) or '{OTHER_DOCUMENT}'"
            )
        if not _FILENAME.fullmatch(upload.filename):
            raise InvalidAttachment(
                f"{where}.filename must be 1-200 characters without slashes or control characters"
            )
        if upload.content_type not in MAGIC:
            raise InvalidAttachment(
                f"{where}.content_type must be one of {', '.join(MAGIC)}, "
                f"not {upload.content_type!r}"
            )
        if not upload.content:
            raise InvalidAttachment(f"{where} is empty")
        if len(upload.content) > MAX_BYTES:
            raise InvalidAttachment(
                f"{where} is {len(upload.content)} bytes; the limit is {MAX_BYTES} bytes"
            )
        if not upload.content.startswith(MAGIC[upload.content_type]):
            raise InvalidAttachment(f"{where} is not a {upload.content_type} file")
