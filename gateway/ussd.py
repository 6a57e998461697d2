"""Africa's Talking USSD: `POST /ussd/africastalking` answers `CON …`/`END …` in plain text.

This module only translates: it checks the request, turns it into a `Hop`, and hands it to the
engine in menus/. When Redis or the database is away it answers a short `END` apology at once.
"""

from __future__ import annotations

import logging
from functools import lru_cache

import redis
from flask import Blueprint, g
from sqlalchemy.exc import SQLAlchemyError

from commerce import phones
from commerce.models import UssdSessionEvent
from commerce.texts import t
from gateway import metrics, soko
from gateway.webhook import BadRequest, check_token, form, plain
from menus.engine import Hop

log = logging.getLogger("soko.ussd")
bp = Blueprint("ussd", __name__)

MAX_TEXT = 1000  # the whole session's input; 80 characters a hop is the most a handset sends
MAX_SESSION_ID = 100


@lru_cache(maxsize=65536)
def _normalize(raw: str, region: str) -> str | None:
    """E.164 of a phone number, or None; memoized (parsing costs more than the rest of a hop's
    Python, and every hop of a session sends the same number)."""
    try:
        return phones.normalize(raw, region)
    except ValueError:
        return None


def parse_hop(fields: dict[str, str], default_region: str) -> Hop:
    missing = [k for k in ("sessionId", "serviceCode", "phoneNumber") if not fields.get(k, "").strip()]
    if missing:
        raise BadRequest(f"Missing field: {', '.join(missing)}")
    session_id = fields["sessionId"].strip()
    if len(session_id) > MAX_SESSION_ID:
        raise BadRequest("sessionId is too long")
    phone = _normalize(fields["phoneNumber"], default_region)
    if phone is None:
        raise BadRequest("phoneNumber is not a valid phone number")
    return Hop(session_id=session_id, phone=phone, text=fields.get("text", ""),
               service_code=fields["serviceCode"].strip())


@bp.post("/ussd/africastalking")
@metrics.timed_ussd
def africastalking():
    app = soko()
    settings = app.settings
    check_token(settings.at_webhook_token)
    try:
        hop = parse_hop(form(only_reader=True), settings.default_region)
    except BadRequest as exc:
        return plain(f"{exc}\n", 400)
    if settings.ussd_service_code and hop.service_code != settings.ussd_service_code:
        return plain(f"END This service ({hop.service_code}) is not offered here.")
    g.ussd_first_hop = hop.text == ""  # for the sessions-started metric (gateway/metrics.py)
    if len(hop.text) > MAX_TEXT:
        return plain("END Your input was too long. Please dial again.")
    try:
        return plain(app.ussd.answer(hop))
    except (redis.RedisError, SQLAlchemyError) as exc:
        log.warning("ussd hop failed, answered with an apology: %s", type(exc).__name__)
        return plain("END " + t("sorry_down", "en"))


@bp.post("/ussd/africastalking/events")
@metrics.timed_ussd
def africastalking_events():
    """End-of-session notification: stored once per session for drop-off analytics."""
    app = soko()
    check_token(app.settings.at_webhook_token)
    try:
        fields = form()
    except BadRequest as exc:
        return plain(f"{exc}\n", 400)
    session_id, status = fields.get("sessionId", "").strip(), fields.get("status", "").strip()
    if not session_id or status not in ("Success", "Incomplete", "Failed"):
        return plain("Missing sessionId or unknown status\n", 400)

    def _int(name):
        value = fields.get(name, "")
        return int(value) if value.isdigit() else None

    table = UssdSessionEvent.__table__
    try:
        with app.db.begin() as conn:
            exists = conn.execute(table.select().where(table.c.session_id == session_id[:80])).first()
            if exists is None:
                conn.execute(table.insert().values(
                    session_id=session_id[:80], phone=fields.get("phoneNumber", "")[:20] or None,
                    status=status, duration_ms=_int("durationInMillis"), hops=_int("hopsCount"),
                    last_input=fields.get("input", "")[:200] or None,
                    error=fields.get("errorMessage", "")[:200] or None))
    except SQLAlchemyError:
        return plain("Database unavailable, retry later\n", 503)
    return plain("OK\n")
