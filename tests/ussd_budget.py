"""A USSD answer's character budget, counted independently of menus/text.py: GSM 03.38 written out
here (extension characters take two septets), else UCS-2 (astral characters take two units)."""

from __future__ import annotations

import re

GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXT = set("^{}\\[~]|€\f")


def screen_cost(answer: str, max_chars: int) -> tuple[int, int]:
    """(units used, units allowed) for a whole USSD answer, `CON `/`END ` included."""
    if all(c in GSM_BASIC or c in GSM_EXT for c in answer):
        return sum(2 if c in GSM_EXT else 1 for c in answer), max_chars
    return sum(2 if ord(c) > 0xFFFF else 1 for c in answer), min(80, max_chars // 2)


def assert_fits(answer: str, max_chars: int) -> None:
    assert answer.startswith(("CON ", "END ")), answer
    used, allowed = screen_cost(answer, max_chars)
    assert used <= allowed, f"{used} > {allowed} units:\n{answer}"


def options(screen: str) -> dict[str, str]:
    """Numbered options on a screen: {"1": "Shop", ...}."""
    return dict(re.findall(r"^([1-9])\. (.*)$", screen, flags=re.M))
