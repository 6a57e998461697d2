"""The text catalog (commerce/texts): every key in every language, with the same placeholders, so a
person who chose Swahili or Chinese never gets a text in English, or one that cannot be filled."""

from __future__ import annotations

from string import Formatter

import pytest

import config
from commerce import texts

CATALOG = texts.catalog()


def _fields(text: str) -> set[tuple[str, str, str | None]]:
    """The {placeholders} of a text, with their format spec and conversion."""
    return {(name, spec, conv) for _, name, spec, conv in Formatter().parse(text) if name is not None}


def test_the_catalog_speaks_the_languages_soko_offers():
    assert tuple(CATALOG) == tuple(texts.LANGUAGES) == config.LANGUAGES


def test_every_key_is_in_every_language_with_the_same_placeholders():
    keys = set().union(*CATALOG.values())
    problems = []
    for key in sorted(keys):
        missing = [lang for lang, table in CATALOG.items() if key not in table]
        if missing:
            problems.append(f"{key}: no {', '.join(missing)}")
            continue
        fields = {lang: _fields(table[key]) for lang, table in CATALOG.items()}
        if len({frozenset(f) for f in fields.values()}) > 1:
            problems.append(f"{key}: placeholders differ: " + "; ".join(
                f"{lang} {sorted(n for n, _, _ in f)}" for lang, f in fields.items()))
    assert not problems, "\n".join(problems)


def test_every_text_is_filled_without_error_and_nothing_is_left_unfilled():
    for lang, table in CATALOG.items():
        for key, text in table.items():
            assert text.strip(), (lang, key)
            filled = texts.t(key, lang, **{name: "x" for name, _, _ in _fields(text)})
            assert "{" not in filled and "}" not in filled, (lang, key, filled)


def test_an_unknown_language_reads_english_and_an_unknown_key_is_an_error():
    assert texts.t("welcome", "fr", shop="Soko") == texts.t("welcome", "en", shop="Soko") == "Welcome to Soko"
    assert texts.t("welcome", "sw", shop="Soko") == "Karibu Soko"
    with pytest.raises(KeyError):
        texts.t("no_such_text", "sw")


def test_status_words():
    assert texts.status_word("cancelled", "en") == "cancelled"
    assert texts.status_word("delivered", "sw") == "imekabidhiwa"
    assert texts.status_word("something_new", "zh") == "something_new"
