"""A local fake of M-Pesa Daraja (STK push) and MTN MoMo Collections, for tests.

Built from the documented shapes (PROVIDERS.md §11): Daraja's OAuth, STK push, STK query (HTTP 500
with errorCode 500.001.1001 while the payer has not answered) and the `Body.stkCallback` it posts;
MoMo's token, request-to-pay (202, no body; 409 on a reused X-Reference-Id; 403 for a
python-requests User-Agent), the status query and the callback it sends with PUT (or POST). The real
clients (providers/mpesa, providers/momo) are pointed at `fake.url` (MPESA_API_URL, MOMO_API_URL);
nothing is patched.

    fake.payer = {"+254712345678": "cancel"}   what each payer does: pay (default), cancel,
                                               no_answer, silent (never answers), misreport (the
                                               callback names another amount)
    fake.settle(deliver=...)     every payer answers: transactions become final and their callbacks
                                 go out (dropped with probability fake.drop_rate, sent twice with
                                 fake.duplicate_rate); returns the callbacks delivered
    fake.query_failure_rate      share of status queries answered with HTTP 503
    fake.start_failures          the next n payment requests answer HTTP 503
    fake.revoke_tokens()         every token issued so far is refused from now on
"""

from __future__ import annotations

import base64
import json
import random
import re
import threading
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

MPESA_KEY, MPESA_SECRET = "daraja-consumer-key", "daraja-consumer-secret"
MPESA_SHORTCODE, MPESA_PASSKEY = "174379", "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919"
MOMO_SUBSCRIPTION_KEY, MOMO_API_USER, MOMO_API_KEY = "momo-subscription-key", str(uuid.UUID(int=7)), "momo-api-key"
MOMO_ENVIRONMENTS = {"sandbox", "mtnghana", "mtnuganda"}


@dataclass
class Txn:
    rail: str
    reference: str
    phone: str  # E.164
    amount: str
    currency: str
    order: str  # AccountReference / externalId
    callback_url: str | None
    state: str = "pending"  # pending, paid, failed
    code: str = ""  # M-Pesa ResultCode / MoMo reason
    receipt: str | None = None
    reported_amount: str | None = None
    merchant_id: str = field(default_factory=lambda: f"{random.randint(10000, 99999)}-{random.randint(10**6, 10**7)}-1")


