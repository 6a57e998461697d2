"""SMS segment budgets. GSM-7: 160 characters in one segment, 153 per segment when split (the
rest is the concatenation header); UCS-2 (any character outside GSM-7): 70, then 67.

Budgets: a reply to a command is at most REPLY_SEGMENTS; no outbound message goes out longer
than MAX_SEGMENTS (the worker cuts it, marked with '..').
"""

from __future__ import annotations

from menus.text import cut, fold, gsm_units, is_gsm, ucs2_units

REPLY_SEGMENTS = 2
MAX_SEGMENTS = 3


def units(text: str) -> int:
    return gsm_units(text) if is_gsm(text) else ucs2_units(text)


def capacity(text: str, segments: int) -> int:
    """Units `segments` segments hold in the encoding `text` needs."""
    single, multi = (160, 153) if is_gsm(text) else (70, 67)
    return single if segments == 1 else multi * segments


def segments(text: str) -> int:
    used = units(text)
    single, multi = (160, 153) if is_gsm(text) else (70, 67)
    return 1 if used <= single else -(-used // multi)


def fit(text: str, max_segments: int) -> str:
    """`text` with typographic punctuation folded to GSM-7, cut to `max_segments` if longer."""
    text = fold(text)
    if segments(text) <= max_segments:
        return text
    return cut(text, capacity(text, max_segments))
