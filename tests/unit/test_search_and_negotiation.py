"""Search normalisation across scripts, and language negotiation."""

from __future__ import annotations

import pytest

from api.negotiation import language_from_header
from projections.catalogue.search import (
    index_text,
    like_pattern,
    normalise,
    search_tokens,
    similarity,
    trigrams,
)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("oʻzbekiston", "Oʻzbekiston"),
        ("o'zbekiston", "Oʻzbekiston"),
        ("o‘zbekiston", "Oʻzbekiston"),
        ("ozbekiston", "Oʻzbekiston"),
        ("ТУҒИЛИШ", "Туғилишни қайд этиш"),
        ("ребёнка", "Рождение ребенка"),
        ("ребенка", "Рождение ребёнка"),
        ("registration", "Birth-Registration"),
    ],
)
def test_typed_words_match_stored_text(typed: str, stored: str) -> None:
    assert all(token in normalise(stored) for token in search_tokens(typed))


def test_like_wildcards_are_escaped() -> None:
    assert like_pattern("100%_x") == "%100\\%\\_x%"


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "uz-Latn"),
        ("", "uz-Latn"),
        ("ru", "ru"),
        ("ru-RU,ru;q=0.9,en;q=0.8", "ru"),
        ("en-US,en;q=0.9", "en"),
        ("uz-Cyrl-UZ", "uz-Cyrl"),
        ("uz", "uz-Latn"),
        ("de-DE,en;q=0.5,ru;q=0.7", "ru"),
        ("fr", "uz-Latn"),
        ("ru;q=0", "uz-Latn"),
        ("en;q=bad,ru", "ru"),
    ],
)
def test_accept_language(header: str | None, language: str) -> None:
    assert language_from_header(header) == language


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("лицензия", "Farmatsevtika faoliyati uchun litsenziya"),
        ("litsenziya", "Лицензия на медицинскую деятельность"),
        ("Qashqadaryo", "Қашқадарё вилояти"),  # ё is yo in Uzbek
        ("Қашқадарё", "Қашқадарё вилояти"),
        ("oʻzbekiston", "Ўзбекистон"),
    ],
)
def test_cyrillic_and_latin_spellings_meet(typed: str, stored: str) -> None:
    indexed = index_text(stored).split()
    assert all(token in indexed for token in search_tokens(typed)), (typed, indexed)


def test_trigrams_and_similarity_are_pg_trgms() -> None:
    assert trigrams("cat") == ["  c", " ca", "at ", "cat"]
    assert similarity("license", "licence") == pytest.approx(5 / 11)
    assert similarity("lisenziya", "litsenziya") == pytest.approx(8 / 13)
    assert similarity("word", "word") == 1.0


def test_a_query_is_its_distinct_words_in_order() -> None:
    assert search_tokens("Licence, LICENCE and licence!") == ["licence", "and"]
