"""SMS webhooks: incoming messages and delivery reports from Africa's Talking and Twilio.

Each handler only translates: it checks the request (token or signature, fields, phone number),
then hands the sender and text to menus.sms. Replies: Twilio gets TwiML in the response; Africa's
Talking replies are outbox rows the worker sends after commit. A redelivered message id is stored
once and answered once. Delivery reports move a message's status forward only (sent, then
delivered or failed); an unknown id or status is refused with 400 and changes nothing.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

import redis
from flask import Blueprint, Response, abort, request
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

import menus.sms
from commerce import outbox, phones
from commerce.models import InboundMessage, Message, utcnow
from gateway import soko
from gateway.webhook import BadRequest, check_token, form, plain

log = logging.getLogger("soko.sms")
bp = Blueprint("sms", __name__)

IN, M = InboundMessage.__table__, Message.__table__
MAX_TEXT = 1600  # Twilio's longest body; a concatenated SMS never comes near it
MAX_ID = 80
PER_MINUTE = 20  # inbound messages answered per number and minute

# Provider delivery states -> our message status. `sent` is where a message is once the provider
# took it; `delivered` and `failed` are final.
AT_STATES = {"Sent": "sent", "Submitted": "sent", "Buffered": "sent", "Success": "delivered",
             "Rejected": "failed", "Failed": "failed", "Expired": "failed"}
TWILIO_STATES = {"accepted": "sent", "scheduled": "sent", "queued": "sent", "sending": "sent", "sent": "sent",
                 "delivered": "delivered", "read": "delivered",
                 "undelivered": "failed", "failed": "failed", "canceled": "failed"}
FINAL = ("delivered", "failed")


def _twiml(reply: str | None) -> Response:
    twiml = MessagingResponse()
    if reply:
        twiml.message(reply)
    return Response(str(twiml), content_type="application/xml")


class Inbox:
    """menus.sms.Inbox over the inbound_messages table, unique on (provider, provider_id)."""

    def __init__(self, provider: str, provider_id: str, phone: str, to: str | None, link_id: str | None,
                 reply_in_response: bool):
        self.provider, self.provider_id, self.phone = provider, provider_id, phone
        self.to, self.link_id = to, link_id
        self.reply_in_response = reply_in_response

    def claim(self, conn, body: str) -> bool:
        try:
            with conn.begin_nested():
                conn.execute(insert(IN).values(provider=self.provider, provider_id=self.provider_id,
                                               from_phone=self.phone, to=self.to, body=body,
                                               link_id=self.link_id, received_at=utcnow()))
        except IntegrityError:
            return False
        return True

    def release(self, engine) -> None:
        with engine.begin() as conn:
            conn.execute(delete(IN).where(IN.c.provider == self.provider, IN.c.provider_id == self.provider_id))

    def reply(self, conn, text: str) -> list[int]:
        conn.execute(update(IN).where(IN.c.provider == self.provider, IN.c.provider_id == self.provider_id)
                     .values(reply=text))
        # A reply to a message the person just sent goes out even after STOP (carriers allow it).
        mid = outbox.add(conn, self.phone, text, kind="reply", force=True)
        if self.link_id:
            # A premium (on-demand) message: the reply goes back with its linkId, from its short code.
            conn.execute(update(M).where(M.c.id == mid).values(link_id=self.link_id, short_code=self.to))
        if self.reply_in_response:
            # Twilio sends it from our TwiML; the row is the record of it (the sweep leaves it alone).
            conn.execute(update(M).where(M.c.id == mid).values(status="sent", provider="twilio",
                                                               sent_at=utcnow()))
            return []
        return [mid]


def _field(fields: dict, name: str, *, required: bool = True, limit: int = MAX_ID) -> str | None:
    value = fields.get(name)
    if value is None or (required and not value.strip()):
        if required:
            raise BadRequest(f"Missing field: {name}")
        return None
    if len(value) > limit:
        raise BadRequest(f"{name} is too long")
    if "\x00" in value and name not in ("text", "Body"):  # the grammar blanks controls in the text
        raise BadRequest(f"{name} contains a NUL character")
    return value.strip() if name != "text" and name != "Body" else value


def _phone(raw: str, name: str, region: str) -> str:
    try:
        return phones.normalize(raw, region)
    except ValueError:
        raise BadRequest(f"{name} is not a valid phone number") from None


def _date(raw: str) -> datetime:
    """AT's `date`: "2006-01-02T15:04:05Z" or "2006-01-02 15:04:05" (UTC), fractions allowed."""
    try:
        return datetime.fromisoformat(raw.strip())
    except ValueError:
        raise BadRequest("date is not a date like 2024-05-10 12:34:56") from None


def _over_limit(app, phone: str) -> bool:
    """More than PER_MINUTE messages this minute from one number: a person does not type that
    fast, but an auto-responder answering our replies does (an SMS loop costs a message each way).
    Without Redis there is no limit rather than no service."""
    key = f"soko:sms:in:{phone}:{int(time.time() // 60)}"
    try:
        pipe = app.redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, 120)
        count, _ = pipe.execute()
    except redis.RedisError:
        return False
    return count > PER_MINUTE


