"""Text normalisation and spelling tolerance for catalogue search across uz-Latn, uz-Cyrl,
ru and en.

Case, Unicode forms and the many apostrophes of Uzbek Latin (oʻ, o', o‘, o`) are folded
away, Cyrillic is written in Uzbek Latin (so ``лицензия`` meets ``litsenziya``), and Russian
ё matches е, so a citizen finds a service however they type it.

A word the catalogue does not hold is matched through the catalogue's words spelled like
it: words are compared by their trigrams the way PostgreSQL's ``pg_trgm`` does (each word
padded with two spaces before and one after; similarity is shared over all trigrams), here
computed in plain SQL over a table of the catalogue's words, so it works on any PostgreSQL
server, the embedded one (which ships without ``pg_trgm``) included.
"""

from __future__ import annotations

import re
import unicodedata

from domain.transliteration import to_latin

_APOSTROPHES = dict.fromkeys(map(ord, "'`ʻʼ‘’′ʹ´"), None)
_NON_WORD = re.compile(r"[^\w]+")
# Of pg_trgm's similarity: its default threshold (pg_trgm.similarity_threshold).
SIMILARITY_THRESHOLD = 0.3
# The catalogue's words a misspelt word stands for, at most (the most similar first).
MAX_SIMILAR_WORDS = 20
# Words of a query, at most.
MAX_QUERY_WORDS = 10


def _words(text: str, *, fold_yo: bool) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).casefold()
    if fold_yo:
        folded = folded.replace("ё", "е")
    latin = to_latin(folded).translate(_APOSTROPHES)
    return [word for word in _NON_WORD.split(latin) if word]


def normalise(text: str) -> str:
    """The searchable form of ``text``: folded, in Latin, words separated by one space."""
    return " ".join(_words(text, fold_yo=True))


def index_text(text: str) -> str:
    """What a service's text is found by: its normalised words, plus the words written
    with ё in Cyrillic spelled with yo as well (Uzbek ``ёки`` is ``yoki`` in Latin, while
    Russian ``ребёнка`` is often typed ``ребенка``)."""
    folded = _words(text, fold_yo=True)
    with_yo = _words(text, fold_yo=False)
    seen = set(folded)
    extra = []
    for word in with_yo:
        if word not in seen:
            seen.add(word)
            extra.append(word)
    return " ".join(folded + extra)


def search_tokens(query: str) -> list[str]:
    """The distinct words of a query, in the order typed."""
    return list(dict.fromkeys(normalise(query).split()))


def like_pattern(token: str) -> str:
    """A LIKE pattern matching ``token`` anywhere, with LIKE's wildcards escaped."""
    escaped = token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def trigrams(word: str) -> list[str]:
    """The distinct trigrams of a normalised word as pg_trgm makes them, sorted."""
    padded = f"  {word} "
    return sorted({padded[i : i + 3] for i in range(len(padded) - 2)})


def similarity(a: str, b: str) -> float:
    """pg_trgm's ``similarity`` of two words: shared trigrams over all of them."""
    first, second = set(trigrams(a)), set(trigrams(b))
    return len(first & second) / len(first | second)


def name_score(tokens: list[str], current: list[str], former: list[str]) -> float | None:
    """How well a territory's names match a query's ``tokens``: each token scores 1 as a
    whole word of its current names, 0.9 as the start of one, and 0.8 and 0.7 likewise in
    its former names; the sum, or None when some token matches neither."""
    now = {word for name in current for word in normalise(name).split()}
    before = {word for name in former for word in normalise(name).split()}
    total = 0.0
    for token in tokens:
        score = max(
            _word_score(token, now, whole=1.0, start=0.9),
            _word_score(token, before, whole=0.8, start=0.7),
        )
        if score == 0:
            return None
        total += score
    return total


def _word_score(token: str, words: set[str], *, whole: float, start: float) -> float:
    if token in words:
        return whole
    return start if any(word.startswith(token) for word in words) else 0.0
