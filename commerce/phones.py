"""Phone numbers as E.164 strings ("+254712345678"), parsed and validated by phonenumbers."""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber

# Longer than any real number in any written form; also bounds the parser's work on junk.
_MAX_RAW_LENGTH = 32

# The region of every valid number parsed here, by E.164: `normalize` already parsed the number, so
# `region_of` (the caller's currency, on a new USSD session) need not parse it a second time.
# Bounded: emptied when full (a miss only costs a parse).
_REGIONS: dict[str, str] = {}
_MAX_REGIONS = 65536


def _remember(e164: str, number: PhoneNumber) -> str | None:
    """The number's region (None if it has none, as +800 numbers), kept for `region_of`."""
    region = phonenumbers.region_code_for_number(number)
    if not region or region == phonenumbers.UNKNOWN_REGION:
        return None
    if len(_REGIONS) >= _MAX_REGIONS:
        _REGIONS.clear()
    _REGIONS[e164] = region
    return region


def _parse_valid(text: str, region: str | None) -> PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        return None
    # is_valid_number, not is_possible_number: a number of the right length that no operator
    # issues can't receive an SMS and must not become somebody's identity.
    if not phonenumbers.is_valid_number(number):
        return None
    return number


def normalize(raw: str, default_region: str = "KE") -> str:
    """E.164 for a local ("0712 345 678") or international ("+254…", "254…") number.

    For any str, raises only ValueError, for anything that is not a valid number.
    """
    if not isinstance(raw, str):
        raise TypeError(f"Expected str, got {type(raw).__name__}")
    text = raw.strip()
    # Letters would be read as a vanity number ("0800 FLOWERS") and "ext" as an extension:
    # neither is something we can text or charge, so only digits and punctuation are allowed.
    if not text or len(text) > _MAX_RAW_LENGTH or any(ch.isalpha() for ch in text):
        raise ValueError(f"Not a phone number: {raw[:_MAX_RAW_LENGTH]!r}")
    number = _parse_valid(text, default_region)
    if number is None and not text.startswith("+"):
        # "2557…" typed without its '+': accepted only when it is a valid number that way.
        number = _parse_valid("+" + text, None)
    if number is None or number.extension:
        raise ValueError(f"Not a phone number: {raw!r}")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    _remember(e164, number)
    return e164


def _parse_e164(e164: str) -> PhoneNumber | None:
    if not isinstance(e164, str) or not e164.startswith("+") or len(e164) > _MAX_RAW_LENGTH:
        return None
    return _parse_valid(e164, None)


def region_of(e164: str) -> str:
    """ISO 3166 region ("KE") of a valid E.164 number; ValueError otherwise."""
    region = _REGIONS.get(e164) if isinstance(e164, str) else None
    if region is not None:
        return region
    number = _parse_e164(e164)
    region = _remember(e164, number) if number is not None else None
    if region is None:
        raise ValueError(f"Not a phone number: {e164!r}")
    return region


def mask(e164: str) -> str:
    """A log-safe form: "+2547******78" (country code, first digit, last two). Never raises."""
    number = _parse_e164(e164)
    if number is None:
        # Junk is hidden entirely: it may still be a number in a form we didn't recognise.
        return "*" * min(len(e164) if isinstance(e164, str) else 0, _MAX_RAW_LENGTH)
    national = phonenumbers.national_significant_number(number)
    hidden = max(len(national) - 3, 0)
    return f"+{number.country_code}{national[:1]}{'*' * hidden}{national[1 + hidden:]}"
