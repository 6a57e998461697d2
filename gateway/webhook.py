"""Reading provider webhooks strictly: form bodies decoded as UTF-8 or refused, tokens checked,
phone numbers normalized for the providers' parsers."""

from __future__ import annotations

import hmac
from functools import lru_cache
from urllib.parse import unquote

from flask import Response, abort, request

from commerce import phones
from providers.base import BadRequest

__all__ = ["BadRequest", "check_token", "form", "normalizer", "plain", "urlencoded"]

MAX_FIELDS = 64
MAX_BODY = 64 * 1024  # webhooks are small: anything bigger is refused (413), by werkzeug


def plain(body: str, status: int = 200) -> Response:
    """A plain-text answer: what providers read, and what a person reads in a 400."""
    return Response(body, status=status, content_type="text/plain; charset=utf-8")


@lru_cache(maxsize=65536)
def normalized(raw: str, region: str) -> str | None:
    """E.164 of a phone number, or None; memoized (parsing costs more than the rest of a hop's
    Python, and every hop of a session sends the same number)."""
    try:
        return phones.normalize(raw, region)
    except ValueError:
        return None


@lru_cache(maxsize=64)
def normalizer(region: str):
    """What providers' parsers take to read a phone number: raw -> E.164 or None, local numbers
    read in `region`. One per region, so the hop builds no closure."""
    return lambda raw: normalized(raw, region)


def form(*, only_reader: bool = False) -> dict[str, str]:
    """The posted form. A body that is not UTF-8 is refused rather than guessed at.

    `only_reader`: nothing else in this request reads the body (the USSD hop), so it may be read
    straight from the WSGI input, not kept for a second reader."""
    environ = request.environ
    # The media type from the environ: werkzeug's `request.mimetype` parses every parameter too.
    mimetype = environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower()
    if mimetype == "application/x-www-form-urlencoded":
        length = environ.get("CONTENT_LENGTH", "")
        if only_reader and length.isdigit() and int(length) <= MAX_BODY:
            # werkzeug's stream, with its size checks, costs a hop more than this read; a body
            # without a length (chunked) or too long goes through it below (the latter as a 413).
            return urlencoded(environ["wsgi.input"].read(int(length)))
        return urlencoded(request.get_data(cache=True))
    if mimetype == "multipart/form-data":
        return request.form.to_dict()
    raise BadRequest("Send the fields as application/x-www-form-urlencoded")


def urlencoded(raw: bytes) -> dict[str, str]:
    """`a=1&b=x+y%21` as a dict, as `dict(parse_qsl(..., keep_blank_values=True, errors="strict",
    max_num_fields=MAX_FIELDS))` gives it (the last of a repeated name wins), in a third of its time:
    every USSD keypress is one of these."""
    try:
        text = raw.decode("utf-8")
        parts = text.split("&") if text else []
        if len(parts) > MAX_FIELDS:
            raise BadRequest("Too many form fields")
        fields = {}
        for part in parts:
            if part:
                name, _, value = part.partition("=")
                fields[_unquote(name)] = _unquote(value)
        return fields
    except UnicodeDecodeError:  # the body, or a %-escaped value, is not UTF-8
        raise BadRequest("Body is not valid UTF-8") from None


def _unquote(text: str) -> str:
    if "+" in text:
        text = text.replace("+", " ")
    if "%" not in text:
        return text
    return _short_decoded(text) if len(text) <= 40 else unquote(text, errors="strict")


@lru_cache(maxsize=4096)
def _short_decoded(text: str) -> str:
    """Memoized (short values only: the cache stays small): a USSD session sends the same escaped
    service code and phone number on every hop."""
    return unquote(text, errors="strict")


def check_token(expected: str | None) -> None:
    """Africa's Talking signs nothing; a secret `?token=` in the callback URL stands in for it."""
    if expected is None:
        return
    given = request.args.get("token", "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        abort(403, "Bad or missing token")
