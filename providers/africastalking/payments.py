"""Africa's Talking mobile checkout (C2B): the checkout request over REST, and the JSON payment
notification AT posts when the payer answers (PROVIDERS.md §3). Payments left AT's Python SDK in
1.2.7, so both are plain HTTP here."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import requests

from providers.africastalking.http import DEFAULT_TIMEOUT, Sessions, is_e164, read_body, request_error
from providers.base import (
    PAYMENT_FAILED,
    PAYMENT_OTHER,
    PAYMENT_SUCCEEDED,
    BadRequest,
    CheckoutResult,
    PaymentNotice,
    ProviderError,
    is_retryable_status,
)

PAYMENTS_URL = "https://payments.africastalking.com"
PAYMENTS_SANDBOX_URL = "https://payments.sandbox.africastalking.com"
WAITING = "PendingConfirmation"  # the checkout answer: AT is now prompting the payer

# -- the payment notification -------------------------------------------------------------------

STATES = {"Success": PAYMENT_SUCCEEDED, "Failed": PAYMENT_FAILED}
# "KES 375.0000": an ISO code, then the amount in major units.
_VALUE = re.compile(r"(?P<cur>[A-Z]{3})\s+(?P<num>[0-9]+(?:\.[0-9]+)?)")
_MAX_VALUE = 64


def _text(data: dict, name: str, limit: int = 200) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise BadRequest(f"{name} must be text")
    value = str(value)
    if "\x00" in value:  # PostgreSQL refuses NUL in text: better a 400 than a 500 on every retry
        raise BadRequest(f"{name} contains a NUL character")
    return value[:limit]


def _value(raw: object) -> tuple[Decimal, str] | None:
    match = _VALUE.fullmatch(raw.strip()) if isinstance(raw, str) and len(raw) <= _MAX_VALUE else None
    return (Decimal(match["num"]), match["cur"]) if match else None


def parse_notification(body: bytes) -> PaymentNotice:
    """The notification's raw JSON body; BadRequest (the 400 reason) when malformed.

    `value` ("KES 375.0000") is required on a successful payment only. The order is named by the
    `requestMetadata.orderCode` our checkout sent, or, for a paybill payment, by the account number
    the payer typed (`clientAccount`)."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BadRequest("Body must be a JSON object") from None
    except RecursionError:  # `{"a":{"a":…` thousands deep: the parser gives up before the 64 KB limit
        raise BadRequest("Body is nested too deeply") from None
    if not isinstance(data, dict):
        raise BadRequest("Body must be a JSON object")
    tid = data.get("transactionId")
    if not isinstance(tid, str) or not tid.strip() or len(tid) > 80 or "\x00" in tid:
        raise BadRequest("transactionId is missing or malformed")
    status = data.get("status")
    if not isinstance(status, str) or not status.strip() or len(status) > 40 or "\x00" in status:
        raise BadRequest("status is missing or malformed")
    status = status.strip()
    outcome = STATES.get(status, PAYMENT_OTHER)
    value = _value(data.get("value"))
    if value is None and outcome == PAYMENT_SUCCEEDED:
        raise BadRequest("value must look like 'KES 375.0000'")
    meta = data.get("requestMetadata")
    if meta is not None and not isinstance(meta, dict):
        raise BadRequest("requestMetadata must be an object")
    order_code = (meta or {}).get("orderCode")
    if not isinstance(order_code, str) or not order_code.strip():
        order_code = _text(data, "clientAccount", 20)
    elif "\x00" in order_code:
        raise BadRequest("orderCode contains a NUL character")
    return PaymentNotice(
        transaction_id=tid.strip(), status=outcome, provider_status=status,
        amount=value[0] if value else None, currency=value[1] if value else None,
        order_code=order_code.strip() if order_code else None,
        description=_text(data, "description") or "", provider_ref=_text(data, "providerRefId", 80),
        payer=_text(data, "source", 40), category=_text(data, "category", 40) or "",
    )


