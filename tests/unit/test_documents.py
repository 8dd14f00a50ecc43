"""The result document of a decision: HTML and PDF, in four languages, byte-for-byte stable."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from pypdf import PdfReader

from application.result_facts import GrantedFact
from infrastructure.documents import ResultDocument, render_html, render_pdf

REPO_ROOT = Path(__file__).resolve().parents[2]

APPLICANTS = {
    "en": "John Smith",
    "ru": "Иванов Иван Иванович",
    "uz-Latn": "Oʻgʻiloy Gʻaniyeva",
    "uz-Cyrl": "Ўғилой Ғаниева",
}
TITLES = {  # a certificate's, when approved; a refusal's
    ("en", "approved"): "Certificate",
    ("en", "rejected"): "Decision to refuse",
    ("ru", "approved"): "Справка",
    ("ru", "rejected"): "Решение об отказе",
    ("uz-Latn", "approved"): "Maʼlumotnoma",
    ("uz-Latn", "rejected"): "Rad etish toʻgʻrisidagi qaror",
    ("uz-Cyrl", "approved"): "Маълумотнома",
    ("uz-Cyrl", "rejected"): "Рад этиш тўғрисидаги қарор",
}
URL = "https://portal.example/v1/verify/JUSTICE-1703202-2026-000017?code=7KQ2-M9XD-PT4H"
FACTS = (
    GrantedFact("Child's surname", "Karimov"),
    GrantedFact("Date of birth", "2026-11-10"),
    GrantedFact("Mother's PINFL", "4220******4561"),
    GrantedFact("Registered address", "District: 1718401\nStreet: Registon koʻchasi, 12-uy"),
)
OUTCOME_LABELS = {
    ("en", "approved"): "Approved",
    ("en", "rejected"): "Rejected",
    ("ru", "approved"): "Одобрено",
    ("ru", "rejected"): "Отказано",
    ("uz-Latn", "approved"): "Tasdiqlandi",
    ("uz-Latn", "rejected"): "Rad etildi",
    ("uz-Cyrl", "approved"): "Тасдиқланди",
    ("uz-Cyrl", "rejected"): "Рад этилди",
}


def make_document(
    language: str = "en", outcome: str = "approved", **changes: object
) -> ResultDocument:
    document = ResultDocument(
        language=language,
        outcome=outcome,
        registration_number="JUSTICE-1703202-2026-000017",
        verification_code="7KQ2-M9XD-PT4H",
        verification_url=URL,
        # 20:30 UTC is already the next day in Tashkent (UTC+5)
        decided_at=datetime(2026, 3, 1, 20, 30, tzinfo=UTC),
        tracking_number="AR-2026-0000123",
        service_name="Notarial certification of a power of attorney",
        agency_name="Justice Department of Andijan Region",
        officer="officer-0042",
        applicant_name=APPLICANTS.get(language, "John Smith"),
        applicant_pinfl_masked="3150******4567",
        reasons="All required documents were submitted and the fee was paid.",
        legal_basis="Law of the Republic of Uzbekistan “On Notariat”, article 42",
        result_kind="certificate",
        granted=FACTS,
        officer_name="Dilnoza Rahimova",
        officer_position="Chief specialist of the civil registry office",
        agency_parent_name="Ministry of Justice of the Republic of Uzbekistan",
        agency_territory_name="Oltinkoʻl district",
    )
    return replace(document, **changes)  # type: ignore[arg-type]


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


LANGUAGE_OUTCOMES = sorted(OUTCOME_LABELS)


@pytest.mark.parametrize(("language", "outcome"), LANGUAGE_OUTCOMES)
def test_html_states_the_decision_in_its_language(language: str, outcome: str) -> None:
    page = render_html(make_document(language, outcome)).decode("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert f'<html lang="{language}">' in page
    assert TITLES[language, outcome] in page
    assert OUTCOME_LABELS[language, outcome] in page
    assert "JUSTICE-1703202-2026-000017" in page
    assert "7KQ2-M9XD-PT4H" in page
    assert APPLICANTS[language] in page
    assert "3150******4567" in page
    assert "AR-2026-0000123" in page
    assert "Dilnoza Rahimova" in page
    assert "2026-03-02" in page  # the date of decision in Tashkent time
    assert "<script" not in page
    assert "<link" not in page  # self-contained: inline CSS only
    assert "<style>" in page


@pytest.mark.parametrize(("language", "outcome"), LANGUAGE_OUTCOMES)
def test_pdf_states_the_decision_in_its_language(language: str, outcome: str) -> None:
    pdf = render_pdf(make_document(language, outcome))
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert TITLES[language, outcome] in text
    assert OUTCOME_LABELS[language, outcome] in text
    assert "JUSTICE-1703202-2026-000017" in text
    assert "7KQ2-M9XD-PT4H" in text
    assert APPLICANTS[language] in text
    assert "3150******4567" in text
    assert "2026-03-02" in text


def test_english_labels_and_verification_sentence() -> None:
    document = make_document("en")
    page = render_html(document).decode("utf-8")
    text = pdf_text(render_pdf(document))
    for label in ("Registration number", "Date of decision", "Service", "Agency", "Applicant"):
        assert label in page
        assert label in text
    assert "Reasons" in page
    assert "Legal basis" in page
    assert "Officer" in page
    assert "scan the QR code or open the address below" in page
    assert f'href="{document.verification_url}"' in page.replace("&amp;", "&")


def test_pdf_is_a4_with_the_dejavu_fonts_embedded() -> None:
    pdf = render_pdf(make_document("uz-Cyrl"))
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert round(float(page.mediabox.width)) == 595  # 210 mm
    assert round(float(page.mediabox.height)) == 842  # 297 mm
    assert b"DejaVuSans" in pdf
    assert b"/FontFile2" in pdf  # the TrueType program itself, not just a reference


def test_html_escapes_every_value() -> None:
    document = make_document(
        reasons='<script>alert("x")</script> & more',
        applicant_name="<b>Mallory</b>",
        legal_basis="a < b",
    )
    page = render_html(document).decode("utf-8")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in page
    assert "<b>Mallory</b>" not in page
    assert "&lt;b&gt;Mallory&lt;/b&gt;" in page
    assert "a &lt; b" in page


def test_a_non_http_verification_url_is_never_a_link() -> None:
    page = render_html(make_document(verification_url="javascript:alert(1)")).decode("utf-8")
    assert "href" not in page
    assert "javascript:alert(1)" in page  # shown as text


def test_long_reasons_wrap_onto_further_lines_and_pages() -> None:
    words = " ".join(f"word{i}" for i in range(1500))
    unbroken = "x" * 400  # no space to break at: still has to fit the page width
    long_name = "Muhammadyusuf " * 300  # a facts row taller than a page flows over pages
    pdf = render_pdf(make_document(reasons=f"{words} {unbroken} THE-END", service_name=long_name))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    text = pdf_text(pdf)
    assert "word0" in text
    assert "word1499" in text
    assert "THE-END" in text
    lines = [line for line in text.splitlines() if "word" in line or "xxx" in line]
    assert len(lines) > 20
    assert max(len(line.replace("  ", " ")) for line in lines) < 150


def test_rendering_is_deterministic() -> None:
    document = make_document("uz-Latn")
    assert render_html(document) == render_html(document)
    first = render_pdf(document)
    assert first == render_pdf(document)
    assert first == render_pdf(replace(document))  # an equal document, another object
    changed = replace(document, reasons=document.reasons + " ")
    assert hashlib.sha256(render_pdf(changed)).digest() != hashlib.sha256(first).digest()
    assert (
        hashlib.sha256(render_html(changed)).digest()
        != hashlib.sha256(render_html(document)).digest()
    )


def test_the_pdf_is_dated_at_the_decision() -> None:
    pdf = render_pdf(make_document())
    metadata = PdfReader(io.BytesIO(pdf)).metadata
    assert metadata is not None
    assert metadata.creation_date == datetime(2026, 3, 1, 20, 30, tzinfo=UTC)
    assert b"/ModDate" not in pdf


def test_rendering_is_identical_in_a_fresh_process() -> None:
    script = (
        "import hashlib, sys\n"
        "from tests.unit.test_documents import make_document\n"
        "from infrastructure.documents import render_html, render_pdf\n"
        "for language in ('en', 'ru', 'uz-Latn', 'uz-Cyrl'):\n"
        "    document = make_document(language)\n"
        "    print(hashlib.sha256(render_pdf(document)).hexdigest(),"
        " hashlib.sha256(render_html(document)).hexdigest())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    expected = [
        f"{hashlib.sha256(render_pdf(make_document(language))).hexdigest()} "
        f"{hashlib.sha256(render_html(make_document(language))).hexdigest()}"
        for language in ("en", "ru", "uz-Latn", "uz-Cyrl")
    ]
    assert result.stdout.splitlines() == expected


def test_the_date_of_decision_is_the_tashkent_calendar_day() -> None:
    late_evening = datetime(2026, 3, 1, 23, 59, tzinfo=timezone(timedelta(hours=5)))
    page = render_html(make_document(decided_at=late_evening)).decode("utf-8")
    assert "2026-03-01" in page
    early_utc = datetime(2026, 3, 1, 18, 59, tzinfo=UTC)  # 23:59 in Tashkent
    assert "2026-03-01" in render_html(make_document(decided_at=early_utc)).decode("utf-8")


@pytest.mark.parametrize("render", [render_html, render_pdf])
def test_unknown_language_raises(render: Callable[[ResultDocument], bytes]) -> None:
    with pytest.raises(ValueError, match="language"):
        render(make_document(language="fr"))


@pytest.mark.parametrize("render", [render_html, render_pdf])
def test_unknown_outcome_and_naive_dates_raise(
    render: Callable[[ResultDocument], bytes],
) -> None:
    with pytest.raises(ValueError, match="outcome"):
        render(make_document(outcome="pending"))
    with pytest.raises(ValueError, match="timezone"):
        render(make_document(decided_at=datetime(2026, 3, 1, 12, 0)))
