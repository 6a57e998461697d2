"""Twilio's SMS webhooks: incoming messages (answered with TwiML) and status callbacks, both form
POSTs signed in `X-Twilio-Signature` (PROVIDERS.md §4)."""

from __future__ import annotations

from collections.abc import Mapping

from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from providers.base import (
    DELIVERED,
    FAILED,
    SENT,
    BadRequest,
    DeliveryReport,
    IncomingSms,
    Normalize,
)
from providers.fields import field, phone

NAME = "twilio"
SIGNATURE_HEADER = "X-Twilio-Signature"
TWIML_CONTENT_TYPE = "application/xml"
MAX_TEXT = 1600  # Twilio's longest body

# Twilio's message states -> ours.
STATES = {"accepted": SENT, "scheduled": SENT, "queued": SENT, "sending": SENT, "sent": SENT,
          "delivered": DELIVERED, "read": DELIVERED,
          "undelivered": FAILED, "failed": FAILED, "canceled": FAILED}


def valid_signature(url: str, params: Mapping[str, str], signature: str, auth_token: str) -> bool:
    """Whether `signature` is Twilio's for this request: HMAC-SHA1, keyed with the auth token, of
    the full URL Twilio requested (query string included, as received) followed by every POST
    field. Behind a proxy that URL is the public one, not the one the app sees."""
    if not signature or not auth_token:
        return False
    return RequestValidator(auth_token).validate(url, params, signature)


def parse_incoming(fields: dict[str, str], normalize: Normalize) -> IncomingSms:
    """An incoming message: `MessageSid`, `From`, `To`, `Body`; the rest (`AccountSid`, `NumMedia`,
    `FromCountry`...) is ignored."""
    sid = field(fields, "MessageSid")
    sender = phone(field(fields, "From", limit=32), "From", normalize)
    to = field(fields, "To", limit=40)
    text = field(fields, "Body", required=False, limit=MAX_TEXT, text=True)
    if text is None:
        raise BadRequest("Missing field: Body")
    return IncomingSms(provider=NAME, provider_id=sid, sender=sender, to=to, text=text, link_id=None,
                       reply_in_response=True)


def parse_status(fields: dict[str, str]) -> DeliveryReport:
    """A status callback: `MessageSid`, `MessageStatus`, and `ErrorCode` when it failed."""
    sid = field(fields, "MessageSid")
    state = field(fields, "MessageStatus", limit=40)
    if state not in STATES:
        raise BadRequest(f"Unknown status: {state[:40]}")
    code = (fields.get("ErrorCode") or "").strip()[:20]
    return DeliveryReport(provider=NAME, provider_id=sid, status=STATES[state],
                          detail=f"Twilio {code}" if code else state)


def twiml(reply: str | None) -> str:
    """The answer to an incoming message: TwiML sending `reply` back, or an empty <Response/>."""
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return str(response)
