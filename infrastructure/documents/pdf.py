"""The result document as an A4 PDF with DejaVu Sans embedded and a vector QR code."""

from __future__ import annotations

from typing import Final

from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, XPos, YPos

from infrastructure.documents.content import FONTS_DIR, Content, ResultDocument, content
from infrastructure.documents.links import QUIET_ZONE, dark_runs, qr_code, url_lines

_FONT_FAMILY: Final = "DejaVuSans"
_PRODUCER: Final = "Yagona"
_MARGIN: Final = 20.0  # mm
_LABEL_WIDTH: Final = 58.0  # mm, first column of the facts table
_PAD: Final = 1.5  # mm, inner padding of a facts row
_LINE: Final = 5.5  # mm, line height of the facts and paragraphs
_GREY: Final = (90, 90, 90)
_LABEL_FILL: Final = (240, 240, 240)
_BOX_FILL: Final = (247, 247, 247)
_BLACK: Final = (0, 0, 0)
_WHITE: Final = (255, 255, 255)
_QR_SIZE: Final = 34.0  # mm, the symbol with its quiet zone
_BOX_PAD: Final = 3.0  # mm, inner padding of the verification box
_URL_SIZES: Final = (9.5, 8.5, 7.5)  # pt: the URL takes the first size it fits on one line at
# Replaced by the page count when the PDF is closed; unlike fpdf2's default "{nb}", not a
# string that a reason or a name would plausibly contain (it is replaced everywhere).
_PAGES_ALIAS: Final = "{yagona-total-pages}"
_OUTCOME_COLOURS: Final = {"approved": (17, 107, 47), "rejected": (160, 27, 27)}


class _ResultPdf(FPDF):
    """A4 portrait, DejaVu Sans embedded, a footer with the registration number and page."""

    def __init__(self, document: ResultDocument, c: Content) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self._footer_text = f"{document.registration_number} · {c.labels.page} "
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


_HEADING_HEIGHT: Final = 4 + 6.5 + 1  # mm, of a one-line heading


def _heading(pdf: FPDF, text: str, keep: float = 2 * _LINE + 2 * _PAD) -> None:
    """A heading, on the next page when ``keep`` mm of what follows would not fit under it."""
    if pdf.get_y() + _HEADING_HEIGHT + keep > pdf.page_break_trigger:
        pdf.add_page()
    pdf.ln(4)
    pdf.set_font(_FONT_FAMILY, "B", 12)
    pdf.multi_cell(0, 6.5, text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)


