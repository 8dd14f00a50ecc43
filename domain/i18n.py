"""The portal's four languages and translated texts."""

from __future__ import annotations

from collections.abc import Mapping

from domain.errors import MissingTranslation

LANGUAGES: tuple[str, ...] = ("uz-Latn", "uz-Cyrl", "ru", "en")
DEFAULT_LANGUAGE = "uz-Latn"

Translations = dict[str, str]


def require_translations(field: str, value: object) -> Translations:
    """Return ``value`` as a translations dict holding all four languages, non-empty.

    Raises ``MissingTranslation`` naming the field and the languages that are missing.
    """
    if not isinstance(value, Mapping):
        raise MissingTranslation(f"{field} must be an object with keys {', '.join(LANGUAGES)}")
    missing = [
        lang
        for lang in LANGUAGES
        if not isinstance(value.get(lang), str) or not str(value.get(lang)).strip()
    ]
    if missing:
        raise MissingTranslation(f"{field} is missing text in: {', '.join(missing)}")
    unknown = sorted(set(value) - set(LANGUAGES))
    if unknown:
        raise MissingTranslation(f"{field} has unknown languages: {', '.join(unknown)}")
    return {lang: str(value[lang]).strip() for lang in LANGUAGES}


def pick(translations: Mapping[str, str], language: str) -> str:
    """The text in ``language``, falling back to uz-Latn, then to any language present."""
    text = translations.get(language) or translations.get(DEFAULT_LANGUAGE)
    if text:
        return text
    return next(iter(translations.values()), "")
