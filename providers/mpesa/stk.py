"""M-Pesa Daraja STK push (PROVIDERS.md §11): the OAuth token, the STK request, the result callback
Daraja posts to CallBackURL (`Body.stkCallback`), the acknowledgement it expects, and the STK
status query. Plain `requests`; the base URL (setting MPESA_API_URL) is applied here only."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import requests

from providers.base import (
    RAIL_FAILED,
    RAIL_PAID,
    RAIL_PENDING,
    BadRequest,
    ProviderError,
    RailResult,
    RailStart,
)
from providers.rails_http import TIMEOUT, Sessions, TokenCache, json_body, token_from, transport_error

API_URL = "https://api.safaricom.co.ke"
SANDBOX_URL = "https://sandbox.safaricom.co.ke"
NAME = "mpesa"
# What Daraja expects back from the callback URL; anything else and it may post again.
ACK = {"ResultCode": 0, "ResultDesc": "Accepted"}
# ResultCode: 0 paid; everything else failed. Two are the payer's doing and worth naming.
PAID, CANCELLED, NO_ANSWER = 0, 1032, 1037
MEANING = {PAID: "paid", CANCELLED: "cancelled by the payer", NO_ANSWER: "no answer from the phone"}
# The STK status query answers HTTP 500 with this errorCode while the payer has not answered yet.
STILL_PROCESSING = "500.001.1001"
# Daraja refuses an expired or unknown token with this errorCode (HTTP 404 or 401).
BAD_TOKEN = "404.001.03"
ACCOUNT_REFERENCE_MAX = 12
TRANSACTION_DESC_MAX = 13
NAIROBI = ZoneInfo("Africa/Nairobi")  # Daraja's timestamps are Kenyan time


def timestamp(now: datetime | None = None) -> str:
    return (now or datetime.now(NAIROBI)).astimezone(NAIROBI).strftime("%Y%m%d%H%M%S")


def password(shortcode: str, passkey: str, ts: str) -> str:
    """base64(shortcode + passkey + timestamp), as Daraja checks it."""
    return base64.b64encode(f"{shortcode}{passkey}{ts}".encode()).decode()


def msisdn(e164: str) -> str:
    """Daraja's phone form: 2547XXXXXXXX, no '+'."""
    if not re.fullmatch(r"\+254\d{9}", e164 or ""):
        raise ProviderError(f"M-Pesa takes Kenyan numbers (+254…), got {e164!r}", retryable=False)
    return e164[1:]


def whole_amount(amount: Decimal) -> int:
    if amount != amount.to_integral_value() or amount <= 0:
        raise ProviderError(f"M-Pesa takes whole shillings above zero, got {amount}", retryable=False)
    return int(amount)


def result_state(code: int) -> str:
    return RAIL_PAID if code == PAID else RAIL_FAILED


def describe(code: int, desc: str) -> str:
    meaning = MEANING.get(code)
    return f"{meaning}: {desc}" if meaning and desc else (meaning or desc)


# -- the callback ---------------------------------------------------------------------------------

def _code(raw) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and re.fullmatch(r"\d{1,9}", raw.strip()):
        return int(raw)
    return None


def _short_text(data: dict, name: str, limit: int = 200) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str | int) or isinstance(value, bool) or "\x00" in str(value):
        raise BadRequest(f"{name} must be text")
    return str(value)[:limit]


def _items(meta) -> dict:
    if not isinstance(meta, dict) or not isinstance(meta.get("Item"), list):
        raise BadRequest("CallbackMetadata.Item must be a list on a paid result")
    items = {}
    for item in meta["Item"]:
        if not isinstance(item, dict) or not isinstance(item.get("Name"), str):
            raise BadRequest("CallbackMetadata.Item entries must be objects with a Name")
        items[item["Name"]] = item.get("Value")  # "Balance" comes with no Value
    return items


def _amount(raw) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise BadRequest("Amount must be a number")
    try:
        # A JSON float like 1.0 is read through its shortest text, never as a binary fraction.
        value = Decimal(repr(raw) if isinstance(raw, float) else str(raw).strip())
    except InvalidOperation:
        raise BadRequest("Amount must be a number") from None
    if not value.is_finite() or value <= 0:
        raise BadRequest("Amount must be a number above zero")
    return value


