"""The USSD hop's form: an `application/x-www-form-urlencoded` body decoded strictly, in a third of
the standard library's time, and read straight from the WSGI input. What it buys, measured:
fast/__init__.py.
"""

from __future__ import annotations

from urllib.parse import unquote


class FormError(ValueError):
    """A body that is not a form we accept; str() is the reason, for a plain-text 400."""


def urlencoded(raw: bytes, max_fields: int) -> dict[str, str]:
    """`a=1&b=x+y%21` as a dict, as `dict(parse_qsl(..., keep_blank_values=True, errors="strict",
    max_num_fields=max_fields))` gives it (the last of a repeated name wins), in a third of its
    time: every USSD keypress is one of these. Not UTF-8, or more than `max_fields`: FormError."""
    try:
        text = raw.decode("utf-8")
        parts = text.split("&") if text else []
        if len(parts) > max_fields:
            raise FormError("Too many form fields")
        fields = {}
        for part in parts:
            if part:
                name, _, value = part.partition("=")
                fields[_unquote(name)] = _unquote(value)
        return fields
    except UnicodeDecodeError:  # the body, or a %-escaped value, is not UTF-8
        raise FormError("Body is not valid UTF-8") from None


def _unquote(text: str) -> str:
    if "+" in text:
        text = text.replace("+", " ")
    if "%" not in text:
        return text
    return unquote(text, errors="strict")


def wsgi_body(environ: dict, max_body: int) -> bytes | None:
    """The body read straight from the WSGI input when its length is given and at most `max_body`
    (werkzeug's stream, with its size checks, costs a hop more than the read); None otherwise (a
    chunked body, or one too long: the caller goes through werkzeug, which refuses the latter with
    a 413). Only for a request in which nothing else reads the body."""
    length = environ.get("CONTENT_LENGTH", "")
    if length.isdigit() and int(length) <= max_body:
        return environ["wsgi.input"].read(int(length))
    return None