class FakeRails:
    def __init__(self, host: str = "127.0.0.1"):
        self._lock = threading.Lock()
        self.reset()
        self._server = make_server(host, 0, self._wsgi, threaded=True)
        self.url = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-rails", daemon=True)
        self._thread.start()
        self.running = True

    # -- controls ---------------------------------------------------------------------------
    def reset(self, seed: int = 15) -> None:
        with self._lock:
            self.requests: list[dict] = []
            self.txns: dict[str, Txn] = {}
            self.payer: dict[str, str] = {}
            self.tokens: set[str] = set()
            self.token_lifetime = 3599
            self.drop_rate = 0.0
            self.duplicate_rate = 0.0
            self.query_failure_rate = 0.0
            self.start_failures = 0
            self.momo_callback_method = "PUT"
            self.rng = random.Random(seed)

    def revoke_tokens(self) -> None:
        with self._lock:
            self.tokens.clear()

    def stop(self) -> None:
        if self.running:
            self.running = False
            self._server.shutdown()
            self._server.server_close()

    def requests_to(self, fragment: str) -> list[dict]:
        return [r for r in self.requests if fragment in r["path"]]

    def txn(self, reference: str) -> Txn:
        return self.txns[reference]

    def settle(self, deliver=None, references=None) -> list[tuple[str, str, dict]]:
        """Every pending payer answers as `payer` says; the callbacks go to their URLs (by `deliver`
        (method, url, body) or over HTTP), some dropped or doubled. Returns those delivered."""
        delivered = []
        for txn in list(self.txns.values()):
            if txn.state != "pending" or (references is not None and txn.reference not in references):
                continue
            behaviour = self.payer.get(txn.phone, "pay")
            if behaviour == "silent":
                continue
            self._finish(txn, behaviour)
            callback = self.callback(txn)
            if callback is None:
                continue
            with self._lock:
                dropped = self.rng.random() < self.drop_rate
                twice = self.rng.random() < self.duplicate_rate
            if dropped:
                continue
            for _ in range(2 if twice else 1):
                (deliver or http_deliver)(*callback)
                delivered.append(callback)
        return delivered

    def _finish(self, txn: Txn, behaviour: str) -> None:
        if behaviour in ("pay", "misreport"):
            txn.state = "paid"
            txn.code = "0" if txn.rail == "mpesa" else ""
            txn.receipt = ("S" + uuid.uuid4().hex[:9]).upper() if txn.rail == "mpesa" else str(random.randint(10**8, 10**9))
            if behaviour == "misreport":
                txn.reported_amount = str(int(float(txn.amount)) - 1)
        elif behaviour == "cancel":
            txn.state, txn.code = "failed", "1032" if txn.rail == "mpesa" else "APPROVAL_REJECTED"
        elif behaviour == "no_answer":
            txn.state, txn.code = "failed", "1037" if txn.rail == "mpesa" else "EXPIRED"
        else:
            raise ValueError(f"unknown payer behaviour {behaviour!r}")

    def callback(self, txn: Txn) -> tuple[str, str, dict] | None:
        if not txn.callback_url:
            return None
        if txn.rail == "mpesa":
            return "POST", txn.callback_url, mpesa_callback(txn)
        return self.momo_callback_method, txn.callback_url, momo_status(txn)

    # -- server -----------------------------------------------------------------------------
    def _wsgi(self, environ, start_response):
        request = Request(environ)
        body = request.get_data(as_text=True)
        record = {"method": request.method, "path": request.path, "headers": dict(request.headers),
                  "args": request.args.to_dict(), "body": body,
                  "json": request.get_json(silent=True) if request.is_json else None}
        with self._lock:
            self.requests.append(record)
        path = request.path
        if path == "/oauth/v1/generate":
            response = self._mpesa_token(request)
        elif path == "/mpesa/stkpush/v1/processrequest":
            response = self._mpesa_push(request)
        elif path == "/mpesa/stkpushquery/v1/query":
            response = self._mpesa_query(request)
        elif path == "/collection/token/":
            response = self._momo_token(request)
        elif path == "/collection/v1_0/requesttopay" and request.method == "POST":
            response = self._momo_request(request)
        elif path.startswith("/collection/v1_0/requesttopay/") and request.method == "GET":
            response = self._momo_status(request, path.rsplit("/", 1)[1])
        else:
            response = _json({"error": "not found"}, 404)
        return response(environ, start_response)

    def _new_token(self) -> str:
        token = uuid.uuid4().hex
        with self._lock:
            self.tokens.add(token)
        return token

    def _bearer_ok(self, request: Request) -> bool:
        auth = request.headers.get("Authorization", "")
        with self._lock:
            return auth.startswith("Bearer ") and auth[7:] in self.tokens

    def _fail_start(self) -> bool:
        with self._lock:
            if self.start_failures > 0:
                self.start_failures -= 1
                return True
        return False

    def _query_fails(self) -> bool:
        with self._lock:
            return self.rng.random() < self.query_failure_rate

    # -- Daraja ------------------------------------------------------------------------------------
    def _mpesa_token(self, request: Request) -> Response:
        auth = request.authorization
        if request.args.get("grant_type") != "client_credentials":
            return _json({"errorCode": "400.008.02", "errorMessage": "Invalid grant type passed"}, 400)
        if not auth or auth.type != "basic" or (auth.username, auth.password) != (MPESA_KEY, MPESA_SECRET):
            return _json({"errorCode": "400.008.01", "errorMessage": "Invalid Authentication passed"}, 400)
        return _json({"access_token": self._new_token(), "expires_in": str(self.token_lifetime)})

    def _mpesa_error(self, code: str, message: str, status: int = 400) -> Response:
        return _json({"requestId": uuid.uuid4().hex[:12], "errorCode": code, "errorMessage": message}, status)

    def _mpesa_signed(self, data) -> Response | None:
        if not isinstance(data, dict):
            return self._mpesa_error("400.002.02", "Bad Request - Invalid Body")
        ts = str(data.get("Timestamp", ""))
        if not re.fullmatch(r"20\d{12}", ts):
            return self._mpesa_error("400.002.02", "Bad Request - Invalid Timestamp")
        expected = base64.b64encode(f"{MPESA_SHORTCODE}{MPESA_PASSKEY}{ts}".encode()).decode()
        if str(data.get("BusinessShortCode")) != MPESA_SHORTCODE or data.get("Password") != expected:
            return self._mpesa_error("500.001.1001", "Merchant does not exist", 500)
        return None

    def _mpesa_push(self, request: Request) -> Response:
        if not self._bearer_ok(request):
            return self._mpesa_error("404.001.03", "Invalid Access Token", 404)
        data = request.get_json(silent=True)
        refused = self._mpesa_signed(data)
        if refused:
            return refused
        if self._fail_start():
            return self._mpesa_error("503.001.01", "Service Unavailable", 503)
        amount, phone = data.get("Amount"), str(data.get("PhoneNumber", ""))
        if not isinstance(amount, int) or amount < 1:
            return self._mpesa_error("400.002.02", "Bad Request - Invalid Amount")
        if not re.fullmatch(r"2547\d{8}|2541\d{8}", phone) or str(data.get("PartyA")) != phone:
            return self._mpesa_error("400.002.02", "Bad Request - Invalid PhoneNumber")
        ref = data.get("AccountReference")
        if not isinstance(ref, str) or not 1 <= len(ref) <= 12:
            return self._mpesa_error("400.002.02", "Bad Request - Invalid AccountReference")
        if data.get("TransactionType") not in ("CustomerPayBillOnline", "CustomerBuyGoodsOnline"):
            return self._mpesa_error("400.002.02", "Bad Request - Invalid TransactionType")
        url = data.get("CallBackURL")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            return self._mpesa_error("400.002.02", "Bad Request - Invalid CallBackURL")
        checkout = f"ws_CO_{uuid.uuid4().hex[:20]}"
        txn = Txn("mpesa", checkout, "+" + phone, str(amount), "KES", ref, url)
        with self._lock:
            self.txns[checkout] = txn
        return _json({"MerchantRequestID": txn.merchant_id, "CheckoutRequestID": checkout, "ResponseCode": "0",
                      "ResponseDescription": "Success. Request accepted for processing",
                      "CustomerMessage": "Success. Request accepted for processing"})

    def _mpesa_query(self, request: Request) -> Response:
        if not self._bearer_ok(request):
            return self._mpesa_error("404.001.03", "Invalid Access Token", 404)
        data = request.get_json(silent=True)
        refused = self._mpesa_signed(data)
        if refused:
            return refused
        if self._query_fails():
            return self._mpesa_error("503.001.01", "Service Unavailable", 503)
        txn = self.txns.get(str(data.get("CheckoutRequestID")))
        if txn is None:
            return self._mpesa_error("400.002.02", "Bad Request - Invalid CheckoutRequestID")
        if txn.state == "pending":
            return self._mpesa_error("500.001.1001", "The transaction is being processed", 500)
        desc = {"0": "The service request is processed successfully.", "1032": "Request cancelled by user",
                "1037": "DS timeout user cannot be reached"}[txn.code]
        return _json({"ResponseCode": "0", "ResponseDescription": "The service request has been accepted successsfully",
                      "MerchantRequestID": txn.merchant_id, "CheckoutRequestID": txn.reference,
                      "ResultCode": txn.code, "ResultDesc": desc})

    # -- MoMo --------------------------------------------------------------------------------------
    def _momo_key_ok(self, request: Request) -> bool:
        return request.headers.get("Ocp-Apim-Subscription-Key") == MOMO_SUBSCRIPTION_KEY

    def _momo_token(self, request: Request) -> Response:
        auth = request.authorization
        if not self._momo_key_ok(request):
            return _json({"statusCode": 401, "message": "Access denied due to invalid subscription key."}, 401)
        if not auth or auth.type != "basic" or (auth.username, auth.password) != (MOMO_API_USER, MOMO_API_KEY):
            return _json({"error": "login_failed"}, 401)
        return _json({"access_token": self._new_token(), "token_type": "access_token",
                      "expires_in": self.token_lifetime})

    def _momo_guard(self, request: Request) -> Response | None:
        if request.headers.get("User-Agent", "").startswith("python-requests"):
            return Response("Forbidden", status=403)  # MTN's gateway quirk (PROVIDERS.md §11)
        if not self._momo_key_ok(request):
            return _json({"statusCode": 401, "message": "Access denied due to invalid subscription key."}, 401)
        if not self._bearer_ok(request):
            return _json({"statusCode": 401, "message": "Unauthorized"}, 401)
        if request.headers.get("X-Target-Environment") not in MOMO_ENVIRONMENTS:
            return _json({"code": "NOT_ALLOWED_TARGET_ENVIRONMENT", "message": "Access to target environment is forbidden."}, 403)
        return None

    def _momo_request(self, request: Request) -> Response:
        refused = self._momo_guard(request)
        if refused:
            return refused
        ref = request.headers.get("X-Reference-Id", "")
        if not re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", ref):
            return _json({"code": "INVALID_REFERENCE_ID", "message": "X-Reference-Id must be a UUID v4"}, 400)
        if ref in self.txns:
            return _json({"code": "RESOURCE_ALREADY_EXIST", "message": "Duplicated reference id. Creation for resource failed."}, 409)
        if self._fail_start():
            return _json({"code": "INTERNAL_PROCESSING_ERROR", "message": "An internal error occurred."}, 503)
        data = request.get_json(silent=True)
        payer = data.get("payer") if isinstance(data, dict) else None
        if (not isinstance(data, dict) or not isinstance(data.get("amount"), str)
                or not re.fullmatch(r"\d+(\.\d+)?", data["amount"]) or not isinstance(payer, dict)
                or payer.get("partyIdType") != "MSISDN" or not re.fullmatch(r"\d{9,15}", str(payer.get("partyId")))
                or not re.fullmatch(r"[A-Z]{3}", str(data.get("currency")))):
            return _json({"code": "INVALID_REQUEST", "message": "amount, currency and payer are required"}, 400)
        txn = Txn("momo", ref, "+" + payer["partyId"], data["amount"], data["currency"], str(data.get("externalId", "")),
                  request.headers.get("X-Callback-Url"))
        with self._lock:
            self.txns[ref] = txn
        return Response(status=202)

    def _momo_status(self, request: Request, ref: str) -> Response:
        refused = self._momo_guard(request)
        if refused:
            return refused
        if self._query_fails():
            return _json({"code": "SERVICE_UNAVAILABLE", "message": "Service unavailable"}, 503)
        txn = self.txns.get(ref)
        if txn is None:
            return _json({"code": "RESOURCE_NOT_FOUND", "message": "Requested resource was not found."}, 404)
        return _json(momo_status(txn))


