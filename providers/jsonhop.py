"""Reading the JSON hops of the latest-input USSD aggregators (Hubtel, Arkesel, Nalo, Beem) strictly.

Their public samples disagree on the case of keys (`Type`/`type`, `sessionID`/`sessionId`) and
send booleans as JSON booleans or as "true"/"false", so keys are read case-insensitively and both
boolean forms are taken. Anything else of the wrong type is refused with the field's name.
"""

from __future__ import annotations

import re

from providers.base import BadRequest, Normalize

MAX_ID = 100  # session ids, user ids, operators
MAX_INPUT = 200  # a handset sends at most 182 characters a hop; the engine hints past 80
_SERVICE_CODE = re.compile(r"\*?([0-9]+(?:\*[0-9]+)*)#?")


def fields(body) -> dict:
    """The request's object with its keys lower-cased (the first of two spellings wins)."""
    if not isinstance(body, dict):
        raise BadRequest("Send a JSON object")
    out: dict = {}
    for key, value in body.items():
        out.setdefault(str(key).lower(), value)
    return out


def text(d: dict, name: str, *, required: bool = True, limit: int = MAX_ID) -> str | None:
    """A string field (a JSON number is taken as its digits: some samples send phone numbers and
    hop numbers unquoted); None when absent or null and not required."""
    value = d.get(name.lower())
    if value is None or (isinstance(value, str) and required and not value.strip()):
        if required:
            raise BadRequest(f"Missing field: {name}")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadRequest(f"{name} must be a string")
    value = str(value)
    if len(value) > limit:
        raise BadRequest(f"{name} is too long")
    if "\x00" in value:
        raise BadRequest(f"{name} contains a NUL character")
    return value.strip()


def flag(d: dict, name: str) -> bool:
    """A boolean field: true/false, or the strings "true"/"false" (any case)."""
    value = d.get(name.lower())
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if value is None:
        raise BadRequest(f"Missing field: {name}")
    raise BadRequest(f"{name} must be true or false")


def whole(d: dict, name: str) -> str | None:
    """A hop number (a JSON number or a string of digits), as its digits; None when absent."""
    value = d.get(name.lower())
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value) <= 20:
        return str(int(value.strip()))
    raise BadRequest(f"{name} must be a whole number")


def phone(raw: str, name: str, normalize: Normalize) -> str:
    """E.164 of an MSISDN. These aggregators send international numbers without the `+`
    (`233241234567`): read them as such first, so a Ghanaian number is never taken for a local
    number of the default region."""
    e164 = None
    if raw.isascii() and raw.isdigit() and not raw.startswith("0"):
        e164 = normalize("+" + raw)
    if e164 is None:
        e164 = normalize(raw)
    if e164 is None:
        raise BadRequest(f"{name} is not a valid phone number")
    return e164


def service_code(raw: str | None) -> str:
    """`*713#` as sent, or written so from `713` / `*713` (samples show both); "" when absent."""
    if not raw:
        return ""
    m = _SERVICE_CODE.fullmatch(raw.strip())
    if m is None:
        raise BadRequest("The service code must look like *384*123#")
    return f"*{m.group(1)}#"
