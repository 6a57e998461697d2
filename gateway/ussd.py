"""USSD: `POST /ussd/africastalking` (the hops), `/ussd/africastalking/events` (end of session), and
`POST /ussd/hubtel`, `/ussd/arkesel`, `/ussd/nalo`, `/ussd/beem` (issue 14: JSON hops, each
aggregator switched on by its own setting).

This module only translates: it checks the token, has the provider's folder parse the request,
hands the hop to the engine in menus/ and answers its screen in the provider's shape. When Redis or
the database is away it answers a short apology that ends the session, at once.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Callable
from http import HTTPStatus

import orjson
import redis
from flask import Blueprint, Response, abort, g, request
from sqlalchemy.exc import SQLAlchemyError

from commerce import ussd_events
from commerce.texts import t
from fast.form import FormError, urlencoded, wsgi_body
from gateway import metrics, soko
from gateway.webhook import MAX_BODY, MAX_FIELDS, BadRequest, check_token, form, normalizer, plain
from menus.engine import Hop
from providers.africastalking import ussd as at_ussd
from providers.arkesel import ussd as arkesel_ussd
from providers.base import HOP_RELEASE, HOP_START, HOP_TIMEOUT, SESSION_COMPLETED, SESSION_INCOMPLETE, UssdRequest
from providers.beem import ussd as beem_ussd
from providers.hubtel import ussd as hubtel_ussd
from providers.nalo import ussd as nalo_ussd

log = logging.getLogger("soko.ussd")
bp = Blueprint("ussd", __name__)

MAX_TEXT = 1000  # the whole session's input; 80 characters a hop is the most a handset sends
AGGREGATORS = {m.NAME: m for m in (hubtel_ussd, arkesel_ussd, nalo_ussd, beem_ussd)}


@bp.post("/ussd/africastalking")
@metrics.timed_ussd
def africastalking():
    """The hop when it does not come the usual way (`hops_first` answers those): a multipart form,
    a chunked body, one too large (413), a bad token (403)."""
    app = soko()
    check_token(app.settings.at_webhook_token)
    try:
        fields = form()
    except BadRequest as exc:
        return plain(f"{exc}\n", 400)
    body, status, g.ussd_first_hop = _at_hop(app, fields)
    return plain(body, status)


def _at_hop(app, fields: dict[str, str]) -> tuple[str, int, bool]:
    """An Africa's Talking hop's answer from its form: (body, status, whether it opens a session,
    for the sessions-started metric)."""
    settings = app.settings
    try:
        req = at_ussd.parse_hop(fields, normalizer(settings.default_region))
    except BadRequest as exc:
        return f"{exc}\n", 400, False
    codes = settings.ussd_service_codes
    if codes and req.service_code not in codes:
        return at_ussd.end(f"This service ({req.service_code}) is not offered here."), 200, False
    if len(req.text) > MAX_TEXT:
        return at_ussd.end("Your input was too long. Please dial again."), 200, False
    hop = Hop(session_id=req.session_id, phone=req.phone, text=req.text, service_code=req.service_code)
    try:
        return app.ussd.answer(hop), 200, req.text == ""
    except (redis.RedisError, SQLAlchemyError) as exc:
        log.warning("ussd hop failed, answered with an apology: %s", type(exc).__name__)
        return at_ussd.end(t("sorry_down", "en")), 200, req.text == ""


_FORM = "application/x-www-form-urlencoded"
_PLAIN = "text/plain; charset=utf-8"


def hops_first(flask_app, app) -> Callable:
    """The WSGI app to serve: Africa's Talking's hops, as they come (a POST of a form of known
    length), answered straight from the WSGI environ, everything else by Flask. Flask's request
    context, routing and Response cost a hop about 40 us of CPU, a fifth of what the floor's whole
    hop costs (bench/README.md, issue 19); the hop uses none of them. The same checks and answers
    as the Flask view (`africastalking`), which serves whatever does not come this way."""
    flask_wsgi = flask_app.wsgi_app
    token = app.settings.at_webhook_token

    def wsgi(environ, start_response):
        if (environ.get("PATH_INFO") != "/ussd/africastalking" or environ.get("REQUEST_METHOD") != "POST"
                or environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower() != _FORM
                or (token is not None and not _token_given(environ, token))):
            return flask_wsgi(environ, start_response)
        body = wsgi_body(environ, MAX_BODY)  # None: chunked, or too long (Flask's 413)
        if body is None:
            return flask_wsgi(environ, start_response)
        started = time.perf_counter()
        try:
            try:
                answer, status, first = _at_hop(app, urlencoded(body, MAX_FIELDS))
            except FormError as exc:
                answer, status, first = f"{exc}\n", 400, False
        except Exception:  # as the Flask app's handler does (gateway/errors.py)
            log.exception("unhandled error on %s", environ.get("PATH_INFO"))
            answer, status, first = "Internal error\n", 500, False
        metrics.hop_done(metrics.USSD_ENDPOINT, started, status, answer, first)
        data = answer.encode()
        start_response("200 OK" if status == 200 else f"{status} {HTTPStatus(status).phrase}",
                       [("Content-Type", _PLAIN), ("Content-Length", str(len(data)))])
        return [data]

    wsgi.flask = flask_wsgi  # the way round it (bench/tricks.py measures what it saves)
    return wsgi


def _token_given(environ, expected: str) -> bool:
    """Whether the query string's `token` is the expected one (else Flask answers the 403)."""
    try:
        given = urlencoded(environ.get("QUERY_STRING", "").encode("latin-1"), MAX_FIELDS).get("token", "")
    except (FormError, UnicodeEncodeError):
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


