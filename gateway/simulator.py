"""/simulator: a feature phone in the browser, for trying every journey without a real phone.

The page posts hops and SMS exactly as Africa's Talking would, as any number, to
`/simulator/send/<webhook>`, which hands them to the real webhook (`POST /ussd/africastalking`,
`/sms/africastalking`, …) inside this process with the webhook's `?token=` added here: the token is
never in the page. Beside the phone it shows that number's SMS.

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


def _people() -> list[dict]:
    """A few sellers and agents to act as, so a newcomer can play every part."""
    try:
        return reports.people_to_act_as(soko().db)
    except SQLAlchemyError:
        return []  # the phone still works; it just offers no one to act as


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
            "serviceCode": s.ussd_service_code or DEFAULT_SERVICE_CODE,
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
