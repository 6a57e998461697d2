"""Character budgets of USSD screens and SMS: GSM-7 (with its two-unit extension characters) or UCS-2."""

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
