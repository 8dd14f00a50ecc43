"""Rendering of an agency decision's result document: the verifiable electronic document a
citizen downloads, as self-contained HTML and as an A4 PDF.

The document states what was granted (a certificate's certified facts, a permit's or
licence's terms and validity) or that the application was refused, who decided it in which
agency, and how to verify it: the code, the verification URL on its own line(s), and a QR
code of that URL.

Both renderers are pure and deterministic: the same :class:`ResultDocument` gives byte-identical
output on every call and in every process (the PDF's creation date is the decision time, its
``/ID`` is a hash of its own content, its fonts are the DejaVu files bundled in ``fonts/`` and
its QR code is drawn as vector rectangles), so the sha256 recorded with a decision can be
recomputed from the facts it was rendered from.
"""

from __future__ import annotations

from infrastructure.documents.content import (
    FONTS_DIR,
    LANGUAGES,
    OUTCOMES,
    TASHKENT,
    ResultDocument,
)
from infrastructure.documents.html import render_html
from infrastructure.documents.pdf import render_pdf

__all__ = [
    "FONTS_DIR",
    "LANGUAGES",
    "OUTCOMES",
    "TASHKENT",
    "ResultDocument",
    "render_html",
    "render_pdf",
]
