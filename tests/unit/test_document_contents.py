"""What a result document says, read back from its PDF text, its rendered pages and its
HTML: what was granted, who decided it in which agency, and a QR code and URL that verify it."""

from __future__ import annotations

import io
import re
from datetime import date

import pypdfium2
import pytest
import segno
import zxingcpp
from PIL import Image, ImageDraw
from pypdf import PdfReader

from application.result_facts import GrantedFact, ValidityPeriod
from infrastructure.documents import render_html, render_pdf
from infrastructure.documents.links import url_lines, url_pieces
from tests.unit.test_documents import FACTS, URL, make_document, pdf_text

PERMIT_TERMS = (
    GrantedFact("Structure type", "billboard"),
    GrantedFact("Placement period (months)", "12"),
)


def pdf_lines(pdf: bytes) -> list[str]:
    return [line.strip() for line in pdf_text(pdf).splitlines()]


def html(document: object) -> str:
    return render_html(document).decode("utf-8")  # type: ignore[arg-type]


def qr_texts_on_pages(pdf: bytes) -> list[str]:
    """Every QR code a reader finds on the rendered pages (at 144 dpi)."""
    document = pypdfium2.PdfDocument(pdf)
    texts = []
    for page in document:
        image = page.render(scale=2).to_pil()
        texts += [r.text for r in zxingcpp.read_barcodes(image) if r.format.name == "QRCode"]
    return texts


def qr_text_in_html(page: str) -> list[str]:
    """Draw the inline SVG's modules (segno's path: M/m moves, h runs) and read it back."""
    svg = re.search(r'<svg viewBox="0 0 (\d+) (\d+)" class="qr">.*?</svg>', page, re.S)
    assert svg is not None, "no inline QR code"
    size = int(svg.group(1))
    path = re.search(r'<path[^>]*stroke="#000"[^>]*d="([^"]+)"', svg.group(0))
    assert path is not None
    scale = 8
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    x = y = 0.0
    for command, a, b in re.findall(r"([MmHh])(-?[\d.]+)(?: (-?[\d.]+))?", path.group(1)):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:  # h: a run of dark modules along the row whose middle is at y
            length = float(a)
            top = (y - 0.5) * scale
            draw.rectangle([x * scale, top, (x + length) * scale - 1, top + scale - 1], fill=0)
            x += length
    return [r.text for r in zxingcpp.read_barcodes(image)]


# --- what was granted -------------------------------------------------------------------


def test_a_certificate_lists_the_certified_facts() -> None:
    document = make_document("en")
    text = pdf_text(render_pdf(document))
    page = html(document)
    for fact in FACTS:
        for line in fact.value.splitlines():
            assert line in text
            assert line in page
        assert fact.label in text
    assert "Certified facts" in text
    assert "Certified facts" in page
    assert "Notarial certification of a power of attorney" in text  # the service, as subtitle


def test_a_refusal_says_so_and_lists_no_granted_facts() -> None:
    document = make_document("ru", "rejected")
    text = pdf_text(render_pdf(document))
    assert "Решение об отказе" in text
    assert "Заявление № AR-2026-0000123" in text.replace("\n", " ")
    assert "отклонено" in text
    assert "Karimov" not in text
    assert "Удостоверяемые сведения" not in text
    assert "Karimov" not in html(document)
    assert document.reasons in text
    assert document.legal_basis in text


def test_a_permit_states_its_terms_and_validity() -> None:
    document = make_document(
        "en",
        result_kind="permit",
        granted=PERMIT_TERMS,
        validity=ValidityPeriod(date(2026, 3, 2), date(2027, 3, 2)),
    )
    lines = pdf_lines(render_pdf(document))
    assert lines[lines.index("Permit") + 1] == "Notarial certification of a power of attorney"
    assert "Terms" in lines
    assert "Placement period (months) 12" in lines
    assert "Valid from 2026-03-02" in lines
    assert "Valid until 2027-03-02" in lines
    page = html(document)
    assert "<th>Valid until</th><td>2027-03-02</td>" in page


def test_a_licence_without_a_time_limit_says_so() -> None:
    document = make_document(
        "ru",
        result_kind="licence",
        granted=(),
        validity=ValidityPeriod(date(2026, 3, 2), None),
    )
    lines = pdf_lines(render_pdf(document))
    assert "Лицензия" in lines
    assert "Условия" in lines
    assert "Действует с 2026-03-02" in lines
    assert "Действует по Бессрочно" in lines


# --- who decided, in which agency ---------------------------------------------------------