def mpesa_callback(txn: Txn) -> dict:
    cb = {"MerchantRequestID": txn.merchant_id, "CheckoutRequestID": txn.reference, "ResultCode": int(txn.code)}
    if txn.state == "paid":
        cb["ResultDesc"] = "The service request is processed successfully."
        cb["CallbackMetadata"] = {"Item": [
            {"Name": "Amount", "Value": float(txn.reported_amount or txn.amount)},
            {"Name": "MpesaReceiptNumber", "Value": txn.receipt},
            {"Name": "Balance"},
            {"Name": "TransactionDate", "Value": 20261201102115},
            {"Name": "PhoneNumber", "Value": int(txn.phone[1:])},
        ]}
    else:
        cb["ResultDesc"] = {"1032": "Request cancelled by user", "1037": "DS timeout user cannot be reached"}[txn.code]
    return {"Body": {"stkCallback": cb}}


def momo_status(txn: Txn) -> dict:
    body = {"amount": txn.reported_amount or txn.amount, "currency": txn.currency, "externalId": txn.order,
            "payer": {"partyIdType": "MSISDN", "partyId": txn.phone[1:]}, "payerMessage": f"Soko order {txn.order}",
            "payeeNote": f"Order {txn.order}", "status": {"pending": "PENDING", "paid": "SUCCESSFUL", "failed": "FAILED"}[txn.state]}
    if txn.state == "paid":
        body["financialTransactionId"] = txn.receipt
    if txn.state == "failed":
        body["reason"] = txn.code
    return body


def http_deliver(method: str, url: str, body: dict) -> None:
    requests.request(method, url, json=body, timeout=10)


def client_deliver(client):
    """Deliver callbacks to a Flask test client: the URL's path and query, the body as JSON."""
    def deliver(method: str, url: str, body: dict):
        parts = urlsplit(url)
        return client.open(parts.path, method=method, query_string=dict(parse_qsl(parts.query)), json=body)
    return deliver


def _json(data, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, content_type="application/json")


_shared: FakeRails | None = None
_shared_lock = threading.Lock()


@pytest.fixture
def fake_rails():
    """One fake rails server per test process, reset before and after each test."""
    global _shared
    with _shared_lock:
        if _shared is None or not _shared.running:
            _shared = FakeRails()
    _shared.reset()
    yield _shared
    _shared.reset()