# -- the checkout request -------------------------------------------------------------------------

_AMOUNT = re.compile(r"^\d{1,12}(\.\d{1,4})?$")


def _json_amount(amount: str) -> int | float:
    """AT wants a JSON number. Money stays a string until here, and we only let a float carry it
    when the float prints back as exactly that decimal (true up to 15 significant digits)."""
    if not _AMOUNT.match(amount):
        raise ProviderError(f"amount must be a positive decimal string, got {amount!r}", retryable=False)
    value = Decimal(amount)
    if value <= 0:
        raise ProviderError(f"amount must be positive, got {amount!r}", retryable=False)
    if value == value.to_integral_value():
        return int(value)
    number = float(value)
    if Decimal(repr(number)) != value:
        raise ProviderError(f"amount {amount!r} cannot be sent exactly", retryable=False)
    return number


class AfricasTalkingPayments:
    """Mobile checkout (C2B) over AT's REST API. The base URL (setting AT_PAYMENTS_URL) is applied
    here only."""

    name = "africastalking"

    def __init__(
        self,
        username: str,
        api_key: str,
        product_name: str,
        base_url: str | None = None,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
    ):
        self.username = username
        self.product_name = product_name
        self.timeout = timeout
        # As the 1.2.6 SDK did: the sandbox is chosen by the username alone.
        default = PAYMENTS_SANDBOX_URL if username == "sandbox" else PAYMENTS_URL
        self.base_url = (base_url or default).rstrip("/")
        self.checkout_url = self.base_url + "/mobile/checkout/request"
        self._headers = {
            "apiKey": api_key,
            "Accept": "application/json",
            "Content-Type": "application/json",
        }
        self._sessions = Sessions()

    def checkout(
        self,
        phone_number: str,
        currency: str,
        amount: str,
        order_code: str | None,
        provider_channel: str | None = None,
    ) -> CheckoutResult:
        """Ask AT to prompt the subscriber for `amount` (major units, a decimal string) for
        `order_code`, which the notification brings back. Returns AT's immediate answer; the outcome
        arrives later as a payment notification. Raises ProviderError on transport/HTTP failure."""
        if not is_e164(phone_number):
            raise ProviderError(f"not an E.164 number: {phone_number!r}", retryable=False)
        if not re.fullmatch(r"[A-Z]{3}", currency or ""):
            raise ProviderError(f"currency must be an ISO 4217 code, got {currency!r}", retryable=False)
        if order_code is not None and not isinstance(order_code, str):
            raise ProviderError(f"order code must be text, got {order_code!r}", retryable=False)
        # AT hands `metadata` back, as `requestMetadata`, in the notification (parse_notification).
        metadata = {"orderCode": order_code} if order_code else {}
        payload = {
            "username": self.username,
            "productName": self.product_name,
            "phoneNumber": phone_number,
            "currencyCode": currency,
            "amount": _json_amount(amount),
            "metadata": metadata,
        }
        if provider_channel is not None:
            payload["providerChannel"] = provider_channel

        try:
            res = self._sessions.get().post(
                self.checkout_url, headers=self._headers, data=json.dumps(payload), timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise request_error(exc) from exc
        if not 200 <= res.status_code < 300:
            raise ProviderError(
                f"Africa's Talking checkout HTTP {res.status_code}: {res.text[:200]}",
                retryable=is_retryable_status(res.status_code),
                status_code=res.status_code,
            )
        data = read_body(res)
        if not isinstance(data, dict) or "status" not in data:
            raise ProviderError(f"Africa's Talking checkout: unreadable response {str(data)[:200]!r}", retryable=False)
        status = str(data["status"])
        return CheckoutResult(
            status=status,
            transaction_id=data.get("transactionId") or None,
            description=str(data.get("description") or ""),
            accepted=status == WAITING,
        )
