"""Content negotiation: the response language, and ETag revalidation."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from fastapi import Query, Request, Response

from domain.i18n import DEFAULT_LANGUAGE, LANGUAGES

_BY_PREFIX = (
    ("uz-cyrl", "uz-Cyrl"),
    ("uz-latn", "uz-Latn"),
    ("uz", "uz-Latn"),
    ("ru", "ru"),
    ("en", "en"),
)


def language_from_header(header: str | None) -> str:
    """The best of the portal's languages for an ``Accept-Language`` header (uz-Latn if none
    fits), honouring quality values."""
    if not header:
        return DEFAULT_LANGUAGE
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, index, tag.strip().lower()))
    for negative_quality, _, tag in sorted(ranked):
        if negative_quality >= 0:
            continue
        if tag == "*":
            return DEFAULT_LANGUAGE
        for prefix, language in _BY_PREFIX:
            if tag == prefix or tag.startswith(prefix + "-"):
                return language
    return DEFAULT_LANGUAGE


LangParam = Annotated[
    str | None,
    Query(
        description="Response language: uz-Latn, uz-Cyrl, ru or en. Overrides Accept-Language; "
        "uz-Latn when neither picks one.",
        pattern="^(uz-Latn|uz-Cyrl|ru|en)$",
        examples=["ru"],
    ),
]


def negotiate_language(request: Request, lang: str | None) -> str:
    if lang in LANGUAGES:
        return lang
    return language_from_header(request.headers.get("accept-language"))


def cached_json(request: Request, payload: Any, *, language: str | None = None) -> Response:
    """A JSON response with a strong ETag; 304 when ``If-None-Match`` already has it."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Accept-Language"}
    if language:
        headers["Content-Language"] = language
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(content=body, headers=headers, media_type="application/json")


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    candidates = {c.strip().removeprefix("W/") for c in if_none_match.split(",")}
    return etag in candidates
