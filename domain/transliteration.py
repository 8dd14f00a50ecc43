"""Cyrillic to Latin, by the rules of the Uzbek Latin alphabet (1995, as amended).

Uzbek is written in both scripts, and Russian in Cyrillic; one Latin form lets a citizen
find a service whichever script they type in (``лицензия`` and ``litsenziya`` meet). Uzbek
letters follow the official correspondence (ш sh, ч ch, ғ gʻ, ў oʻ, қ q, ҳ h, х x, ъ ʼ); ``е``
is ``ye`` at the start of a word and after a vowel, ``e`` elsewhere; ``ц`` is ``ts`` after a
vowel and ``s`` elsewhere (``лицензия`` litsenziya, ``цирк`` sirk). Russian letters Uzbek
lacks are written the way Uzbek writes its Russian loanwords: ``ы`` i, ``щ`` sh, ``ь``
nothing. Latin text and other scripts pass through unchanged.
"""

from __future__ import annotations

_VOWELS = frozenset("аеёиоуўэюяы")
_SIGNS = frozenset("ъь")
_LETTERS = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "ё": "yo",
    "ж": "j",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "x",
    "ч": "ch",
    "ш": "sh",
    "щ": "sh",
    "ъ": "ʼ",
    "ы": "i",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "ў": "oʻ",
    "қ": "q",
    "ғ": "gʻ",
    "ҳ": "h",
}


def _letter(char: str, before: str) -> str | None:
    """The Latin of lower-case ``char`` after lower-case ``before`` ("" at a word's start)."""
    if char == "е":
        return "ye" if not before.isalpha() or before in _VOWELS or before in _SIGNS else "e"
    if char == "ц":
        return "ts" if before in _VOWELS else "s"
    return _LETTERS.get(char)


def to_latin(text: str) -> str:
    """``text`` with its Cyrillic letters in Uzbek Latin, keeping case (``Шаҳар`` Shahar,
    ``ШАҲАР`` SHAHAR)."""
    out: list[str] = []
    before = ""
    for index, char in enumerate(text):
        lower = char.lower()
        latin = _letter(lower, before)
        before = lower
        if latin is None:
            out.append(char)
            continue
        if char != lower and latin:
            following = text[index + 1 : index + 2]
            whole_word_upper = following.isupper() or (
                not following.isalpha() and index > 0 and text[index - 1].isupper()
            )
            latin = latin.upper() if whole_word_upper else latin[0].upper() + latin[1:]
        out.append(latin)
    return "".join(out)
