"""The public catalogue over HTTP, searched: in each language and script, misspelt, ranked
and paged, and answered in the language asked for."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from application.seeding import ReferenceData
from domain.transliteration import to_latin
from projections.catalogue.search import normalise
from tests.e2e.catalogue_pages import all_pages

LANGUAGES = ("uz-Latn", "uz-Cyrl", "ru", "en")


def distinctive_word(text: str) -> str:
    """The longest word of a name: specific enough to find the service by."""
    return max(normalise(text).split(), key=len)


def test_every_seeded_service_is_listed_once_in_code_order(
    client: TestClient, reference: ReferenceData
) -> None:
    items = all_pages(client, "/v1/services", limit=7)
    codes = [item["code"] for item in items]
    assert codes == sorted({s.code for s in reference.services})


@pytest.mark.parametrize("language", LANGUAGES)
def test_search_finds_a_service_by_its_name_in_each_language(
    client: TestClient, reference: ReferenceData, language: str
) -> None:
    for spec in reference.services[:12]:
        word = distinctive_word(spec.terms["names"][language])
        response = client.get("/v1/services", params={"q": word, "lang": language, "limit": 100})
        assert response.status_code == 200
        body = response.json()
        found = {item["code"]: item for item in body["items"]}
        assert spec.code in found, (language, word)
        assert found[spec.code]["name"] == spec.terms["names"][language]
        assert response.headers["content-language"] == language
        for item in body["items"]:  # every hit really contains the word somewhere
            texts = [*item["names"].values(), *item["descriptions"].values(), item["category"]]
            assert word in normalise(" ".join(texts)) or word in item["code"]


def test_search_ignores_case_and_uzbek_apostrophes(
    client: TestClient, reference: ReferenceData
) -> None:
    spec = next(s for s in reference.services if "ʻ" in s.terms["names"]["uz-Latn"])
    word = next(w for w in spec.terms["names"]["uz-Latn"].split() if "ʻ" in w)
    results = []
    for typed in (
        word,
        word.replace("ʻ", "'").upper(),
        word.replace("ʻ", "‘"),
        word.replace("ʻ", ""),
    ):
        response = client.get("/v1/services", params={"q": typed, "limit": 100})
        results.append([item["code"] for item in response.json()["items"]])
    assert spec.code in results[0]
    assert all(found == results[0] for found in results)


def test_a_search_for_nonsense_finds_nothing(client: TestClient) -> None:
    body = client.get("/v1/services", params={"q": "qwxzv"}).json()
    assert body == {"items": [], "next": None}


def licences(reference: ReferenceData) -> list[str]:
    """The services that are licences: "litsenziya" in their Uzbek names."""
    return sorted(s.code for s in reference.services if "litsenziya" in s.terms["names"]["uz-Latn"])


@pytest.mark.parametrize("typed", ["license", "lisenziya", "litsenziya", "лицензия", "licence"])
def test_search_tolerates_spelling_and_script(
    client: TestClient, reference: ReferenceData, typed: str
) -> None:
    """Misspelt (license, lisenziya) or in another script (лицензия): the licences are found,
    best matches first."""
    wanted = licences(reference)
    assert len(wanted) >= 3
    response = client.get("/v1/services", params={"q": typed, "limit": 100})
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    found = [item["code"] for item in items]
    assert set(wanted) <= set(found), (typed, found)
    # Services only mentioning licences in their descriptions come after the licences.
    mention = [
        position
        for position, item in enumerate(items)
        if not re.search(r"licen|litsenz", normalise(" ".join(item["names"].values())))
    ]
    assert all(found.index(code) < min(mention, default=len(found)) for code in wanted), found


def test_a_russian_name_typed_in_latin_letters_finds_the_service(
    client: TestClient, reference: ReferenceData
) -> None:
    for spec in reference.services[:12]:
        russian = max(re.findall(r"\w+", spec.terms["names"]["ru"].lower()), key=len)
        word = to_latin(russian.replace("ё", "е"))  # e.g. registratsiya
        response = client.get("/v1/services", params={"q": word, "limit": 100})
        assert spec.code in [item["code"] for item in response.json()["items"]], word


def test_nonsense_finds_nothing_however_it_is_spelt(client: TestClient) -> None:
    for typed in ("xqzvw", "Жщъыь", "zzqq lisenziya", "qwxzv pensiya"):
        body = client.get("/v1/services", params={"q": typed}).json()
        assert body == {"items": [], "next": None}, typed


def test_misspelt_and_exact_words_combine(client: TestClient, reference: ReferenceData) -> None:
    response = client.get("/v1/services", params={"q": "lisenziya tibbiyot", "limit": 100})
    codes = [item["code"] for item in response.json()["items"]]
    medical = [
        c for c in licences(reference) if "tibbiyot" in normalise(c + " " + _names(reference, c))
    ]
    assert codes == medical


def _names(reference: ReferenceData, code: str) -> str:
    spec = next(s for s in reference.services if s.code == code)
    return " ".join(spec.terms["names"].values())


def test_ranked_results_page_without_gaps_or_repeats(client: TestClient) -> None:
    everything = client.get("/v1/services", params={"q": "license", "limit": 100}).json()
    assert everything["next"] is None
    paged = all_pages(client, "/v1/services", q="license", limit=2)
    assert [i["code"] for i in paged] == [i["code"] for i in everything["items"]]
    assert len(paged) > 4


@pytest.mark.parametrize(
    ("typed", "detail"),
    [
        ("!!! ???", "has no letters or digits to search for"),
        (" ".join(f"w{i}" for i in range(11)), "has more than 10 words"),
    ],
)
def test_a_query_with_no_words_or_too_many_is_a_422_naming_q(
    client: TestClient, typed: str, detail: str
) -> None:
    response = client.get("/v1/services", params={"q": typed})
    assert response.status_code == 422
    problem = response.json()
    assert problem["errors"] == [{"name": "q", "in": "query", "detail": detail}]


def test_a_blank_query_lists_everything(client: TestClient, reference: ReferenceData) -> None:
    assert all_pages(client, "/v1/services", q="  ", limit=100) == all_pages(
        client, "/v1/services", limit=100
    )


@pytest.mark.parametrize(
    ("header", "language"),
    [("ru-RU,ru;q=0.9", "ru"), ("en", "en"), ("uz-Cyrl", "uz-Cyrl"), ("fr", "uz-Latn")],
)
def test_accept_language_picks_the_response_language(
    client: TestClient, reference: ReferenceData, header: str, language: str
) -> None:
    spec = reference.services[0]
    response = client.get(f"/v1/services/{spec.code}", headers={"Accept-Language": header})
    assert response.json()["name"] == spec.terms["names"][language]
    assert response.headers["content-language"] == language


def test_lang_parameter_wins_over_accept_language(
    client: TestClient, reference: ReferenceData
) -> None:
    spec = reference.services[0]
    response = client.get(
        f"/v1/services/{spec.code}", params={"lang": "en"}, headers={"Accept-Language": "ru"}
    )
    assert response.json()["name"] == spec.terms["names"]["en"]
