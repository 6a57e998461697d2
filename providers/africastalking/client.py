"""Africa's Talking: bulk SMS through the `africastalking` SDK, mobile checkout through REST.

Base URLs (settings AT_API_URL / AT_PAYMENTS_URL) are applied in exactly one place each:
`_SmsService._init_service` and `AfricasTalkingPayments.__init__`.

We build our own SDK service object instead of calling `africastalking.initialize()`, because that
sets module globals shared by every thread and every configuration in the process.
"""

from __future__ import annotations

import json
import re
import threading
from contextlib import contextmanager
from decimal import Decimal

import requests
from africastalking.Service import AfricasTalkingException, validate_phone
from africastalking.SMS import SMSService

from providers.base import (
    CheckoutResult,
    ProviderError,
    SendResult,
    is_retryable_status,
)

DEFAULT_TIMEOUT = (3.05, 9.05)  # (connect, read), as the SDK's own default
PAYMENTS_URL = "https://payments.africastalking.com"
PAYMENTS_SANDBOX_URL = "https://payments.sandbox.africastalking.com"

# Per-recipient statusCode values meaning AT took the message (Processed, Success, Queued).
ACCEPTED_CODES = frozenset({100, 101, 102})
# Per-recipient failures that may clear up by themselves: InsufficientBalance (the operator tops
# up), InternalServerError, GatewayError. Everything else (InvalidPhoneNumber, UserInBlacklist, ...)
# will fail the same way again.
RETRYABLE_CODES = frozenset({405, 500, 501})


class _HttpStatusError(AfricasTalkingException):
    """The SDK's exception, plus the HTTP status the SDK throws away."""

    def __init__(self, status_code: int, text: str):
        super().__init__(text)
        self.status_code = status_code


