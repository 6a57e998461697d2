"""/simulator: a feature phone in the browser, for trying every journey without a real phone.

The page posts hops and SMS exactly as the provider would, as any number, to
`/simulator/send/<webhook>`, which hands them to the real webhook (`POST /ussd/africastalking`,
`/sms/africastalking`, `/ussd/hubtel` …) inside this process with the webhook's `?token=` added
here: no token is ever in the page. It can speak as any other enabled aggregator (in its JSON): a
choice beside the number. Beside the phone it shows that number's SMS.

Acting as any number and reading anyone's SMS is the operator's power: every route here needs the
admin sign-in (and a post, the session's CSRF token in `X-CSRF-Token`). Development only: with
SIMULATOR_ENABLED off nothing here is routed, and production refuses to start with it on.
"""

from __future__ import annotations

import hmac
import re
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, current_app, jsonify, redirect, render_template, request, url_for
from sqlalchemy.exc import SQLAlchemyError

from commerce import phones, reports
from config import webhook_token
from gateway import soko
from gateway.admin import auth
from gateway.webhook import plain

bp = Blueprint("simulator", __name__)

DEFAULT_PHONE = "+254712345678"
DEFAULT_SERVICE_CODE = "*384*123#"
SHORT_CODE = "20880"  # what the SMS is sent to, as Africa's Talking reports it in `to`


# The webhooks the page may post to: a provider's USSD hops and session ends, and incoming SMS.
_TARGET = re.compile(r"(ussd|sms)/[a-z0-9_]{1,32}(/events)?")


def init_app(app: Flask) -> None:
    settings = soko(app).settings
    # load_settings refuses SIMULATOR_ENABLED in production; a Settings built in code is held to it here.
    if settings.simulator_enabled and not settings.production:
        app.register_blueprint(bp)


@bp.before_request
def _guard():
    if not soko().settings.admin_token:
        return plain("The simulator acts as any phone number, so it needs the admin sign-in: set ADMIN_TOKEN "
                     "(make run makes one up and prints it)\n", 401)
    if not auth.signed_in():
        if request.method == "GET" and request.endpoint == "simulator.page":
            return redirect(url_for("admin.login", next="/simulator"))
        if request.endpoint == "simulator.inbox":
            return jsonify(error="Sign in at /admin/login first"), 401
        return plain("Sign in at /admin/login first\n", 401)
    if request.method == "POST":
        given, expected = request.headers.get("X-CSRF-Token", ""), auth.csrf_token()
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            return plain("Missing or stale X-CSRF-Token: reload the simulator page\n", 403)
    return None


def _sent_through(path: str) -> str:
    return "/simulator/send" + path


# The aggregators the phone can speak as: label, network shown, a sample number of its country.
AGGREGATORS = [("africastalking", "Africa's Talking", "Safaricom", DEFAULT_PHONE),
               ("hubtel", "Hubtel", "MTN GH", "+233241234567"), ("arkesel", "Arkesel", "MTN GH", "+233201234567"),
               ("nalo", "Nalo", "Vodafone GH", "+233271234567"), ("beem", "Beem", "Vodacom TZ", "+255712345678")]


def _aggregators() -> list[dict]:
    s = soko().settings
    return [{"name": name, "label": label, "network": net, "phone": phone,
             "url": _sent_through(f"/ussd/{name}")}
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
            "ussdUrl": _sent_through("/ussd/africastalking"),
            "ussdEventsUrl": _sent_through("/ussd/africastalking/events"),
            "smsUrl": _sent_through("/sms/africastalking"),
            "csrf": auth.csrf_token(),
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


@bp.post("/simulator/send/<path:target>")
def send(target: str):
    """The page's post, handed to the real webhook in this process with its token added."""
    if not _TARGET.fullmatch(target):
        return plain("The simulator posts only to /ussd/<provider>[/events] and /sms/<provider>\n", 404)
    path = "/" + target
    token = webhook_token(soko().settings, path)
    url = path + ("?" + urlencode({"token": token}) if token else "")
    res = current_app.test_client().post(url, data=request.get_data(), content_type=request.content_type)
    return Response(res.get_data(), status=res.status_code, content_type=res.content_type)