def test_the_officer_is_named_with_their_position_not_their_account() -> None:
    document = make_document("en")
    for text in (pdf_text(render_pdf(document)), html(document)):
        assert "Dilnoza Rahimova" in text
        assert "Chief specialist of the civil registry office" in text
        assert "officer-0042" not in text


def test_an_officer_without_a_name_is_shown_by_account_with_a_clear_label() -> None:
    document = make_document("ru", officer_name=None, officer_position=None)
    text = pdf_text(render_pdf(document))
    assert "ФИО не указано (учётная запись officer-0042)" in text
    assert "ФИО не указано (учётная запись officer-0042)" in html(document)


def test_the_agency_its_parent_and_its_territory_are_stated() -> None:
    document = make_document("en")
    lines = pdf_lines(render_pdf(document))
    assert lines[:2] == [
        "Ministry of Justice of the Republic of Uzbekistan",
        "Justice Department of Andijan Region",
    ]
    assert "Territory Oltinkoʻl district" in lines
    page = html(document)
    assert '<div class="parent">Ministry of Justice of the Republic of Uzbekistan</div>' in page
    assert "<th>Territory</th><td>Oltinkoʻl district</td>" in page


# --- the QR code, the code and the URL -----------------------------------------------------


@pytest.mark.parametrize("language", ["en", "uz-Cyrl"])
def test_the_pdf_carries_a_qr_code_of_the_verification_url(language: str) -> None:
    assert qr_texts_on_pages(render_pdf(make_document(language))) == [URL]


def test_the_html_carries_an_inline_qr_code_of_the_url_and_fetches_nothing() -> None:
    page = html(make_document("uz-Latn"))
    assert qr_text_in_html(page) == [URL]
    assert "default-src 'none'; style-src 'unsafe-inline'" in page  # the CSP is kept
    assert "src=" not in page
    assert "url(" not in page
    assert "<script" not in page
    assert "<img" not in page


def test_the_html_qr_code_is_segnos_encoding_of_the_url() -> None:
    page = html(make_document())
    expected = segno.make_qr(URL, error="m")
    assert f'viewBox="0 0 {expected.symbol_size()[0]} ' in page


def test_the_code_and_the_url_each_stand_on_their_own_line() -> None:
    lines = pdf_lines(render_pdf(make_document("en")))
    assert "7KQ2-M9XD-PT4H" in lines
    assert URL in lines


def test_a_url_too_long_for_a_line_wraps_only_after_a_slash_question_mark_or_ampersand() -> None:
    base = "https://verification.my.gov.uz/portal/yagona/public/documents/of/agencies/v1/verify"
    url = f"{base}/JUSTICE-1703202-2026-000017?code=7KQ2-M9XD-PT4H&lang=uz-Cyrl"
    pdf = render_pdf(make_document("en", verification_url=url))
    lines = pdf_lines(pdf)
    start = lines.index("Verification address:") + 1
    wrapped = []
    for line in lines[start:]:
        wrapped.append(line)
        if "".join(wrapped) == url:
            break
    assert "".join(wrapped) == url
    assert len(wrapped) > 1
    assert all(line.endswith(("/", "?", "&")) for line in wrapped[:-1])
    assert any("code=7KQ2-M9XD-PT4H" in line for line in wrapped)
    assert qr_texts_on_pages(pdf) == [url]
    page = html(make_document("en", verification_url=url))
    assert "<span>code=7KQ2-M9XD-PT4H&amp;</span><wbr><span>lang=uz-Cyrl</span>" in page


def test_url_lines_never_cut_the_query() -> None:
    def width(text: str) -> float:
        return float(len(text))

    url = "https://a.example/" + "b" * 30 + "/verify/N-1?code=ABCD-EF12-3456"
    lines = url_lines(url, width, 20)
    assert "".join(lines) == url
    assert "code=ABCD-EF12-3456" in lines
    assert all(len(line) <= 20 for line in lines)
    assert url_lines(url, width, 200) == [url]
    assert url_pieces("https://a.example/v?x=1&y=2") == [
        "https://",
        "a.example/",
        "v?",
        "x=1&",
        "y=2",
    ]


def test_the_html_keeps_the_code_unbroken() -> None:
    page = html(make_document())
    assert '<div class="code">7KQ2-M9XD-PT4H</div>' in page
    assert ".code{" in page
    assert "white-space:nowrap" in page


def test_a_qr_code_changes_nothing_in_determinism() -> None:
    document = make_document("ru", result_kind="permit", granted=PERMIT_TERMS)
    assert render_pdf(document) == render_pdf(document)
    assert render_html(document) == render_html(document)
    reader = PdfReader(io.BytesIO(render_pdf(document)))
    assert len(reader.pages) == 1