class _Sessions:
    """One keep-alive `requests.Session` per thread: sessions are not documented thread-safe, and
    reusing the TLS connection saves a handshake on every single-recipient notification."""

    def __init__(self):
        self._local = threading.local()

    def get(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session


def _body(res: requests.Response):
    # The SDK parses JSON only when content-type is exactly "application/json"; a charset suffix
    # would hand us a str, so be lenient.
    try:
        return res.json()
    except ValueError:
        return res.text


def _request_error(exc: requests.RequestException) -> ProviderError:
    retryable = isinstance(exc, (requests.Timeout, requests.ConnectionError))
    return ProviderError(f"{type(exc).__name__}: {exc}", retryable=retryable)


def _sms_base(base_url: str) -> str:
    base = base_url.rstrip("/")
    return base if base.endswith("/version1") else base + "/version1"


class _SmsService(SMSService):
    """The SDK's SMS service with a configurable base URL and an HTTP layer that keeps the status.

    The SDK's `_make_request` raises `AfricasTalkingException(res.text)` for any non-2xx, so a 401
    and a 503 look alike; retrying depends on telling them apart. Request building, validation and
    headers stay the SDK's.
    """

    def __init__(self, username: str, api_key: str, base_url: str | None, sessions: _Sessions):
        self._base_override = base_url  # read by _init_service, which Service.__init__ calls
        self._sessions = sessions
        super().__init__(username, api_key)

    def _init_service(self):
        super()._init_service()
        if self._base_override:
            # The SDK has no option for this; `_baseUrl` is where its URLs come from (and
            # `_contentUrl` for premium sends, which the sandbox also serves from the API host).
            self._baseUrl = _sms_base(self._base_override)
            self._contentUrl = self._baseUrl

    def _make_request(self, url, method, headers, data, params, callback=None, timeout=DEFAULT_TIMEOUT):
        if callback is not None:
            raise RuntimeError("callbacks are not supported; jobs call synchronously")
        res = self._sessions.get().request(
            method, url, headers=headers, data=data, params=params, timeout=timeout
        )
        if not 200 <= res.status_code < 300:
            raise _HttpStatusError(res.status_code, res.text)
        return _body(res)


def _unique(numbers: list[str]) -> list[str]:
    return list(dict.fromkeys(numbers))


class AfricasTalkingSms:
    """Bulk SMS: one `SMS.send` (one HTTP POST) per body and up to `max_batch` recipients."""

    name = "africastalking"
    # AT takes a comma-joined `to`; 1000 keeps the form body modest and is a common bulk size.
    max_batch = 1000

    def __init__(
        self,
        username: str,
        api_key: str,
        sender_id: str | None = None,
        base_url: str | None = None,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        *,
        enqueue: bool = False,
    ):
        self.sender_id = sender_id
        self.timeout = timeout
        self.enqueue = enqueue
        self._sms = _SmsService(username, api_key, base_url, _Sessions())

    @property
    def base_url(self) -> str:
        return self._sms._baseUrl

    def send(self, body: str, recipients: list[str]) -> list[SendResult]:
        """Raises ProviderError only when nothing was accepted; once some chunk went through, a
        later failure becomes per-recipient results so the caller never resends accepted ones."""
        by_number: dict[str, SendResult] = {}
        # AT refuses the whole request (ValueError in the SDK) for one malformed number; keep it out.
        valid = []
        for number in _unique(recipients):
            if validate_phone(number):
                valid.append(number)
            else:
                by_number[number] = SendResult(
                    to=number, ok=False, provider_id=None, status="InvalidPhoneNumber",
                    error="not an E.164 number",
                )

        accepted_any = False
        for start in range(0, len(valid), self.max_batch):
            chunk = valid[start:start + self.max_batch]
            try:
                results = self._send_chunk(body, chunk)
            except ProviderError as exc:
                if not accepted_any:
                    raise
                # Stop: the next chunks would most likely fail (and wait) the same way.
                for number in valid[start:]:
                    by_number[number] = SendResult(
                        to=number, ok=False, provider_id=None, status="NotSent",
                        error=str(exc), retryable=exc.retryable,
                    )
                break
            for result in results:
                by_number[result.to] = result
                accepted_any = accepted_any or result.ok

        # Duplicates were sent once; each occurrence reports that one result.
        return [by_number[number] for number in recipients]

    def send_premium(self, body: str, to: str, short_code: str, link_id: str) -> SendResult:
        """A reply to an on-demand (premium) subscriber's message: from the short code it came to,
        with its `linkId` (AT's content endpoint, one recipient). Raises ProviderError like send."""
        if not validate_phone(to):
            return SendResult(to=to, ok=False, provider_id=None, status="InvalidPhoneNumber",
                              error="not an E.164 number")
        with _provider_errors():
            response = self._sms.send_premium(body, short_code, [to], link_id=link_id, timeout=self.timeout)
        return _map_recipients(response, [to])[0]

    def _send_chunk(self, body: str, numbers: list[str]) -> list[SendResult]:
        with _provider_errors():
            response = self._sms.send(
                body, numbers, sender_id=self.sender_id, enqueue=self.enqueue, timeout=self.timeout
            )
        return _map_recipients(response, numbers)


@contextmanager
def _provider_errors():
    """The SDK's failures as ProviderError, retryable or not (HTTP status, network, refused input)."""
    try:
        yield
    except _HttpStatusError as exc:
        raise ProviderError.from_status(
            exc.status_code, f"Africa's Talking HTTP {exc.status_code}: {str(exc)[:200]}"
        ) from exc
    except requests.RequestException as exc:
        raise _request_error(exc) from exc
    except (AfricasTalkingException, ValueError) as exc:
        raise ProviderError(f"Africa's Talking: {exc}", retryable=False) from exc


def _map_recipients(response, numbers: list[str]) -> list[SendResult]:
    if isinstance(response, str):
        try:
            response = json.loads(response)
        except ValueError:
            response = None
    data = response.get("SMSMessageData") if isinstance(response, dict) else None
    if not isinstance(data, dict):
        # A 2xx we cannot read: the messages may well have gone out, so do not invite a resend.
        raise ProviderError(f"Africa's Talking: unreadable response {str(response)[:200]!r}", retryable=False)

    entries = [e for e in data.get("Recipients") or [] if isinstance(e, dict)]
    by_number: dict[str, dict] = {}
    for entry in entries:
        by_number.setdefault(str(entry.get("number", "")), entry)
    # Numbers AT rewrote (rare) are matched by position among the leftovers.
    leftovers = [e for e in entries if str(e.get("number", "")) not in numbers]

    results = []
    for number in numbers:
        entry = by_number.get(number) or (leftovers.pop(0) if leftovers else None)
        if entry is None:
            # AT answers e.g. {"Message": "InvalidSenderId", "Recipients": []}: nothing was sent.
            message = str(data.get("Message") or "no result for this number")
            results.append(SendResult(to=number, ok=False, provider_id=None, status=message, error=message))
            continue
        try:
            code = int(entry.get("statusCode"))
        except (TypeError, ValueError):
            code = -1
        status = str(entry.get("status") or code)
        ok = code in ACCEPTED_CODES
        message_id = entry.get("messageId")
        # AT puts the string "None" in messageId for rejected numbers.
        provider_id = str(message_id) if message_id not in (None, "", "None") else None
        results.append(SendResult(
            to=number, ok=ok, provider_id=provider_id, status=status,
            error=None if ok else f"{status} (statusCode {code})",
            retryable=not ok and code in RETRYABLE_CODES,
        ))
    return results


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
    """Mobile checkout (C2B) over AT's REST API: payments left the Python SDK in 1.2.7."""

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
        self._sessions = _Sessions()

    def checkout(
        self,
        phone_number: str,
        currency: str,
        amount: str,
        metadata: dict[str, str],
        provider_channel: str | None = None,
    ) -> CheckoutResult:
        """Ask AT to prompt the subscriber for payment. Returns AT's immediate answer; the outcome
        arrives later as a payment notification. Raises ProviderError on transport/HTTP failure."""
        if not validate_phone(phone_number):
            raise ProviderError(f"not an E.164 number: {phone_number!r}", retryable=False)
        if not re.fullmatch(r"[A-Z]{3}", currency or ""):
            raise ProviderError(f"currency must be an ISO 4217 code, got {currency!r}", retryable=False)
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise ProviderError("metadata must map str to str", retryable=False)
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
            raise _request_error(exc) from exc
        if not 200 <= res.status_code < 300:
            raise ProviderError(
                f"Africa's Talking checkout HTTP {res.status_code}: {res.text[:200]}",
                retryable=is_retryable_status(res.status_code),
                status_code=res.status_code,
            )
        data = _body(res)
        if not isinstance(data, dict) or "status" not in data:
            raise ProviderError(f"Africa's Talking checkout: unreadable response {str(data)[:200]!r}", retryable=False)
        return CheckoutResult(
            status=str(data["status"]),
            transaction_id=data.get("transactionId") or None,
            description=str(data.get("description") or ""),
        )
