"""How the words of a search score a service, in SQL.

A word the catalogue holds (some word of some service contains it) matches as typed: a
correctly spelt search is exact. It scores 1 where it is a whole word of the service's
text, 0.9 where a word starts with it, 0.8 where it is inside a word (or the code). A word
the catalogue does not hold stands for the catalogue's words spelled like it (trigram
similarity at least ``SIMILARITY_THRESHOLD``) and scores the similarity of the most similar
one the service holds. A service's score is the sum over the words of the query; it is
NULL when some word matches nothing in it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol

from psycopg.rows import DictRow
from psycopg.sql import SQL, Composable, Composed, Identifier

from projections.catalogue.search import (
    MAX_QUERY_WORDS,
    MAX_SIMILAR_WORDS,
    SIMILARITY_THRESHOLD,
    like_pattern,
    search_tokens,
    trigrams,
)
from projections.pagination import InvalidQuery


class Reader(Protocol):
    def fetch_all(self, statement: str | Composed, params: Any = None) -> list[DictRow]: ...


# The catalogue's words (of services' texts and codes, in their searchable form) with
# their trigrams; the GIN index finds the words sharing a trigram with a misspelt one.
WORDS_TABLE = "catalogue_search_words"
WORDS_STATEMENTS = (
    """CREATE TABLE IF NOT EXISTS {schema}.catalogue_search_words (
        word text PRIMARY KEY,
        trigrams text[] NOT NULL)""",
    """CREATE INDEX IF NOT EXISTS catalogue_search_words_trigrams_idx
        ON {schema}.catalogue_search_words USING gin (trigrams)""",
)


def text_score(
    reader: Reader, words: Identifier, text: str, params: dict[str, Any]
) -> Composable | None:
    """The score of a service ``s`` for ``text`` (its parameters added to ``params``), or
    None when some word of it matches nothing in the catalogue."""
    tokens = search_tokens(text)
    if not tokens:
        raise InvalidQuery("q", "has no letters or digits to search for")
    if len(tokens) > MAX_QUERY_WORDS:
        raise InvalidQuery("q", f"has more than {MAX_QUERY_WORDS} words")
    parts: list[Composable] = []
    for index, token in enumerate(tokens):
        name = f"token{index}"
        params[name] = like_pattern(token)
        if _known(reader, words, params[name]):
            params[f"{name}_word"] = f"% {_escaped(token)} %"
            params[f"{name}_start"] = f"% {_escaped(token)}%"
            parts.append(
                SQL(
                    "CASE WHEN {padded} LIKE {word} THEN 1 WHEN {padded} LIKE {start} THEN 0.9"
                    " WHEN s.search_text LIKE {p} OR s.code LIKE {p} THEN 0.8 END"
                ).format(
                    padded=_PADDED,
                    word=SQL(f"%({name}_word)s"),
                    start=SQL(f"%({name}_start)s"),
                    p=SQL(f"%({name})s"),
                )
            )
            continue
        similar = _similar(reader, words, token)
        if not similar:
            return None
        params[f"similar{index}"] = [f"% {_escaped(word)} %" for word, _ in similar]
        params[f"scores{index}"] = [score for _, score in similar]
        parts.append(
            SQL(
                "(SELECT max(c.score) FROM unnest({w}::text[], {s}::numeric[]) AS c(pattern, score)"
                " WHERE {padded} LIKE c.pattern)"
            ).format(w=SQL(f"%(similar{index})s"), s=SQL(f"%(scores{index})s"), padded=_PADDED)
        )
    return SQL("({})").format(SQL(" + ").join(parts))


# A service's text with a space either side: a whole word is LIKE '% word %'.
_PADDED = SQL("(' ' || s.search_text || ' ')")


def _escaped(word: str) -> str:
    return like_pattern(word)[1:-1]


def _known(reader: Reader, words: Identifier, pattern: str) -> bool:
    query = SQL("SELECT 1 AS known FROM {words} WHERE word LIKE %s LIMIT 1").format(words=words)
    return bool(reader.fetch_all(query, (pattern,)))


def _similar(reader: Reader, words: Identifier, token: str) -> list[tuple[str, Decimal]]:
    """The catalogue's words most like ``token`` by trigram similarity (pg_trgm's measure:
    shared trigrams over all of both), each with it to 4 places, most similar first."""
    query = SQL(
        """SELECT word, round(shared::numeric / (cardinality(trigrams) + %(n)s - shared), 4)
               AS score
           FROM (SELECT word, trigrams,
                        (SELECT count(*) FROM unnest(trigrams) t WHERE t = ANY(%(t)s)) AS shared
                 FROM {words} WHERE trigrams && %(t)s::text[]) candidates
           WHERE shared::numeric / (cardinality(trigrams) + %(n)s - shared) >= %(threshold)s
           ORDER BY score DESC, word LIMIT %(most)s"""
    ).format(words=words)
    grams = trigrams(token)
    rows = reader.fetch_all(
        query,
        {
            "t": grams,
            "n": len(grams),
            "threshold": Decimal(str(SIMILARITY_THRESHOLD)),
            "most": MAX_SIMILAR_WORDS,
        },
    )
    return [(row["word"], row["score"]) for row in rows]
