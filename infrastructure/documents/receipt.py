"""Payment receipts as PDF (the JSON receipt is the same facts, served by the API)."""

from __future__ import annotations

from datetime import datetime

from fpdf import FPDF

from domain.local_time import UZBEKISTAN
from infrastructure.documents import FONTS_DIR


def render_receipt_pdf(facts: list[tuple[str, str]], *, title: str, issued_at: datetime) -> bytes:
    """A one-page A4 receipt listing ``facts`` (label, value), dated ``issued_at``."""
    pdf = FPDF(format="A4")
    pdf.set_creation_date(issued_at)
    pdf.set_producer("Yagona")
    pdf.set_creator("Yagona")
    pdf.add_font("DejaVuSans", "", FONTS_DIR / "DejaVuSans.ttf")
    pdf.add_font("DejaVuSans", "B", FONTS_DIR / "DejaVuSans-Bold.ttf")
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    pdf.set_font("DejaVuSans", "B", 16)
    pdf.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for label, value in facts:
        pdf.set_font("DejaVuSans", "B", 10)
        pdf.multi_cell(0, 6, label, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVuSans", "", 10)
        pdf.multi_cell(0, 6, value or "—", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)
    pdf.ln(4)
    pdf.set_font("DejaVuSans", "", 8)
    stamp = issued_at.astimezone(UZBEKISTAN).strftime("%Y-%m-%d %H:%M")
    pdf.multi_cell(0, 5, f"Yagona · {stamp} (UTC+5)", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


class PdfReceiptRenderer:
    """The receipt renderer port (``application.queries.payments.ReceiptRenderer``)."""

    def render(self, facts: list[tuple[str, str]], *, title: str, issued_at: datetime) -> bytes:
        return render_receipt_pdf(facts, title=title, issued_at=issued_at)
