"""SMS webhooks: incoming messages and delivery reports from Africa's Talking and Twilio, and
Africa's Talking's bulk SMS opt-outs.

Each handler only translates: it checks the request (token or signature), has the provider's
folder parse it, then hands the sender and text to menus.sms, or the report to
commerce.delivery_reports. Replies: Twilio gets TwiML in the response; Africa's Talking replies are
outbox rows the worker sends after commit. A redelivered message id is stored once and answered
once. An unknown message id or status in a delivery report is refused with 400 and changes nothing.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, request
from sqlalchemy.exc import SQLAlchemyError

import menus.sms
from commerce import broadcasts, delivery_reports, phones
from commerce.inbox import Inbox
from gateway import soko
from gateway.webhook import BadRequest, check_token, form, normalizer, plain
from providers.africastalking import sms as at_sms
from providers.base import DeliveryReport, IncomingSms
from providers.twilio import webhook as twilio_webhook

log = logging.getLogger("soko.sms")
bp = Blueprint("sms", __name__)

def _unavailable(phone: str, exc: Exception) -> Response:
    log.warning("sms from %s not handled: %s", phones.mask(phone), type(exc).__name__)
    return plain("Database unavailable, retry later\n", 503)


def _handle(app, sms: IncomingSms):
    """menus.sms.answer, then enqueue what it wrote (after its commit). Raises SQLAlchemyError."""
    limit = app.sms_limit
    inbox = Inbox(sms.provider, sms.provider_id, sms.sender, sms.to, sms.link_id, sms.reply_in_response)
    if limit.over(sms.sender) and not menus.sms.never_limited(app.db, sms.sender, sms.text):
        if limit.tell_once(sms.sender):  # answered once a minute: "Too many messages, wait a minute"
            result = menus.sms.too_many(app.db, sms.sender, sms.text, inbox)
            if result is not None:
                app.jobs.notify(result.message_ids)
            return result
        log.warning("sms from %s over %d a minute; not answered", phones.mask(sms.sender), limit.per_minute)
        return None
    result = menus.sms.answer(app.db, sms.sender, sms.text, inbox,
                              commission_percent=app.settings.agent_commission_percent, settings=app.settings)
    if result is not None:
        app.jobs.notify(result.message_ids)
    else:
        log.info("sms %s %s from %s redelivered; ignored", sms.provider, sms.provider_id[:20],
                 phones.mask(sms.sender))
    return result


def _report(app, report: DeliveryReport) -> Response:
    try:
        known = delivery_reports.record(app.db, report.provider, report.provider_id, report.status,
                                        report.detail)
    except SQLAlchemyError:
        return plain("Database unavailable, retry later\n", 503)
    return plain("OK\n") if known else plain("Unknown message id\n", 400)


# -- Africa's Talking ---------------------------------------------------------------------------

@bp.post("/sms/africastalking")
def africastalking():
    app = soko()
    settings = app.settings
    check_token(settings.at_webhook_token)
    try:
        sms = at_sms.parse_incoming(form(), normalizer(settings.default_region))
    except BadRequest as exc:
        return plain(f"{exc}\n", 400)
    try:
        _handle(app, sms)
    except SQLAlchemyError as exc:
        return _unavailable(sms.sender, exc)
    return plain("OK\n")


@bp.post("/sms/africastalking/delivery")
def africastalking_delivery():
    app = soko()
    check_token(app.settings.at_webhook_token)
    try:
        report = at_sms.parse_delivery_report(form())
    except BadRequest as exc:
        return plain(f"{exc}\n", 400)
    return _report(app, report)


@bp.post("/sms/africastalking/optout")
def africastalking_opt_out():
    """A "Bulk SMS Opt Out" notification: no broadcast goes to the number again (SPEC §14).
    Answered 200 when the number was already refused, so a redelivery stops there."""
    app = soko()
    settings = app.settings
    check_token(settings.at_webhook_token)
    try:
        notice = at_sms.parse_opt_out(form(), normalizer(settings.default_region))
    except BadRequest as exc:
        return plain(f"{exc}\n", 400)
    try:
        if broadcasts.refuse_number(app.db, notice.phone, f"{notice.provider} opt-out"):
            log.info("bulk SMS opt-out from %s (sender id %s)", phones.mask(notice.phone), notice.sender_id)
    except SQLAlchemyError as exc:
        return _unavailable(notice.phone, exc)
    return plain("OK\n")


# -- Twilio -------------------------------------------------------------------------------------

def _check_signature(settings) -> None:
    """Twilio signs the URL it requested; behind a proxy that is PUBLIC_URL + path (+ query), not
    what Flask sees."""
    refusal = f"Missing or bad {twilio_webhook.SIGNATURE_HEADER}"
    signature = request.headers.get(twilio_webhook.SIGNATURE_HEADER, "")
    if not settings.twilio_auth_token or not signature:
        abort(403, refusal)
    if settings.public_url:
        url = settings.public_url.rstrip("/") + request.path
        if request.query_string:
            url += "?" + request.query_string.decode("latin-1")
    else:
        url = request.url
    request.get_data(cache=True)  # keep the raw body for form(): request.form alone would consume it
    if not twilio_webhook.valid_signature(url, request.form, signature, settings.twilio_auth_token):
        abort(403, refusal)


@bp.post("/sms/twilio")
def twilio():
    app = soko()
    settings = app.settings
    _check_signature(settings)
    try:
        sms = twilio_webhook.parse_incoming(form(), normalizer(settings.default_region))
    except BadRequest as exc:
        return plain(f"{exc}\n", 400)
    try:
        result = _handle(app, sms)
    except SQLAlchemyError as exc:
        return _unavailable(sms.sender, exc)
    return Response(twilio_webhook.twiml(result.reply if result else None),
                    content_type=twilio_webhook.TWIML_CONTENT_TYPE)


@bp.post("/sms/twilio/status")
def twilio_status():
    app = soko()
    _check_signature(app.settings)
    try:
        report = twilio_webhook.parse_status(form())
    except BadRequest as exc:
        return plain(f"{exc}\n", 400)
    return _report(app, report)
