"""/simulator: a feature phone in the browser, for trying every journey without a real phone.

The page dials the real `POST /ussd/africastalking` and sends to the real `POST /sms/africastalking`
exactly as Africa's Talking would, as any number; beside the phone it shows that number's SMS.
It can speak as any other enabled aggregator too (`POST /ussd/hubtel` …, in its JSON): a choice
beside the number.
On in development, off in production (SIMULATOR_ENABLED): when off, nothing here is even routed.
"""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify, render_template, request
from sqlalchemy.exc import SQLAlchemyError

from commerce import phones, reports
from gateway import soko

bp = Blueprint("simulator", __name__)

DEFAULT_PHONE = "+254712345678"
DEFAULT_SERVICE_CODE = "*384*123#"
SHORT_CODE = "20880"  # what the SMS is sent to, as Africa's Talking reports it in `to`


def init_app(app: Flask) -> None:
    if soko(app).settings.simulator_enabled:
        app.register_blueprint(bp)


def _with_token(path: str, token: str | None = None) -> str:
    token = token if token is not None else soko().settings.at_webhook_token
    return f"{path}?token={token}" if token else path  # the simulator is a trusted dev tool


# The aggregators the phone can speak as: label, network shown, a sample number of its country.
AGGREGATORS = [("africastalking", "Africa's Talking", "Safaricom", DEFAULT_PHONE),
               ("hubtel", "Hubtel", "MTN GH", "+233241234567"), ("arkesel", "Arkesel", "MTN GH", "+233201234567"),
               ("nalo", "Nalo", "Vodafone GH", "+233271234567"), ("beem", "Beem", "Vodacom TZ", "+255712345678")]


def _aggregators() -> list[dict]:
    s = soko().settings
    return [{"name": name, "label": label, "network": net, "phone": phone,
             "url": _with_token(f"/ussd/{name}", s.aggregator_token(name) or "")}
            for name, label, net, phone in AGGREGATORS if s.aggregator_enabled(name)]

# What each part may text (the SMS box's hint when acting as them). An agent who dials gets the
# agent's USSD menu (Order for a customer, Pickups waiting) from the number alone.
HINTS = {"seller": "e.g. SENT 4829131, ITEMS, SELL Sugar 1kg 150 20",
         "agent": "e.g. PAID 4829131 360 1234, ARRIVED 4829131 1234, BALANCE 1234 (dial for the agent menu)"}


def _people() -> list[dict]:
    """A few sellers and agents to act as, so a newcomer can play every part."""
    try:
        found = reports.people_to_act_as(soko().db)
    except SQLAlchemyError:
        return []  # the phone still works; it just offers no one to act as
    return [{**p, "hint": HINTS.get(p["label"].split(" ")[0].lower(), "")} for p in found]


@bp.get("/simulator")
def page():
    s = soko().settings
    return render_template(
        "simulator.html",
        config={
            "ussdUrl": _with_token("/ussd/africastalking"),
            "ussdEventsUrl": _with_token("/ussd/africastalking/events"),
            "smsUrl": _with_token("/sms/africastalking"),
            "inboxUrl": "/simulator/inbox",
            "serviceCode": (s.ussd_service_codes or (DEFAULT_SERVICE_CODE,))[0],
            "aggregators": _aggregators(),
            "maxChars": s.ussd_max_chars,
            "shortCode": s.at_sender_id or SHORT_CODE,
            "phone": DEFAULT_PHONE,
            "people": [{"phone": DEFAULT_PHONE, "label": "Buyer"}] + _people(),
        },
        shop_name=s.shop_name,
    )


@bp.get("/simulator/inbox")
def inbox():
    raw = request.args.get("phone", "")
    try:
        phone = phones.normalize(raw, soko().settings.default_region)
    except ValueError:
        return jsonify(error="phone must be a phone number like +254712345678"), 400
    return jsonify(phone=phone, messages=reports.conversation(soko().db, phone))