def parse_callback(body: bytes) -> RailResult:
    """Daraja's result callback, `{"Body": {"stkCallback": {…}}}`, as a RailResult; BadRequest (the
    400 reason) when malformed. A paid result must carry its Amount and MpesaReceiptNumber."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BadRequest("Body must be a JSON object") from None
    cb = data.get("Body") if isinstance(data, dict) else None
    cb = cb.get("stkCallback") if isinstance(cb, dict) else None
    if not isinstance(cb, dict):
        raise BadRequest("Body.stkCallback is missing")
    ref = cb.get("CheckoutRequestID")
    if not isinstance(ref, str) or not ref.strip() or len(ref) > 80 or "\x00" in ref:
        raise BadRequest("CheckoutRequestID is missing or malformed")
    code = _code(cb.get("ResultCode"))
    if code is None:
        raise BadRequest("ResultCode must be a whole number")
    desc = _short_text(cb, "ResultDesc")
    if code != PAID:
        return RailResult(ref.strip(), RAIL_FAILED, str(code), describe(code, desc))
    items = _items(cb.get("CallbackMetadata"))
    receipt = items.get("MpesaReceiptNumber")
    if not isinstance(receipt, str) or not re.fullmatch(r"[A-Z0-9]{6,20}", receipt.strip()):
        raise BadRequest("MpesaReceiptNumber is missing or malformed")
    phone = items.get("PhoneNumber")
    payer = f"+{phone}" if isinstance(phone, int | str) and re.fullmatch(r"\d{9,15}", str(phone)) else None
    return RailResult(ref.strip(), RAIL_PAID, "0", describe(code, desc), amount=_amount(items.get("Amount")),
                      currency="KES", receipt=receipt.strip(), payer=payer)


# -- the client -----------------------------------------------------------------------------------

class DarajaClient:
    """STK push and its status query for one shortcode. Thread-safe: one token for all threads."""

    name = NAME

    def __init__(self, consumer_key: str, consumer_secret: str, shortcode: str, passkey: str, callback_url: str,
                 base_url: str | None = None, till_number: str | None = None, timeout=TIMEOUT):
        self.shortcode, self.passkey, self.callback_url = shortcode, passkey, callback_url
        self.base_url = (base_url or API_URL).rstrip("/")
        self.timeout = timeout
        # A till (Buy Goods) is paid to its own number; a paybill to the shortcode.
        self.transaction_type = "CustomerBuyGoodsOnline" if till_number else "CustomerPayBillOnline"
        self.party_b = till_number or shortcode
        self._auth = (consumer_key, consumer_secret)
        self._sessions = Sessions()
        self.tokens = TokenCache(self._fetch_token)

    def _fetch_token(self) -> tuple[str, float]:
        try:
            res = self._sessions.get().get(self.base_url + "/oauth/v1/generate",
                                           params={"grant_type": "client_credentials"}, auth=self._auth,
                                           timeout=self.timeout)
        except requests.RequestException as exc:
            raise transport_error("M-Pesa token", exc) from exc
        return token_from("M-Pesa", res, "MPESA_CONSUMER_KEY and MPESA_CONSUMER_SECRET", 3599.0)

    def _post(self, path: str, payload: dict, what: str) -> tuple[int, dict]:
        """POST with the bearer token; a token Daraja refuses is fetched again once."""
        for attempt in (1, 2):
            token = self.tokens.get()
            try:
                res = self._sessions.get().post(self.base_url + path, json=payload, timeout=self.timeout,
                                                headers={"Authorization": f"Bearer {token}"})
            except requests.RequestException as exc:
                raise transport_error(what, exc) from exc
            data = json_body(what, res)
            if (res.status_code == 401 or data.get("errorCode") == BAD_TOKEN) and attempt == 1:
                self.tokens.forget(token)
                continue
            return res.status_code, data
        raise AssertionError("unreachable")  # pragma: no cover

    def _signed(self) -> dict:
        ts = timestamp()
        return {"BusinessShortCode": self.shortcode, "Password": password(self.shortcode, self.passkey, ts),
                "Timestamp": ts}

    def request_payment(self, phone: str, country: str, amount: Decimal, currency: str,
                        order_code: str) -> RailStart:
        if currency != "KES":
            raise ProviderError(f"M-Pesa takes KES, not {currency}", retryable=False)
        if not order_code or len(order_code) > ACCOUNT_REFERENCE_MAX:
            raise ProviderError(f"AccountReference must be 1-12 characters, got {order_code!r}", retryable=False)
        number = msisdn(phone)
        payload = {**self._signed(), "TransactionType": self.transaction_type, "Amount": whole_amount(amount),
                   "PartyA": number, "PartyB": self.party_b, "PhoneNumber": number,
                   "CallBackURL": self.callback_url, "AccountReference": order_code,
                   "TransactionDesc": f"Order {order_code}"[:TRANSACTION_DESC_MAX]}
        status, data = self._post("/mpesa/stkpush/v1/processrequest", payload, "M-Pesa STK push")
        if status != 200:
            raise ProviderError.from_status(
                status, f"M-Pesa STK push HTTP {status}: {data.get('errorCode')} {data.get('errorMessage')}")
        ref = data.get("CheckoutRequestID")
        code = str(data.get("ResponseCode", ""))
        desc = str(data.get("CustomerMessage") or data.get("ResponseDescription") or "")[:200]
        if code != "0" or not isinstance(ref, str) or not ref:
            return RailStart(ref if isinstance(ref, str) else "", False, code, desc)
        return RailStart(ref, True, code, desc)

    def status(self, reference: str, country: str = "KE") -> RailResult:
        status, data = self._post("/mpesa/stkpushquery/v1/query", {**self._signed(), "CheckoutRequestID": reference},
                                  "M-Pesa STK query")
        if data.get("errorCode") == STILL_PROCESSING:
            return RailResult(reference, RAIL_PENDING, STILL_PROCESSING, str(data.get("errorMessage", ""))[:200])
        if status != 200:
            raise ProviderError.from_status(
                status, f"M-Pesa STK query HTTP {status}: {data.get('errorCode')} {data.get('errorMessage')}")
        code = _code(data.get("ResultCode"))
        if code is None:
            raise ProviderError(f"M-Pesa STK query: no ResultCode in {str(data)[:200]}", retryable=True)
        return RailResult(reference, result_state(code), str(code), describe(code, str(data.get("ResultDesc", ""))))
