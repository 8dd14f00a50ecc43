"""Checks on files a citizen attaches: count, size, type (by content, not by claim)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.errors import InvalidAttachment, MissingDocuments
from domain.quoting import quoted
from domain.service import RequiredDocument

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


def check_uploads(uploads: list[AttachmentUpload], required: tuple[RequiredDocument, ...]) -> None:
    """Raise ``InvalidAttachment`` naming the first bad file (``attachments[i]``), or
    ``MissingDocuments`` naming every required (not optional) document left out."""
    documents = {d.code for d in required}
    check_files(uploads, documents)
    attached = {u.document for u in uploads}
    missing = [d for d in required if not d.optional and d.code not in attached]
    if missing:
        raise MissingDocuments(
            f"attachments: {len(missing)} required document(s) missing: "
            + "; ".join(f"{d.code} ({d.names.get('en', d.code)})" for d in missing)
            + ". Attach each with its code as `document`",
            [d.code for d in missing],
        )


def check_files(uploads: list[AttachmentUpload], documents: set[str]) -> None:
    """Raise ``InvalidAttachment`` naming the first bad file: too many, an unknown document
    code, a bad name, type or size, or content that is not what it claims."""
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
                f"not {quoted(upload.content_type)}"
            )
        if not upload.content:
            raise InvalidAttachment(f"{where} is empty")
        if len(upload.content) > MAX_BYTES:
            raise InvalidAttachment(
                f"{where} is {len(upload.content)} bytes; the limit is {MAX_BYTES} bytes"
            )
        if not upload.content.startswith(MAGIC[upload.content_type]):
            raise InvalidAttachment(f"{where} is not a {upload.content_type} file")
