"""Reading provider webhooks strictly: form bodies decoded as UTF-8 or refused, tokens checked."""

from __future__ import annotations

import hmac
from urllib.parse import parse_qsl

from flask import Response, abort, request


def plain(body: str, status: int = 200) -> Response:
    """A plain-text answer: what providers read, and what a person reads in a 400."""
    return Response(body, status=status, content_type="text/plain; charset=utf-8")


class BadRequest(ValueError):
    """The request is malformed; the message is the plain-text answer (400)."""


def form() -> dict[str, str]:
    """The posted form. A body that is not UTF-8 is refused rather than guessed at."""
    mimetype = request.mimetype
    if mimetype == "application/x-www-form-urlencoded":
        raw = request.get_data(cache=True)
        try:
            pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, encoding="utf-8",
                              errors="strict", max_num_fields=64)
        except UnicodeDecodeError:
            raise BadRequest("Body is not valid UTF-8") from None
        except ValueError:
            raise BadRequest("Too many form fields") from None
        return dict(pairs)
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
