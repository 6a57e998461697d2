"""Character budgets of USSD screens and SMS: GSM-7 (with its two-unit extension characters) or UCS-2.

SMS segments: GSM-7 holds 160 characters in one segment, 153 per segment when split (the rest is
the concatenation header); UCS-2 (any character outside GSM-7) 70, then 67. A reply to a command
is at most REPLY_SEGMENTS; no outbound message goes out longer than MAX_SEGMENTS (the worker cuts
it, marked with '..').
"""

from __future__ import annotations

# GSM 03.38 basic table (LF and CR included) and the extension table, whose characters take an
# escape plus the character, so two units each.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")

# Typographic characters people's phones and keyboards produce, mapped to GSM-7 so that one smart
# quote does not halve the screen (a single non-GSM character makes the whole screen UCS-2).
_ASCII_FOLD = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-", "…": "...",
     "\u00a0": " ", "\t": " ", "•": "-", "`": "'"}
)


def fold(text: str) -> str:
    """Replace typographic punctuation with its GSM-7 equivalent."""
    return text.translate(_ASCII_FOLD)


_GSM_ALL = GSM_BASIC | GSM_EXTENSION


# These run several times for every USSD screen, so they stay in C: set inclusion, str.count and
# the UTF-16 encoder instead of a Python loop over the characters.
def is_gsm(text: str) -> bool:
    return _GSM_ALL.issuperset(text)


def gsm_units(text: str) -> int:
    """Length in GSM-7 septets; only meaningful when is_gsm(text)."""
    if GSM_EXTENSION.isdisjoint(text):  # the usual screen: one C pass instead of ten counts
        return len(text)
    return len(text) + sum(text.count(c) for c in GSM_EXTENSION)


def ucs2_units(text: str) -> int:
    """Length in UCS-2 code units: characters outside the BMP (emoji) take two."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def ussd_budget(max_chars: int, text: str) -> int:
    """Units available for `text` on one screen: the GSM-7 budget, or the UCS-2 one (160 octets = 80)."""
    return max_chars if is_gsm(text) else min(80, max_chars // 2)


def ussd_units(text: str) -> int:
    return gsm_units(text) if is_gsm(text) else ucs2_units(text)


def fits(text: str, max_chars: int) -> bool:
    return ussd_units(text) <= ussd_budget(max_chars, text)


def cut(text: str, units: int) -> str:
    """The longest prefix of `text` within `units` (in the encoding `text` needs), marked with '..'."""
    measure = gsm_units if is_gsm(text) else ucs2_units
    if measure(text) <= units:
        return text
    out = text
    while out and measure(out + "..") > units:
        out = out[:-1]
    return out.rstrip() + ".." if out else ""


# -- SMS segments ---------------------------------------------------------------------------------
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
