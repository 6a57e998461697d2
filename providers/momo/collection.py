"""MTN MoMo Collections (PROVIDERS.md §11): the token, request-to-pay with a new UUID
`X-Reference-Id` per attempt, the callback MoMo sends with POST or PUT (the same body as the status
query), and `GET requesttopay/{referenceId}`, the truth. Plain `requests` with Soko's own
User-Agent; the base URL (setting MOMO_API_URL) is applied here only."""

from __future__ import annotations

import json
import re
import uuid
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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

API_URL = "https://proxy.momoapi.mtn.com"
SANDBOX_URL = "https://sandbox.momodeveloper.mtn.com"
NAME = "momo"
STATES = {"SUCCESSFUL": RAIL_PAID, "FAILED": RAIL_FAILED, "PENDING": RAIL_PENDING}
REF_PARAM = "ref"  # our callback URL names the attempt: MoMo's callback body does not always
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def is_reference(value: str | None) -> bool:
    return isinstance(value, str) and _UUID.fullmatch(value) is not None


def with_reference(callback_url: str, reference: str) -> str:
    """The callback URL for one attempt: `?ref=<X-Reference-Id>` added to its query."""
    parts = urlsplit(callback_url)
    query = parse_qsl(parts.query, keep_blank_values=True) + [(REF_PARAM, reference)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _reason(raw) -> str:
    """`reason` is a code ("APPROVAL_REJECTED") or, in older versions, {"code", "message"}."""
    if isinstance(raw, dict):
        raw = raw.get("code") or raw.get("message")
    return raw[:80] if isinstance(raw, str) else ""


def _amount(raw) -> Decimal | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise ValueError("amount must be a decimal string")
    text = str(raw).strip()
    if not re.fullmatch(r"\d{1,15}(\.\d{1,6})?", text):  # no exponents, signs or NaN
        raise ValueError("amount must be a decimal string")
    return Decimal(text)


def read_result(data: dict, reference: str) -> RailResult:
    """A request-to-pay as MoMo describes it (status query body, or callback body); ValueError with
    the reason when it is not one."""
    status = data.get("status")
    if status not in STATES:
        raise ValueError("status must be SUCCESSFUL, FAILED or PENDING")
    reason = _reason(data.get("reason"))
    amount = _amount(data.get("amount"))
    currency = data.get("currency")
    if currency is not None and (not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency)):
        raise ValueError("currency must be an ISO 4217 code")
    state = STATES[status]
    if state == RAIL_PAID and (amount is None or currency is None):
        raise ValueError("a SUCCESSFUL request-to-pay must carry amount and currency")
    receipt = data.get("financialTransactionId")
    receipt = receipt[:80] if isinstance(receipt, str) and receipt and "\x00" not in receipt else None
    payer = data.get("payer")
    party = payer.get("partyId") if isinstance(payer, dict) else None
    external = data.get("externalId")
    return RailResult(
        reference, state, f"{status} {reason}".strip(), reason or status.lower(), amount=amount,
        currency=currency, receipt=receipt,
        payer=f"+{party}" if isinstance(party, str) and re.fullmatch(r"\d{9,15}", party) else None,
        order_code=external[:20] if isinstance(external, str) and external and "\x00" not in external else None)


