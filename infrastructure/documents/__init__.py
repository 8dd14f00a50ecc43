"""Rendering of an agency decision's result document: the verifiable electronic document a
citizen downloads, as self-contained HTML and as an A4 PDF.

Both renderers are pure and deterministic: the same :class:`ResultDocument` gives byte-identical
output on every call and in every process (the PDF's creation date is the decision time, its
``/ID`` is a hash of its own content, and its fonts are the DejaVu files bundled in ``fonts/``),
so the sha256 recorded with a decision can be recomputed from the decision's facts.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Final

from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, XPos, YPos

__all__ = ["LANGUAGES", "OUTCOMES", "ResultDocument", "render_html", "render_pdf"]

#: Decisions are dated in Tashkent time (UTC+5, no daylight saving).
TASHKENT: Final = timezone(timedelta(hours=5), "UTC+05:00")

FONTS_DIR: Final = Path(__file__).resolve().parent / "fonts"
_FONT_FAMILY: Final = "DejaVuSans"
_PRODUCER: Final = "Yagona"


@dataclass(frozen=True)
class ResultDocument:
    """The facts a result document states; labels come from ``language``."""

    language: str  # "uz-Latn" | "uz-Cyrl" | "ru" | "en"
    outcome: str  # "approved" | "rejected"
    registration_number: str
    verification_code: str
    verification_url: str
    decided_at: datetime  # timezone-aware
    tracking_number: str  # the application's
    service_name: str  # already in `language`
    agency_name: str  # already in `language`
    officer: str  # the deciding officer's id
    applicant_name: str
    applicant_pinfl_masked: str
    reasons: str
    legal_basis: str


@dataclass(frozen=True)
class _Labels:
    title: str
    outcome: str
    approved: str
    rejected: str
    registration_number: str
    decided_at: str
    tracking_number: str
    service: str
    agency: str
    applicant: str
    pinfl: str
    reasons: str
    legal_basis: str
    officer: str
    verification: str
    verify_sentence: str  # with {url} and {code}
    code: str
    page: str


# Uzbek Latin uses U+02BB (modifier letter turned comma) in oʻ and gʻ.
_LABELS: Final[dict[str, _Labels]] = {
    "uz-Latn": _Labels(
        title="Ariza boʻyicha qaror",
        outcome="Natija",
        approved="Tasdiqlandi",
        rejected="Rad etildi",
        registration_number="Roʻyxatga olish raqami",
        decided_at="Qaror sanasi",
        tracking_number="Ariza kuzatuv raqami",
        service="Xizmat",
        agency="Davlat organi",
        applicant="Ariza beruvchi",
        pinfl="JShShIR",
        reasons="Asoslar",
        legal_basis="Huquqiy asos",
        officer="Qaror qabul qilgan xodim",
        verification="Hujjatni tekshirish",
        verify_sentence="Ushbu hujjatni {url} manzilida {code} kodi bilan tekshiring.",
        code="Tekshirish kodi",
        page="Sahifa",
    ),
    "uz-Cyrl": _Labels(
        title="Ариза бўйича қарор",
        outcome="Натижа",
        approved="Тасдиқланди",
        rejected="Рад этилди",
        registration_number="Рўйхатга олиш рақами",
        decided_at="Қарор санаси",
        tracking_number="Ариза кузатув рақами",
        service="Хизмат",
        agency="Давлат органи",
        applicant="Ариза берувчи",
        pinfl="ЖШШИР",
        reasons="Асослар",
        legal_basis="Ҳуқуқий асос",
        officer="Қарор қабул қилган ходим",
        verification="Ҳужжатни текшириш",
        verify_sentence="Ушбу ҳужжатни {url} манзилида {code} коди билан текширинг.",
        code="Текшириш коди",
        page="Саҳифа",
    ),
    "ru": _Labels(
        title="Решение по заявлению",
        outcome="Результат",
        approved="Одобрено",
        rejected="Отказано",
        registration_number="Регистрационный номер",
        decided_at="Дата решения",
        tracking_number="Номер заявления",
        service="Услуга",
        agency="Ведомство",
        applicant="Заявитель",
        pinfl="ПИНФЛ",
        reasons="Обоснование",
        legal_basis="Правовое основание",
        officer="Должностное лицо",
        verification="Проверка подлинности",
        verify_sentence="Проверьте подлинность документа по адресу {url} с кодом {code}.",
        code="Код проверки",
        page="Страница",
    ),
    "en": _Labels(
        title="Decision on the application",
        outcome="Outcome",
        approved="Approved",
        rejected="Rejected",
        registration_number="Registration number",
        decided_at="Date of decision",
        tracking_number="Application tracking number",
        service="Service",
        agency="Agency",
        applicant="Applicant",
        pinfl="PINFL",
        reasons="Reasons",
        legal_basis="Legal basis",
        officer="Officer",
        verification="Verification",
        verify_sentence="Verify this document at {url} with code {code}.",
        code="Verification code",
        page="Page",
    ),
}

LANGUAGES: Final = frozenset(_LABELS)
OUTCOMES: Final = frozenset({"approved", "rejected"})


@dataclass(frozen=True)
class _Content:
    """Validated, formatted text of a document: what both renderers lay out."""

    labels: _Labels
    outcome_text: str
    decided_on: str
    verify_sentence: str


def _content(document: ResultDocument) -> _Content:
    labels = _LABELS.get(document.language)
    if labels is None:
        raise ValueError(
            f"unknown document language {document.language!r}; expected one of "
            f"{', '.join(sorted(LANGUAGES))}"
        )
    if document.outcome not in OUTCOMES:
        raise ValueError(
            f"unknown decision outcome {document.outcome!r}; expected approved or rejected"
        )
    if document.decided_at.tzinfo is None or document.decided_at.utcoffset() is None:
        raise ValueError("decided_at must be timezone-aware")
    outcome_text = labels.approved if document.outcome == "approved" else labels.rejected
    return _Content(
        labels=labels,
        outcome_text=outcome_text,
        decided_on=document.decided_at.astimezone(TASHKENT).strftime("%Y-%m-%d"),
        verify_sentence=labels.verify_sentence.format(
            url=document.verification_url, code=document.verification_code
        ),
    )


# --------------------------------------------------------------------------------------- HTML

_CSS: Final = """\
*{box-sizing:border-box}
body{margin:0;background:#f2f2f2;color:#1a1a1a;font:11pt/1.45 "DejaVu Sans",Arial,sans-serif}
main{max-width:210mm;margin:0 auto;padding:20mm;background:#fff}
header{border-bottom:1px solid #888;padding-bottom:4mm;margin-bottom:6mm}
.agency{font-weight:bold;font-size:12pt}
h1{font-size:18pt;text-align:center;margin:6mm 0 4mm}
h2{font-size:12pt;margin:6mm 0 2mm}
.outcome{text-align:center;font-weight:bold;font-size:14pt}
.outcome-approved .value{color:#116b2f}
.outcome-rejected .value{color:#a01b1b}
table{width:100%;border-collapse:collapse}
th,td{border:1px solid #999;padding:2mm;text-align:left;vertical-align:top}
th{width:35%;background:#f0f0f0}
p,td,.verify{white-space:pre-wrap;overflow-wrap:anywhere}
.verify{border:1px solid #555;background:#f7f7f7;padding:3mm}
.code{font-weight:bold;font-size:14pt;letter-spacing:.05em}
@media print{body{background:#fff}main{padding:0}}
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _link(url: str) -> str:
    escaped = _e(url)
    if url.startswith(("https://", "http://")):
        return f'<a href="{escaped}">{escaped}</a>'
    return escaped  # never turn a javascript: (or any other scheme) value into a link


def render_html(document: ResultDocument) -> bytes:
    """The result document as a self-contained UTF-8 HTML5 page (inline CSS, no scripts)."""
    content = _content(document)
    labels = content.labels
    rows = [
        (labels.registration_number, _e(document.registration_number)),
        (labels.decided_at, _e(content.decided_on)),
        (labels.tracking_number, _e(document.tracking_number)),
        (labels.service, _e(document.service_name)),
        (labels.agency, _e(document.agency_name)),
        (
            labels.applicant,
            f"{_e(document.applicant_name)}<br>"
            f"{_e(labels.pinfl)}: {_e(document.applicant_pinfl_masked)}",
        ),
        (labels.officer, _e(document.officer)),
    ]
    table = "\n".join(f"<tr><th>{_e(label)}</th><td>{value}</td></tr>" for label, value in rows)
    verify = _e(labels.verify_sentence).format(
        url=_link(document.verification_url), code=_e(document.verification_code)
    )
    title = f"{labels.title} {document.registration_number}"
    page = f"""<!DOCTYPE html>
<html lang="{_e(document.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="generator" content="{_PRODUCER}">
<title>{_e(title)}</title>
<style>
{_CSS}</style>
</head>
<body>
<main>
<header><div class="agency">{_e(document.agency_name)}</div></header>
<h1>{_e(labels.title)}</h1>
<p class="outcome outcome-{_e(document.outcome)}">{_e(labels.outcome)}: \
<span class="value">{_e(content.outcome_text)}</span></p>
<table>
{table}
</table>
<h2>{_e(labels.reasons)}</h2>
<p class="reasons">{_e(document.reasons)}</p>
<h2>{_e(labels.legal_basis)}</h2>
<p class="legal-basis">{_e(document.legal_basis)}</p>
<h2>{_e(labels.verification)}</h2>
<div class="verify">
<div>{_e(labels.code)}: <span class="code">{_e(document.verification_code)}</span></div>
<div>{verify}</div>
</div>
</main>
</body>
</html>
"""
    return page.encode("utf-8")


# ---------------------------------------------------------------------------------------- PDF

_MARGIN: Final = 20.0  # mm
_LABEL_WIDTH: Final = 58.0  # mm, first column of the facts table
_PAD: Final = 1.5  # mm, inner padding of a facts row
_LINE: Final = 5.5  # mm, line height of the facts and paragraphs
_GREY: Final = (90, 90, 90)
_LABEL_FILL: Final = (240, 240, 240)
_BLACK: Final = (0, 0, 0)
# Replaced by the page count when the PDF is closed; unlike fpdf2's default "{nb}", not a
# string that a reason or a name would plausibly contain (it is replaced everywhere).
_PAGES_ALIAS: Final = "{yagona-total-pages}"
_OUTCOME_COLOURS: Final = {"approved": (17, 107, 47), "rejected": (160, 27, 27)}


class _ResultPdf(FPDF):
    """A4 portrait, DejaVu Sans embedded, a footer with the registration number and page."""

    def __init__(self, document: ResultDocument, labels: _Labels) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self._footer_text = f"{document.registration_number} · {labels.page} "
        self.set_margins(_MARGIN, _MARGIN, _MARGIN)
        self.set_auto_page_break(auto=True, margin=_MARGIN)
        self.add_font(_FONT_FAMILY, "", FONTS_DIR / "DejaVuSans.ttf")
        self.add_font(_FONT_FAMILY, "B", FONTS_DIR / "DejaVuSans-Bold.ttf")
        self.alias_nb_pages(_PAGES_ALIAS)

    def footer(self) -> None:
        self.set_y(-_MARGIN + 5)
        self.set_font(_FONT_FAMILY, "", 8)
        self.set_text_color(*_GREY)
        self.cell(0, 5, f"{self._footer_text}{self.page_no()}/{_PAGES_ALIAS}", align=Align.C)
        self.set_text_color(*_BLACK)


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(4)
    pdf.set_font(_FONT_FAMILY, "B", 12)
    pdf.multi_cell(0, 6.5, text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)


def _paragraph(pdf: FPDF, text: str, align: Align = Align.J) -> None:
    pdf.set_font(_FONT_FAMILY, "", 10.5)
    pdf.multi_cell(0, _LINE, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _text_height(pdf: FPDF, width: float, text: str) -> float:
    height = pdf.multi_cell(
        width, _LINE, text, align=Align.L, dry_run=True, output=MethodReturnValue.HEIGHT
    )
    assert isinstance(height, float | int)
    return float(height)


def _fact(pdf: FPDF, label: str, value: str) -> None:
    """One row of the facts table: the label in a shaded left column, the value wrapped to its
    right. Rows never split; a row taller than a whole page is laid out label above value so
    that the value can flow over pages."""
    value_width = pdf.epw - _LABEL_WIDTH
    pdf.set_font(_FONT_FAMILY, "B", 9.5)
    label_height = _text_height(pdf, _LABEL_WIDTH - 2 * _PAD, label)
    pdf.set_font(_FONT_FAMILY, "", 10)
    value_height = _text_height(pdf, value_width - 2 * _PAD, value)
    height = max(label_height, value_height) + 2 * _PAD
    if pdf.get_y() + height > pdf.page_break_trigger:
        if height > pdf.eph:
            _heading(pdf, label)
            _paragraph(pdf, value, Align.L)
            pdf.ln(2)
            return
        pdf.add_page()
    x, y = pdf.l_margin, pdf.get_y()
    pdf.set_fill_color(*_LABEL_FILL)
    pdf.rect(x, y, _LABEL_WIDTH, height, style="DF")
    pdf.rect(x + _LABEL_WIDTH, y, value_width, height, style="D")
    pdf.set_xy(x + _PAD, y + _PAD)
    pdf.set_font(_FONT_FAMILY, "B", 9.5)
    pdf.multi_cell(_LABEL_WIDTH - 2 * _PAD, _LINE, label, align=Align.L)
    pdf.set_xy(x + _LABEL_WIDTH + _PAD, y + _PAD)
    pdf.set_font(_FONT_FAMILY, "", 10)
    pdf.multi_cell(value_width - 2 * _PAD, _LINE, value, align=Align.L)
    pdf.set_xy(x, y + height)


def render_pdf(document: ResultDocument) -> bytes:
    """The result document as an A4 PDF with DejaVu Sans (regular and bold) embedded."""
    content = _content(document)
    labels = content.labels
    pdf = _ResultPdf(document, labels)
    # Everything that would otherwise vary between calls is pinned: the creation date is the
    # decision time; the producer does not carry the fpdf2 version; the /ID is fpdf2's default,
    # an MD5 of the document's own bytes and creation date (not random). No XMP metadata is
    # written (it would carry a "now" modification date).
    pdf.set_creation_date(document.decided_at)
    pdf.set_producer(_PRODUCER)
    pdf.set_creator(_PRODUCER)
    pdf.set_lang(document.language)
    pdf.set_title(f"{labels.title} {document.registration_number}")
    pdf.set_author(document.agency_name)
    pdf.set_subject(labels.title)
    pdf.add_page()

    pdf.set_font(_FONT_FAMILY, "B", 12)
    pdf.multi_cell(0, 6.5, document.agency_name, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_draw_color(*_GREY)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(6)

    pdf.set_font(_FONT_FAMILY, "B", 18)
    pdf.multi_cell(0, 9, labels.title, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font(_FONT_FAMILY, "B", 14)
    pdf.set_text_color(*_OUTCOME_COLOURS[document.outcome])
    pdf.multi_cell(
        0,
        8,
        f"{labels.outcome}: {content.outcome_text}",
        align=Align.C,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_text_color(*_BLACK)
    pdf.ln(4)

    rows = [
        (labels.registration_number, document.registration_number),
        (labels.decided_at, content.decided_on),
        (labels.tracking_number, document.tracking_number),
        (labels.service, document.service_name),
        (labels.agency, document.agency_name),
        (
            labels.applicant,
            f"{document.applicant_name}\n{labels.pinfl}: {document.applicant_pinfl_masked}",
        ),
        (labels.officer, document.officer),
    ]
    pdf.set_draw_color(*_GREY)
    for label, value in rows:
        _fact(pdf, label, value)

    _heading(pdf, labels.reasons)
    _paragraph(pdf, document.reasons)
    _heading(pdf, labels.legal_basis)
    _paragraph(pdf, document.legal_basis)

    _heading(pdf, labels.verification)
    pdf.set_font(_FONT_FAMILY, "B", 11)
    pdf.set_fill_color(247, 247, 247)
    pdf.multi_cell(
        0,
        7,
        f"{labels.code}: {document.verification_code}",
        border="LTR",
        fill=True,
        align=Align.L,
        padding=(2, 3, 0, 3),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_font(_FONT_FAMILY, "", 9.5)
    is_web_url = document.verification_url.startswith(("https://", "http://"))
    pdf.multi_cell(
        0,
        _LINE,
        content.verify_sentence,
        link=document.verification_url if is_web_url else None,
        border="LBR",
        fill=True,
        align=Align.L,
        padding=(1, 3, 2, 3),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    return bytes(pdf.output())