@bp.post("/ussd/africastalking/events")
@metrics.timed_ussd
def africastalking_events():
    """End-of-session notification: stored once per session for drop-off analytics, with the
    screen the caller last saw (while the session is still in Redis)."""
    app = soko()
    check_token(app.settings.at_webhook_token)
    try:
        end = at_ussd.parse_session_end(form())
    except BadRequest as exc:
        return plain(f"{exc}\n", 400)
    screen = None
    phone = normalizer(app.settings.default_region)(end.phone) if end.phone else None
    if phone is not None:
        try:
            screen, _, _ = app.ussd.where(phone, end.session_id)
        except redis.RedisError:
            pass  # the report is kept without its screen
    try:
        ussd_events.record_session_end(app.db, end.session_id, end.phone, end.status, end.duration_ms,
                                       end.hops, end.last_input, end.error, last_screen=screen)
    except SQLAlchemyError:
        return plain("Database unavailable, retry later\n", 503)
    return plain("OK\n")


def _json(body: bytes, status: int = 200) -> Response:
    return Response(body, status=status, content_type="application/json")


def _body():
    """The request's JSON, whatever content type the aggregator declares (samples differ)."""
    environ = request.environ
    length = environ.get("CONTENT_LENGTH", "")
    try:
        if length.isdigit() and int(length) <= MAX_BODY:  # straight from the WSGI input, as form() does
            return orjson.loads(environ["wsgi.input"].read(int(length)))
        return orjson.loads(request.get_data(cache=False))
    except orjson.JSONDecodeError:
        raise BadRequest("Body is not valid JSON") from None


def _service(req: UssdRequest, codes: tuple[str, ...]) -> tuple[str | None, str]:
    """The service code a hop is for (None when it is not one of ours) and the dial string's
    segments past it (a shortcut: `*384*123*100014#` -> "100014")."""
    code, dial = req.service_code, req.dial
    if not code and dial:  # Nalo names no service code: it is the head of the dial string
        code = next((c for c in codes if dial == c or dial.startswith(c[:-1] + "*")), None if codes else dial)
        if code is None:
            return None, ""
    if codes and code and code not in codes:
        return None, ""
    if dial and code and dial.startswith(code[:-1] + "*") and dial.endswith("#"):
        return code, dial[len(code):-1]
    return code, ""


@bp.post("/ussd/<name>")
@metrics.timed_ussd
def aggregator(name: str):
    adapter = AGGREGATORS.get(name)
    app = soko()
    settings = app.settings
    if adapter is None or not settings.aggregator_enabled(name):
        abort(404)
    check_token(settings.aggregator_token(name))
    try:
        req = adapter.parse_hop(_body(), normalizer(settings.default_region))
    except BadRequest as exc:
        return plain(f"{exc}\n", 400)
    session_id = f"{name}:{req.session_id}"  # ids of different aggregators never meet
    if req.kind in (HOP_RELEASE, HOP_TIMEOUT):
        return _session_over(app, name, adapter, req, session_id)
    code, shortcut = _service(req, settings.ussd_service_codes)
    if code is None:
        shown = req.dial or req.service_code
        return _json(adapter.answer(req, f"This service ({shown}) is not offered here.", True))
    hop = Hop(session_id=session_id, phone=req.phone, text=req.text, service_code=code, latest=True,
              hop_id=req.hop_id, start=req.kind == HOP_START, shortcut=shortcut)
    try:
        screen = app.ussd.answer(hop)
    except (redis.RedisError, SQLAlchemyError) as exc:
        log.warning("ussd hop failed, answered with an apology: %s", type(exc).__name__)
        screen = at_ussd.end(t("sorry_down", "en"))
    end = screen.startswith("END ")
    if end:
        metrics.USSD_ENDED.inc()
    elif hop.start:
        metrics.USSD_STARTED.inc()
    return _json(adapter.answer(req, screen[4:], end))


def _session_over(app, name: str, adapter, req: UssdRequest, session_id: str) -> Response:
    """A release, terminate or timeout notice: the session is over. Stored for drop-off analytics
    like Africa's Talking's reports (where the caller was, from the session in Redis), answered
    with an empty end screen. The session itself stays in Redis: a caller who dials again within
    USSD_SESSION_TTL is offered to continue where they stopped."""
    try:
        screen, ended, hops = app.ussd.where(req.phone, session_id)
    except redis.RedisError:
        screen, ended, hops = None, False, None
    status = SESSION_COMPLETED if ended else SESSION_INCOMPLETE
    try:
        ussd_events.record_session_end(app.db, session_id, req.phone, status, None, hops, req.text or None,
                                       "timeout" if req.kind == HOP_TIMEOUT else None,
                                       aggregator=name, last_screen=screen)
    except SQLAlchemyError:
        return plain("Database unavailable, retry later\n", 503)
    return _json(adapter.answer(req, "", True))
