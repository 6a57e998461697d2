"""USSD: `POST /ussd/africastalking` (the hops) and `/ussd/africastalking/events` (end of session).

This module only translates: it checks the token, has providers/africastalking parse the request,
hands the hop to the engine in menus/ and answers its screen. When Redis or the database is away it
answers a short apology that ends the session, at once.
"""

from __future__ import annotations

import logging

import redis
from flask import Blueprint, g
from sqlalchemy.exc import SQLAlchemyError

from commerce import ussd_events
from commerce.texts import t
from gateway import metrics, soko
from gateway.webhook import BadRequest, check_token, form, normalizer, plain
from menus.engine import Hop
from providers.africastalking import ussd as at_ussd

log = logging.getLogger("soko.ussd")
bp = Blueprint("ussd", __name__)

MAX_TEXT = 1000  # the whole session's input; 80 characters a hop is the most a handset sends


@bp.post("/ussd/africastalking")
@metrics.timed_ussd
def africastalking():
    app = soko()
    settings = app.settings
    check_token(settings.at_webhook_token)
    try:
        req = at_ussd.parse_hop(form(only_reader=True), normalizer(settings.default_region))
    except BadRequest as exc:
        return plain(f"{exc}\n", 400)
    if settings.ussd_service_code and req.service_code != settings.ussd_service_code:
        return plain(at_ussd.end(f"This service ({req.service_code}) is not offered here."))
    g.ussd_first_hop = req.text == ""  # for the sessions-started metric (gateway/metrics.py)
    if len(req.text) > MAX_TEXT:
        return plain(at_ussd.end("Your input was too long. Please dial again."))
    hop = Hop(session_id=req.session_id, phone=req.phone, text=req.text, service_code=req.service_code)
    try:
        return plain(app.ussd.answer(hop))
    except (redis.RedisError, SQLAlchemyError) as exc:
        log.warning("ussd hop failed, answered with an apology: %s", type(exc).__name__)
        return plain(at_ussd.end(t("sorry_down", "en")))


@bp.post("/ussd/africastalking/events")
@metrics.timed_ussd
def africastalking_events():
    """End-of-session notification: stored once per session for drop-off analytics."""
    app = soko()
    check_token(app.settings.at_webhook_token)
    try:
        end = at_ussd.parse_session_end(form())
    except BadRequest as exc:
        return plain(f"{exc}\n", 400)
    try:
        ussd_events.record_session_end(app.db, end.session_id, end.phone, end.status, end.duration_ms,
                                       end.hops, end.last_input, end.error)
    except SQLAlchemyError:
        return plain("Database unavailable, retry later\n", 503)
    return plain("OK\n")
