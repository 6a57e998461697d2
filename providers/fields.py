"""Reading webhook form fields strictly: each provider's parser names its fields, this checks them."""

from __future__ import annotations

from providers.base import BadRequest, Normalize

MAX_ID = 80  # provider ids and short fields


def field(fields: dict[str, str], name: str, *, required: bool = True, limit: int = MAX_ID,
          text: bool = False) -> str | None:
    """`fields[name]`, stripped; None when absent and not required. `text`: a message body, kept as
    sent (the SMS grammar blanks control characters itself), so NUL and spaces are left alone.

    Raises BadRequest when required and missing or blank, too long, or holding a NUL."""
    value = fields.get(name)
    if value is None or (required and not value.strip()):
        if required:
            raise BadRequest(f"Missing field: {name}")
        return None
    if len(value) > limit:
        raise BadRequest(f"{name} is too long")
    if text:
        return value
    if "\x00" in value:
        raise BadRequest(f"{name} contains a NUL character")
    return value.strip()


def phone(raw: str, name: str, normalize: Normalize) -> str:
    e164 = normalize(raw)
    if e164 is None:
        raise BadRequest(f"{name} is not a valid phone number")
    return e164
