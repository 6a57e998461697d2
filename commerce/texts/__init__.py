"""Every text Soko shows or sends, in every language: USSD screens, SMS replies, notifications.

One module per language (en.py, sw.py, zh.py), each a flat table key -> text with `str.format`
placeholders. Every key is in every language with the same placeholders (tests/test_texts.py), so
a text in a language the person chose is never silently English. Only a language code the catalog
does not know falls back to English.

Texts are short: an SMS is one segment where the names allow (GSM-7: 160 characters; Chinese is
UCS-2: 70), help texts may take two; a USSD screen has a budget the engine pages to. Each text says
what to do next.
"""

from __future__ import annotations

from commerce.texts import en, sw, zh

LANGUAGES = {m.__name__.rpartition(".")[2]: m.NAME for m in (en, sw, zh)}  # code -> its own name
_CATALOG: dict[str, dict[str, str]] = {"en": en.TEXTS, "sw": sw.TEXTS, "zh": zh.TEXTS}
_ENGLISH = en.TEXTS


def t(key: str, lang: str, **values) -> str:
    """The text `key` in `lang` (English if the catalog has no such language), filled with `values`.

    Called on every USSD hop: one dict lookup and a format, nothing more."""
    text = _CATALOG.get(lang, _ENGLISH)[key]
    return text.format(**values) if values else text


def status_word(status: str, lang: str) -> str:
    """How an order status reads inside a sentence ("Order 1234567 is cancelled")."""
    return _CATALOG.get(lang, _ENGLISH).get("status_" + status, status)


def catalog() -> dict[str, dict[str, str]]:
    """Language code -> its table, for the catalog's own tests."""
    return _CATALOG


__all__ = ["LANGUAGES", "t", "status_word", "catalog"]
