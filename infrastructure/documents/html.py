"""The result document as a self-contained HTML page."""

from __future__ import annotations

import html
from typing import Final

from infrastructure.documents.content import ResultDocument, content
from infrastructure.documents.links import qr_svg, url_pieces

PRODUCER: Final = "Yagona"

_CSS: Final = """\
*{box-sizing:border-box}
body{margin:0;background:#f2f2f2;color:#1a1a1a;font:11pt/1.45 "DejaVu Sans",Arial,sans-serif}
main{max-width:210mm;margin:0 auto;padding:20mm;background:#fff}
header{border-bottom:1px solid #888;padding-bottom:4mm;margin-bottom:6mm}
.parent{color:#555;font-size:9.5pt}
.agency{font-weight:bold;font-size:12pt}
h1{font-size:18pt;text-align:center;margin:6mm 0 1mm}
.subtitle{text-align:center;font-size:12pt;margin:0 0 4mm}
h2{font-size:12pt;margin:6mm 0 2mm}
.outcome{text-align:center;font-weight:bold;font-size:14pt}
.outcome-approved .value{color:#116b2f}
.outcome-rejected .value{color:#a01b1b}
table{width:100%;border-collapse:collapse}
th,td{border:1px solid #999;padding:2mm;text-align:left;vertical-align:top}
th{width:35%;background:#f0f0f0}
p,td{white-space:pre-wrap;overflow-wrap:anywhere}
.verify{display:flex;gap:5mm;align-items:flex-start;border:1px solid #555;background:#f7f7f7;
padding:3mm}
.qr{flex:none;width:34mm;height:34mm}
.verify-text{flex:1;min-width:0}
.code{font-weight:bold;font-size:14pt;letter-spacing:.05em;white-space:nowrap}
.url{overflow-wrap:normal;word-break:normal}
.url span{white-space:nowrap}
@media print{body{background:#fff}main{padding:0}}
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _url(url: str) -> str:
    """The URL as unbreakable pieces with a break opportunity only after ``/``, ``?``
    and ``&``; a link only for a web URL (never a javascript: or other scheme)."""
    text = "<wbr>".join(f"<span>{_e(piece)}</span>" for piece in url_pieces(url))
    if url.startswith(("https://", "http://")):
        return f'<a href="{_e(url)}">{text}</a>'
    return text


def render_html(document: ResultDocument) -> bytes:
    """The result document as a self-contained UTF-8 HTML5 page (inline CSS and SVG, no
    scripts, nothing fetched)."""
    c = content(document)
    labels = c.labels

    def table(rows: list[tuple[str, str]]) -> str:
        body = "\n".join(
            f"<tr><th>{_e(label)}</th><td>{_e(value)}</td></tr>" for label, value in rows
        )
        return f"<table>\n{body}\n</table>"

    parent, agency = c.header
    granted = f"<h2>{_e(c.granted_heading)}</h2>\n{table(c.granted)}\n" if c.granted_heading else ""
    lead = f'<p class="lead">{_e(c.lead)}</p>\n' if c.lead else ""
    page = f"""<!DOCTYPE html>
<html lang="{_e(document.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="generator" content="{PRODUCER}">
<title>{_e(f"{c.title} {document.registration_number}")}</title>
<style>
{_CSS}</style>
</head>
<body>
<main>
<header>{f'<div class="parent">{_e(parent)}</div>' if parent else ""}\
<div class="agency">{_e(agency)}</div></header>
<h1>{_e(c.title)}</h1>
<p class="subtitle">{_e(c.subtitle)}</p>
<p class="outcome outcome-{_e(document.outcome)}">{_e(labels.outcome)}: \
<span class="value">{_e(c.outcome_text)}</span></p>
{lead}{table(c.rows)}
{granted}<h2>{_e(labels.reasons)}</h2>
<p class="reasons">{_e(document.reasons)}</p>
<h2>{_e(labels.legal_basis)}</h2>
<p class="legal-basis">{_e(document.legal_basis)}</p>
<h2>{_e(labels.verification)}</h2>
<div class="verify">
{qr_svg(document.verification_url, labels.address)}
<div class="verify-text">
<div>{_e(labels.code)}:</div>
<div class="code">{_e(document.verification_code)}</div>
<div>{_e(labels.verify_sentence)}</div>
<div>{_e(labels.address)}:</div>
<div class="url">{_url(document.verification_url)}</div>
</div>
</div>
</main>
</body>
</html>
"""
    return page.encode("utf-8")
