"""Choosing a text in the reader's language: every table of texts (USSD screens, SMS replies,
notifications) maps a key to {"en": …, "sw": …, "zh": …}, with English as the fallback."""

from __future__ import annotations


def pick(table: dict[str, str], lang: str, **values) -> str:
    text = table.get(lang) or table["en"]
    return text.format(**values) if values else text