def _handle(app, phone: str, text: str, inbox: Inbox):
    """menus.sms.answer, then enqueue what it wrote (after its commit). Raises SQLAlchemyError."""
    if _over_limit(app, phone):
        log.warning("sms from %s over %d a minute; not answered", phones.mask(phone), PER_MINUTE)
        return None
    result = menus.sms.answer(app.db, phone, text, inbox)
    if result is not None:
        app.jobs.notify(result.message_ids)
    else:
        log.info("sms %s %s from %s redelivered; ignored", inbox.provider, inbox.provider_id[:20],
                 phones.mask(phone))
    return result


# -- Africa's Talking ---------------------------------------------------------------------------

@bp.post("/sms/africastalking")
def africastalking():
    app = soko()
    settings = app.settings
    check_token(settings.at_webhook_token)
    try:
        fields = form()
        message_id = _field(fields, "id")
        phone = _phone(_field(fields, "from", limit=32), "from", settings.default_region)
        to = _field(fields, "to", limit=40)
        text = _field(fields, "text", required=False, limit=MAX_TEXT)
        if text is None:
            raise BadRequest("Missing field: text")
        _date(_field(fields, "date", limit=40))
        link_id = _field(fields, "linkId", required=False) or None
    except BadRequest as exc:
        return plain(f"{exc}\n", 400)
    inbox = Inbox("africastalking", message_id, phone, to, link_id, reply_in_response=False)
    try:
        _handle(app, phone, text, inbox)
    except SQLAlchemyError as exc:
        log.warning("sms from %s not handled: %s", phones.mask(phone), type(exc).__name__)
        return plain("Database unavailable, retry later\n", 503)
    return plain("OK\n")


@bp.post("/sms/africastalking/delivery")
def africastalking_delivery():
    app = soko()
    check_token(app.settings.at_webhook_token)
    try:
        fields = form()
        message_id = _field(fields, "id")
        state = _field(fields, "status", limit=40)
    except BadRequest as exc:
        return plain(f"{exc}\n", 400)
    if state not in AT_STATES:
        return plain(f"Unknown status: {state[:40]}\n", 400)
    reason = (fields.get("failureReason") or "").strip()[:200] or None
    return _report(app, "africastalking", message_id, AT_STATES[state], reason or state)


# -- Twilio -------------------------------------------------------------------------------------

def _check_signature(settings) -> None:
    """Twilio signs the URL it requested plus every POST field; behind a proxy that URL is
    PUBLIC_URL + path (+ query), not what Flask sees."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not settings.twilio_auth_token or not signature:
        abort(403, "Missing or bad X-Twilio-Signature")
    if settings.public_url:
        url = settings.public_url.rstrip("/") + request.path
        if request.query_string:
            url += "?" + request.query_string.decode("latin-1")
    else:
        url = request.url
    request.get_data(cache=True)  # keep the raw body for form(): request.form alone would consume it
    if not RequestValidator(settings.twilio_auth_token).validate(url, request.form, signature):
        abort(403, "Missing or bad X-Twilio-Signature")


@bp.post("/sms/twilio")
def twilio():
    app = soko()
    settings = app.settings
    _check_signature(settings)
    try:
        fields = form()
        sid = _field(fields, "MessageSid")
        phone = _phone(_field(fields, "From", limit=32), "From", settings.default_region)
        to = _field(fields, "To", limit=40)
        text = _field(fields, "Body", required=False, limit=MAX_TEXT)
        if text is None:
            raise BadRequest("Missing field: Body")
    except BadRequest as exc:
        return plain(f"{exc}\n", 400)
    inbox = Inbox("twilio", sid, phone, to, None, reply_in_response=True)
    try:
        result = _handle(app, phone, text, inbox)
    except SQLAlchemyError as exc:
        log.warning("sms from %s not handled: %s", phones.mask(phone), type(exc).__name__)
        return plain("Database unavailable, retry later\n", 503)
    return _twiml(result.reply if result else None)


@bp.post("/sms/twilio/status")
def twilio_status():
    app = soko()
    _check_signature(app.settings)
    try:
        fields = form()
        sid = _field(fields, "MessageSid")
        state = _field(fields, "MessageStatus", limit=40)
    except BadRequest as exc:
        return plain(f"{exc}\n", 400)
    if state not in TWILIO_STATES:
        return plain(f"Unknown status: {state[:40]}\n", 400)
    code = (fields.get("ErrorCode") or "").strip()[:20]
    return _report(app, "twilio", sid, TWILIO_STATES[state], f"Twilio {code}" if code else state)


def _report(app, provider: str, provider_id: str, status: str, detail: str) -> Response:
    try:
        with app.db.begin() as conn:
            row = conn.execute(select(M.c.id, M.c.status).where(M.c.provider_id == provider_id,
                                                                M.c.provider == provider)).first()
            if row is None:
                return plain("Unknown message id\n", 400)
            if status in FINAL and row.status not in FINAL:
                values = {"status": status, "updated_at": utcnow()}
                if status == "failed":
                    values["error"] = detail[:200]
                conn.execute(update(M).where(M.c.id == row.id, M.c.status.not_in(FINAL)).values(**values))
    except SQLAlchemyError:
        return plain("Database unavailable, retry later\n", 503)
    return plain("OK\n")