def parse_callback(body: bytes, url_reference: str | None) -> RailResult:
    """MoMo's callback (POST or PUT to X-Callback-Url). The attempt is named by `referenceId` in the
    body when MoMo sends it, else by the `?ref=` our callback URL carried. BadRequest when malformed."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BadRequest("Body must be a JSON object") from None
    if not isinstance(data, dict):
        raise BadRequest("Body must be a JSON object")
    reference = data.get("referenceId") or url_reference
    if not is_reference(reference):
        raise BadRequest("referenceId is missing or not a UUID (in the body, or ?ref= in the callback URL)")
    try:
        return read_result(data, reference.lower())
    except ValueError as exc:
        raise BadRequest(str(exc)) from None


class MomoCollection:
    """Request-to-pay and its status for one Collections subscription; `environments` maps a buyer's
    country to MoMo's X-Target-Environment ("*" for any other)."""

    name = NAME

    def __init__(self, subscription_key: str, api_user: str, api_key: str, environments: dict[str, str],
                 callback_url: str | None = None, base_url: str | None = None, timeout=TIMEOUT):
        self.environments = environments
        self.callback_url = callback_url
        self.base_url = (base_url or API_URL).rstrip("/")
        self.timeout = timeout
        self._key = subscription_key
        self._auth = (api_user, api_key)
        self._sessions = Sessions()
        self.tokens = TokenCache(self._fetch_token)

    def environment(self, country: str) -> str:
        env = self.environments.get(country) or self.environments.get("*")
        if not env:
            raise ProviderError(f"MoMo has no target environment for {country} (MOMO_TARGET_ENVIRONMENT)",
                                retryable=False)
        return env

    def _fetch_token(self) -> tuple[str, float]:
        try:
            res = self._sessions.get().post(self.base_url + "/collection/token/", auth=self._auth,
                                            headers={"Ocp-Apim-Subscription-Key": self._key}, timeout=self.timeout)
        except requests.RequestException as exc:
            raise transport_error("MoMo token", exc) from exc
        return token_from("MoMo", res, "MOMO_API_USER, MOMO_API_KEY and MOMO_SUBSCRIPTION_KEY", 3600.0)

    def _call(self, method: str, path: str, env: str, what: str, headers: dict | None = None,
              body: dict | None = None) -> requests.Response:
        for attempt in (1, 2):
            token = self.tokens.get()
            sent = {"Authorization": f"Bearer {token}", "X-Target-Environment": env,
                    "Ocp-Apim-Subscription-Key": self._key, **(headers or {})}
            try:
                res = self._sessions.get().request(method, self.base_url + path, headers=sent, json=body,
                                                   timeout=self.timeout)
            except requests.RequestException as exc:
                raise transport_error(what, exc) from exc
            if res.status_code == 401 and attempt == 1:
                self.tokens.forget(token)
                continue
            return res
        raise AssertionError("unreachable")  # pragma: no cover

    def request_payment(self, phone: str, country: str, amount: Decimal, currency: str,
                        order_code: str) -> RailStart:
        """202 means MoMo is asking the payer. The reference is ours, made before the call: a call
        that timed out still names a request whose fate the status query can tell."""
        if not re.fullmatch(r"\+\d{9,15}", phone or ""):
            raise ProviderError(f"not an E.164 number: {phone!r}", retryable=False)
        if amount <= 0:
            raise ProviderError(f"amount must be above zero, got {amount}", retryable=False)
        reference = str(uuid.uuid4())  # a new one every attempt: MoMo answers a reused one with 409
        headers = {"X-Reference-Id": reference}
        if self.callback_url:
            headers["X-Callback-Url"] = with_reference(self.callback_url, reference)
        body = {"amount": format(amount, "f"), "currency": currency, "externalId": order_code,
                "payer": {"partyIdType": "MSISDN", "partyId": phone[1:]},
                "payerMessage": f"Soko order {order_code}"[:160], "payeeNote": f"Order {order_code}"[:160]}
        try:
            res = self._call("POST", "/collection/v1_0/requesttopay", self.environment(country),
                             "MoMo request-to-pay", headers, body)
        except ProviderError as exc:
            exc.reference = reference  # the worker keeps it: the status query may still find it
            raise
        if res.status_code == 202:
            return RailStart(reference, True, "202", "Accepted: the payer is being asked")
        detail = res.text[:200]
        if res.status_code >= 500 or res.status_code == 429:
            exc = ProviderError.from_status(res.status_code, f"MoMo request-to-pay HTTP {res.status_code}: {detail}")
            exc.reference = reference
            raise exc
        return RailStart(reference, False, str(res.status_code), detail)

    def status(self, reference: str, country: str) -> RailResult:
        res = self._call("GET", f"/collection/v1_0/requesttopay/{reference}", self.environment(country),
                         "MoMo status")
        if res.status_code == 404:
            # MoMo never took this request (its request-to-pay failed before MoMo saw it).
            return RailResult(reference, RAIL_FAILED, "404 RESOURCE_NOT_FOUND", "MoMo has no such request")
        if res.status_code != 200:
            raise ProviderError.from_status(res.status_code, f"MoMo status HTTP {res.status_code}: {res.text[:200]}")
        data = json_body("MoMo status", res)
        try:
            return read_result(data, reference)
        except ValueError as exc:
            raise ProviderError(f"MoMo status: {exc}: {str(data)[:200]}", retryable=True) from None
