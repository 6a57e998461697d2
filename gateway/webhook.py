"""Reading provider webhooks strictly: form bodies decoded as UTF-8 or refused (by fast/form.py),
tokens checked, phone numbers normalized for the providers' parsers."""

from __future__ import annotations

import hmac
from functools import lru_cache

from flask import Response, abort, request

from commerce import phones
from fast.form import FormError, urlencoded
from providers.base import BadRequest

__all__ = ["BadRequest", "check_token", "form", "normalizer", "plain"]

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


def normalizer(region: str):
    """What providers' parsers take to read a phone number: raw -> E.164 or None, local numbers
    read in `region`."""
    return lambda raw: normalized(raw, region)


def form() -> dict[str, str]:
    """The posted form. A body that is not UTF-8 is refused rather than guessed at."""
    # The media type from the environ: werkzeug's `request.mimetype` parses every parameter too.
    mimetype = request.environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower()
    if mimetype == "application/x-www-form-urlencoded":
        try:
            return urlencoded(request.get_data(cache=True), MAX_FIELDS)
        except FormError as exc:
            raise BadRequest(str(exc)) from None
    if mimetype == "multipart/form-data":
        return request.form.to_dict()
    raise BadRequest("Send the fields as application/x-www-form-urlencoded")


def check_token(expected: str | None) -> None:
    """Africa's Talking signs nothing; a secret `?token=` in the callback URL stands in for it."""
    if expected is None:
        return
    given = request.args.get("token", "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        abort(403, "Bad or missing token")
