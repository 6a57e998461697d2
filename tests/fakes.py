"""A local fake of the Africa's Talking and Twilio HTTP APIs, for tests.

The real clients (providers/africastalking over plain HTTP, providers/twilio through the `twilio`
SDK) are pointed at `FakeProviders.url` (AT_API_URL, AT_PAYMENTS_URL, TWILIO_API_URL); nothing is
patched. Request and response shapes follow the providers' documentation (see
/work/shared/PROVIDERS.md §2-4).

    fake.url               base URL, e.g. http://127.0.0.1:PORT
    fake.requests          recorded requests (dicts: method, path, headers, args, form, json, auth)
    fake.fail_next(n, status=500, after=0)   the next n requests (after `after` good ones) fail
    fake.delay(seconds)    every request waits this long before answering (timeouts)
    fake.reject_numbers    numbers AT answers with statusCode 403 and Twilio with error 21211
    fake.blacklist_numbers numbers that opted out of bulk SMS: AT answers statusCode 406
                           UserInBlacklist, Twilio error 21610 (PROVIDERS.md §12)
    fake.next_checkout_status       what mobile checkout answers (default "PendingConfirmation")
    fake.reset()           forget requests and controls
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from email.utils import formatdate

import pytest
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

AT_USERNAME = "soko-test"
AT_API_KEY = "at-test-key"
TWILIO_ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
TWILIO_AUTH_TOKEN = "twilio-test-token"
TWILIO_FROM_NUMBER = "+15005550006"

_E164 = re.compile(r"^\+\d{1,3}\d{3,}$")
# GSM 03.38 basic table (without the escape-extension characters).
_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXT = set("^{}\\[~]|€")


def sms_segments(text: str) -> int:
    """How many SMS segments a body needs (GSM-7 160/153, otherwise UCS-2 70/67)."""
    if all(c in _GSM7 or c in _GSM7_EXT for c in text):
        units = sum(2 if c in _GSM7_EXT else 1 for c in text)
        single, multi = 160, 153
    else:
        units = sum(2 if ord(c) > 0xFFFF else 1 for c in text)
        single, multi = 70, 67
    if units <= single:
        return 1
    return -(-units // multi)


class FakeProviders:
    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.at_username = AT_USERNAME
        self.at_api_key = AT_API_KEY
        self.twilio_account_sid = TWILIO_ACCOUNT_SID
        self.twilio_auth_token = TWILIO_AUTH_TOKEN
        self._lock = threading.Lock()
        # Set on reset/stop so a request sleeping in delay() from an earlier test wakes up.
        self._wake = threading.Event()
        self._url_map = Map([
            Rule("/version1/messaging", endpoint="at_sms", methods=["POST"]),
            Rule("/mobile/checkout/request", endpoint="at_checkout", methods=["POST"]),
            Rule("/2010-04-01/Accounts/<sid>/Messages.json", endpoint="twilio_messages", methods=["POST"]),
        ])
        self.reset()
        self._server = make_server(host, port, self._wsgi, threaded=True)
        self.url = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-providers", daemon=True)
        self._thread.start()
        self.running = True

    # -- controls ---------------------------------------------------------------------------
    def reset(self) -> None:
        with self._lock:
            self.requests: list[dict] = []
            self.reject_numbers: set[str] = set()
            self.blacklist_numbers: set[str] = set()
            self.next_checkout_status = "PendingConfirmation"
            self._fail_count = 0
            self._fail_status = 500
            self._fail_after = 0
            self._delay = 0.0
            self._wake.set()
            self._wake = threading.Event()

    def fail_next(self, n: int = 1, status: int = 500, after: int = 0) -> None:
        """The next n requests answer `status`, once `after` requests have gone through normally."""
        with self._lock:
            self._fail_count = n
            self._fail_status = status
            self._fail_after = after

    def delay(self, seconds: float) -> None:
        with self._lock:
            self._delay = float(seconds)

    def stop(self) -> None:
        if not self.running:
            return
        self.running = False
        self._wake.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def requests_to(self, path_fragment: str) -> list[dict]:
        return [r for r in self.requests if path_fragment in r["path"]]

    # -- server -----------------------------------------------------------------------------
    def _wsgi(self, environ, start_response):
        request = Request(environ)
        try:
            response = self._dispatch(request)
        except HTTPException as exc:
            response = exc.get_response(environ)
        return response(environ, start_response)

    def _dispatch(self, request: Request) -> Response:
        body = request.get_data(as_text=True)  # cached first, so form/JSON parsing can still read it
        record = {
            "method": request.method,
            "path": request.path,
            "headers": dict(request.headers),
            "args": request.args.to_dict(),
            "form": request.form.to_dict() if request.mimetype == "application/x-www-form-urlencoded" else None,
            "json": request.get_json(silent=True) if request.is_json else None,
            "auth": (request.authorization.username, request.authorization.password)
            if request.authorization and request.authorization.type == "basic" else None,
            "body": body,
            "at": time.time(),  # when it arrived (bench/pace.py, chaos/ measure delays from it)
        }
        # Decide everything under the lock and before sleeping, so a slow request left over from
        # an earlier test cannot consume this test's controls.
        with self._lock:
            self.requests.append(record)
            delay, wake = self._delay, self._wake
            failing = False
            if self._fail_after > 0:
                self._fail_after -= 1
            elif self._fail_count > 0:
                failing = True
                self._fail_count -= 1
                fail_status = self._fail_status
            rejected = set(self.reject_numbers)
            blacklisted = set(self.blacklist_numbers)
            checkout_status = self.next_checkout_status
        if delay:
            wake.wait(delay)

        endpoint, values = self._url_map.bind_to_environ(request.environ).match()
        if failing:
            return self._failure(endpoint, fail_status)
        if endpoint == "at_sms":
            return self._at_sms(request, rejected, blacklisted)
        if endpoint == "at_checkout":
            return self._at_checkout(request, rejected, checkout_status)
        if endpoint == "twilio_messages":
            return self._twilio_messages(request, values["sid"], rejected, blacklisted)
        raise NotFound()  # pragma: no cover

    @staticmethod
    def _json(data, status: int = 200) -> Response:
        # Exactly "application/json", as AT sends it (its own SDK parses nothing else).
        response = Response(json.dumps(data), status=status)
        response.headers["Content-Type"] = "application/json"
        return response

    def _failure(self, endpoint: str, status: int) -> Response:
        if endpoint == "twilio_messages":
            return self._twilio_error(status, status, "Injected failure")
        return Response(f"Injected failure {status}", status=status, content_type="text/plain")

    # -- Africa's Talking SMS -----------------------------------------------------------------
    def _at_auth_error(self, request: Request, username: str | None) -> Response | None:
        if request.headers.get("apiKey") != self.at_api_key or username != self.at_username:
            # AT answers a bad key/username pair with 401 and a plain-text sentence.
            return Response("The supplied authentication is invalid", status=401, content_type="text/plain")
        return None

    def _at_sms(self, request: Request, rejected: set[str], blacklisted: set[str] = frozenset()) -> Response:
        form = request.form
        error = self._at_auth_error(request, form.get("username"))
        if error:
            return error
        if not form.get("to") or form.get("message") is None:
            return Response("Request is missing required form field 'to' or 'message'", status=400,
                            content_type="text/plain")
        recipients, sent = [], 0
        for number in form["to"].split(","):
            number = number.strip()
            if number in rejected or not _E164.match(number):
                recipients.append({"statusCode": 403, "number": number, "status": "InvalidPhoneNumber",
                                   "cost": "0", "messageId": "None"})
                continue
            if number in blacklisted:
                recipients.append({"statusCode": 406, "number": number, "status": "UserInBlacklist",
                                   "cost": "0", "messageId": "None"})
                continue
            sent += 1
            cost = 0.8 * sms_segments(form["message"])
            recipients.append({"statusCode": 101, "number": number, "status": "Success",
                               "cost": f"KES {cost:.4f}", "messageId": f"ATXid_{uuid.uuid4().hex}"})
        total = 0.8 * sms_segments(form["message"]) * sent
        return self._json({"SMSMessageData": {
            "Message": f"Sent to {sent}/{len(recipients)} Total Cost: KES {total:.4f}",
            "Recipients": recipients,
        }}, status=201)

    # -- Africa's Talking mobile checkout -------------------------------------------------------
    def _at_checkout(self, request: Request, rejected: set[str], status: str) -> Response:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return self._json({"status": "InvalidRequest", "description": "Body must be JSON"}, 400)
        error = self._at_auth_error(request, data.get("username"))
        if error:
            return error
        for name in ("productName", "phoneNumber", "currencyCode", "amount"):
            if name not in data:
                return self._json({"status": "InvalidRequest",
                                   "description": f"The request is missing required member '{name}'"}, 400)
        if data["phoneNumber"] in rejected or not _E164.match(str(data["phoneNumber"])):
            return self._json({"status": "InvalidRequest", "description": "Invalid phone number"}, 400)
        if status != "PendingConfirmation":
            return self._json({"status": status, "description": f"Checkout {status}"}, 201)
        return self._json({"status": "PendingConfirmation", "description": "Waiting for user input",
                           "transactionId": f"ATPid_{uuid.uuid4().hex}"}, 201)

    # -- Twilio Messages -------------------------------------------------------------------------
    @classmethod
    def _twilio_error(cls, status: int, code: int, message: str) -> Response:
        return cls._json({"code": code, "message": message,
                          "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status}, status)

    def _twilio_messages(self, request: Request, sid: str, rejected: set[str],
                         blacklisted: set[str] = frozenset()) -> Response:
        auth = request.authorization
        if (auth is None or auth.type != "basic" or auth.username != self.twilio_account_sid
                or auth.password != self.twilio_auth_token or sid != self.twilio_account_sid):
            return self._twilio_error(401, 20003, "Authenticate")
        form = request.form
        to, from_, body = form.get("To", ""), form.get("From", ""), form.get("Body")
        if not to:
            return self._twilio_error(400, 21604, "A 'To' phone number is required.")
        if to in rejected or not _E164.match(to):
            return self._twilio_error(400, 21211, f"Invalid 'To' Phone Number: {to}")
        if to in blacklisted:
            return self._twilio_error(400, 21610, "Attempt to send to unsubscribed recipient")
        if not from_ and not form.get("MessagingServiceSid"):
            return self._twilio_error(400, 21603, "A 'From' phone number is required.")
        if not body:
            return self._twilio_error(400, 21602, "Message body is required.")
        if len(body) > 1600:
            return self._twilio_error(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
        message_sid = "SM" + uuid.uuid4().hex
        now = formatdate(usegmt=True)
        uri = f"/2010-04-01/Accounts/{sid}/Messages/{message_sid}.json"
        return self._json({
            "account_sid": sid,
            "api_version": "2010-04-01",
            "body": body,
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": from_,
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "num_media": "0",
            "num_segments": str(sms_segments(body)),
            "price": None,
            "price_unit": "USD",
            "sid": message_sid,
            "status": "queued",
            "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
            "to": to,
            "uri": uri,
        }, 201)


def basic_auth(username: str, password: str) -> str:
    """The Authorization header value a client with these credentials sends."""
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


_shared: FakeProviders | None = None
_shared_lock = threading.Lock()


def shared_fake_providers() -> FakeProviders:
    """One server per test process (starting one per test costs a thread and a port)."""
    global _shared
    with _shared_lock:
        if _shared is None or not _shared.running:
            _shared = FakeProviders()
        return _shared


@pytest.fixture
def fake_providers():
    """The shared fake provider server, reset before and after each test. Do not stop() it."""
    fake = shared_fake_providers()
    fake.reset()
    yield fake
    fake.reset()
