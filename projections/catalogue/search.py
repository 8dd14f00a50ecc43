"""Text normalisation for catalogue search across uz-Latn, uz-Cyrl, ru and en.

Case, Unicode forms and the many apostrophes of Uzbek Latin (oʻ, o', o‘, o`) are folded
away, and Russian ё matches е, so a citizen finds a service however they type it.
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = dict.fromkeys(map(ord, "'`ʻʼ‘’′ʹ´"), None)
_NON_WORD = re.compile(r"[^\w]+")


def normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    folded = folded.replace("ё", "е")
    return " ".join(word for word in _NON_WORD.split(folded) if word)


def search_tokens(query: str) -> list[str]:
    return normalise(query).split()


def like_pattern(token: str) -> str:
    """A LIKE pattern matching ``token`` anywhere, with LIKE's wildcards escaped."""
    escaped = token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