def _paragraph(pdf: FPDF, text: str, align: Align = Align.J) -> None:
    pdf.set_font(_FONT_FAMILY, "", 10.5)
    pdf.multi_cell(0, _LINE, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _text_height(pdf: FPDF, width: float, text: str, line: float = _LINE) -> float:
    height = pdf.multi_cell(
        width, line, text, align=Align.L, dry_run=True, output=MethodReturnValue.HEIGHT
    )
    assert isinstance(height, float | int)
    return float(height)


def _fact(pdf: FPDF, label: str, value: str) -> None:
    """One row of a facts table: the label in a shaded left column, the value wrapped to its
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


def _facts(pdf: FPDF, rows: list[tuple[str, str]]) -> None:
    pdf.set_draw_color(*_GREY)
    for label, value in rows:
        _fact(pdf, label, value)


def _qr(pdf: FPDF, url: str, x: float, y: float) -> None:
    """The QR code of ``url`` drawn as filled rectangles, ``_QR_SIZE`` wide with its quiet
    zone. Each rectangle reaches a little into the row below so that no seam shows."""
    code = qr_code(url)
    modules = len(code.matrix)
    module = _QR_SIZE / (modules + 2 * QUIET_ZONE)
    pdf.set_fill_color(*_WHITE)
    pdf.rect(x, y, _QR_SIZE, _QR_SIZE, style="F")
    pdf.set_fill_color(*_BLACK)
    origin_x, origin_y = x + QUIET_ZONE * module, y + QUIET_ZONE * module
    for row, column, length in dark_runs(code):
        overlap = module * 0.1 if row < modules - 1 else 0.0
        pdf.rect(
            origin_x + column * module,
            origin_y + row * module,
            length * module,
            module + overlap,
            style="F",
        )


def _url_layout(pdf: FPDF, url: str, width: float) -> tuple[float, list[str]]:
    """The font size and lines of ``url``: whole on one line at the largest size it fits,
    else wrapped only after ``/``, ``?`` or ``&`` at the smallest."""
    for size in _URL_SIZES:
        pdf.set_font(_FONT_FAMILY, "", size)
        if pdf.get_string_width(url) <= width:
            return size, [url]
    return _URL_SIZES[-1], url_lines(url, pdf.get_string_width, width)


def _verification(pdf: FPDF, document: ResultDocument, c: Content) -> None:
    """A box: the QR code, the code on its own line, a sentence; under them the URL on its
    own line(s). The box never splits over pages."""
    labels = c.labels
    inner = pdf.epw - 2 * _BOX_PAD
    text_x = pdf.l_margin + _BOX_PAD + _QR_SIZE + 5
    text_width = pdf.l_margin + pdf.epw - _BOX_PAD - text_x
    pdf.set_font(_FONT_FAMILY, "", 9.5)
    sentence_height = _text_height(pdf, text_width, labels.verify_sentence, 5)
    text_height = 5 + 8 + 2 + sentence_height
    url_size, lines = _url_layout(pdf, document.verification_url, inner)
    url_line = url_size * 0.55
    height = _BOX_PAD + max(_QR_SIZE, text_height) + 3 + 5 + len(lines) * url_line + _BOX_PAD
    if pdf.get_y() + _HEADING_HEIGHT + height > pdf.page_break_trigger:
        pdf.add_page()  # the heading goes with its box
    _heading(pdf, labels.verification, keep=0)
    x, y = pdf.l_margin, pdf.get_y()
    pdf.set_draw_color(*_GREY)
    pdf.set_fill_color(*_BOX_FILL)
    pdf.rect(x, y, pdf.epw, height, style="DF")
    _qr(pdf, document.verification_url, x + _BOX_PAD, y + _BOX_PAD)

    pdf.set_xy(text_x, y + _BOX_PAD)
    pdf.set_font(_FONT_FAMILY, "", 9.5)
    pdf.cell(text_width, 5, f"{labels.code}:", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(_FONT_FAMILY, "B", 14)
    pdf.cell(text_width, 8, document.verification_code, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_x(text_x)
    pdf.set_font(_FONT_FAMILY, "", 9.5)
    pdf.multi_cell(text_width, 5, labels.verify_sentence, align=Align.L)

    pdf.set_xy(x + _BOX_PAD, y + _BOX_PAD + max(_QR_SIZE, text_height) + 3)
    pdf.set_font(_FONT_FAMILY, "", 9)
    pdf.set_text_color(*_GREY)
    pdf.cell(inner, 5, f"{labels.address}:", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_text_color(*_BLACK)
    pdf.set_font(_FONT_FAMILY, "", url_size)
    is_web_url = document.verification_url.startswith(("https://", "http://"))
    for line in lines:
        pdf.cell(
            inner,
            url_line,
            line,
            link=document.verification_url if is_web_url else "",
            new_x=XPos.LEFT,
            new_y=YPos.NEXT,
        )
    pdf.set_xy(x, y + height)


def render_pdf(document: ResultDocument) -> bytes:
    """The result document as an A4 PDF with DejaVu Sans (regular and bold) embedded."""
    c = content(document)
    labels = c.labels
    pdf = _ResultPdf(document, c)
    # Everything that would otherwise vary between calls is pinned: the creation date is the
    # decision time; the producer does not carry the fpdf2 version; the /ID is fpdf2's default,
    # an MD5 of the document's own bytes and creation date (not random). No XMP metadata is
    # written (it would carry a "now" modification date).
    pdf.set_creation_date(document.decided_at)
    pdf.set_producer(_PRODUCER)
    pdf.set_creator(_PRODUCER)
    pdf.set_lang(document.language)
    pdf.set_title(f"{c.title} {document.registration_number}")
    pdf.set_author(document.agency_name)
    pdf.set_subject(c.subtitle)
    pdf.add_page()

    parent, agency = c.header
    if parent:
        pdf.set_font(_FONT_FAMILY, "", 9.5)
        pdf.set_text_color(*_GREY)
        pdf.multi_cell(0, 5, parent, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(*_BLACK)
    pdf.set_font(_FONT_FAMILY, "B", 12)
    pdf.multi_cell(0, 6.5, agency, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_draw_color(*_GREY)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(6)

    pdf.set_font(_FONT_FAMILY, "B", 18)
    pdf.multi_cell(0, 9, c.title, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FONT_FAMILY, "", 12)
    pdf.multi_cell(0, 6.5, c.subtitle, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font(_FONT_FAMILY, "B", 14)
    pdf.set_text_color(*_OUTCOME_COLOURS[document.outcome])
    pdf.multi_cell(
        0,
        8,
        f"{labels.outcome}: {c.outcome_text}",
        align=Align.C,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_text_color(*_BLACK)
    pdf.ln(4)
    if c.lead:
        _paragraph(pdf, c.lead)
        pdf.ln(3)

    _facts(pdf, c.rows)
    if c.granted_heading:
        _heading(pdf, c.granted_heading)
        _facts(pdf, c.granted)

    _heading(pdf, labels.reasons)
    _paragraph(pdf, document.reasons)
    _heading(pdf, labels.legal_basis)
    _paragraph(pdf, document.legal_basis)
    _verification(pdf, document, c)
    return bytes(pdf.output())
