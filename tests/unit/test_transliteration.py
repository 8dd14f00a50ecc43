"""Cyrillic to Uzbek Latin: the letters Uzbek adds to Cyrillic, е and ц by position, case,
and every Uzbek Cyrillic name and description of the reference data written exactly as its
Latin counterpart."""

from __future__ import annotations

import unicodedata

import pytest

from domain.transliteration import to_latin
from infrastructure.reference_data import load_reference_data

APOSTROPHES = dict.fromkeys(map(ord, "'`ʻʼ‘’"), None)


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("шаҳар", "shahar"),
        ("чорва", "chorva"),
        ("ғалла", "gʻalla"),
        ("ўқиш", "oʻqish"),
        ("қишлоқ", "qishloq"),
        ("хат", "xat"),
        ("маъно", "maʼno"),
        ("лицензия", "litsenziya"),  # ц after a vowel
        ("цирк", "sirk"),  # ц at a word's start
        ("концерт", "konsert"),  # ц after a consonant
        ("ер", "yer"),  # е at a word's start
        ("поезд", "poyezd"),  # е after a vowel
        ("объект", "obʼyekt"),  # е after ъ
        ("бериш", "berish"),
        ("ёш юрт ярим", "yosh yurt yarim"),
        ("рыба щётка", "riba shyotka"),  # Russian letters Uzbek lacks
        ("Ўзбекистон", "Oʻzbekiston"),
        ("ШАҲАР", "SHAHAR"),
        ("Шаҳар", "Shahar"),
        ("Чирчиқ ш.", "Chirchiq sh."),
        ("Toshkent, 12-uy", "Toshkent, 12-uy"),  # Latin, digits and signs pass through
    ],
)
def test_letters(cyrillic: str, latin: str) -> None:
    assert to_latin(cyrillic) == latin


def folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().translate(APOSTROPHES)


def uzbek_pairs(node: object) -> list[tuple[str, str]]:
    """Every (uz-Cyrl, uz-Latn) pair of translations anywhere in ``node``."""
    if isinstance(node, list):
        return [pair for item in node for pair in uzbek_pairs(item)]
    if not isinstance(node, dict):
        return []
    own = [(node["uz-Cyrl"], node["uz-Latn"])] if isinstance(node.get("uz-Cyrl"), str) else []
    return own + [pair for value in node.values() for pair in uzbek_pairs(value)]


def test_the_reference_datas_uzbek_cyrillic_is_its_uzbek_latin() -> None:
    data = load_reference_data()
    pairs = [(t.names["uz-Cyrl"], t.names["uz-Latn"]) for t in data.territories]
    for service in data.services:  # names, descriptions, documents, legal basis, form titles
        pairs += uzbek_pairs(service.terms)
    assert len(pairs) > 1200
    differ = [(c, latin) for c, latin in pairs if folded(to_latin(c)) != folded(latin)]
    assert differ == []
