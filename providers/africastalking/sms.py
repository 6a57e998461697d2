"""Africa's Talking SMS: the incoming-message, delivery-report and bulk opt-out callbacks (form POSTs), and
bulk and premium sends over AT's REST API (PROVIDERS.md §2).

Sends are plain HTTP (`requests`) to `{base}/version1/messaging`, the endpoint AT's own SDK posts
to: form fields `username`, `to` (comma-joined), `message`, `bulkSMSMode`, optionally `from` and
`enqueue`; premium replies add `linkId` and go to the content host. The `apiKey` header carries the
key. The base URL (setting AT_API_URL) is applied in `AfricasTalkingSms.__init__` only.
"""

from __future__ import annotations

import json
from datetime import datetime

import requests

from providers.africastalking.http import DEFAULT_TIMEOUT, Sessions, is_e164, read_body, request_error
from providers.base import (
    DELIVERED,
    FAILED,
    SENT,
    BadRequest,
    BulkOptOut,
    DeliveryReport,
    IncomingSms,
    Normalize,
    ProviderError,
    SendResult,
)
from providers.fields import field, phone

NAME = "africastalking"
MAX_TEXT = 1600  # a concatenated SMS never comes near it

# -- incoming messages and delivery reports -----------------------------------------------------

# AT delivery states -> ours (courier also sees `Expired`, which it treats as failed).
STATES = {"Sent": SENT, "Submitted": SENT, "Buffered": SENT, "Success": DELIVERED,
          "Rejected": FAILED, "Failed": FAILED, "Expired": FAILED}


def _date(raw: str) -> datetime:
    """AT's `date`: "2006-01-02T15:04:05Z" or "2006-01-02 15:04:05" (UTC), fractions allowed."""
    try:
        return datetime.fromisoformat(raw.strip())
    except ValueError:
        raise BadRequest("date is not a date like 2024-05-10 12:34:56") from None


def parse_incoming(fields: dict[str, str], normalize: Normalize) -> IncomingSms:
    """An incoming message: `id`, `from`, `to`, `text`, `date` required, `linkId` on premium ones."""
    message_id = field(fields, "id")
    sender = phone(field(fields, "from", limit=32), "from", normalize)
    to = field(fields, "to", limit=40)
    text = field(fields, "text", required=False, limit=MAX_TEXT, text=True)
    if text is None:
        raise BadRequest("Missing field: text")
    _date(field(fields, "date", limit=40))
    link_id = field(fields, "linkId", required=False) or None
    return IncomingSms(provider=NAME, provider_id=message_id, sender=sender, to=to, text=text,
                       link_id=link_id, reply_in_response=False)


def parse_delivery_report(fields: dict[str, str]) -> DeliveryReport:
    """A delivery report: `id` (the messageId AT gave the send), `status`, and `failureReason`
    when Rejected or Failed."""
    message_id = field(fields, "id")
    state = field(fields, "status", limit=40)
    if state not in STATES:
        raise BadRequest(f"Unknown status: {state[:40]}")
    reason = (fields.get("failureReason") or "").strip()[:200]
    return DeliveryReport(provider=NAME, provider_id=message_id, status=STATES[state], detail=reason or state)


def parse_opt_out(fields: dict[str, str], normalize: Normalize) -> BulkOptOut:
    """A "Bulk SMS Opt Out" notification: `phoneNumber` (who opted out) and `senderId` (of what)."""
    number = phone(field(fields, "phoneNumber", limit=32), "phoneNumber", normalize)
    sender_id = field(fields, "senderId", required=False, limit=40) or None
    return BulkOptOut(provider=NAME, phone=number, sender_id=sender_id)


# -- sending ------------------------------------------------------------------------------------

API_URL = "https://api.africastalking.com/version1"
SANDBOX_URL = "https://api.sandbox.africastalking.com/version1"
CONTENT_URL = "https://content.africastalking.com/version1"  # premium sends

# Per-recipient statusCode values meaning AT took the message (Processed, Success, Queued).
ACCEPTED_CODES = frozenset({100, 101, 102})
# Per-recipient refusal of a number that opted out of bulk SMS or is blacklisted (PROVIDERS.md §12).
BLACKLISTED_CODE, BLACKLISTED_STATUS = 406, "UserInBlacklist"
# Per-recipient failures that may clear up by themselves: InsufficientBalance (the operator tops
# up), InternalServerError, GatewayError. Everything else (InvalidPhoneNumber, UserInBlacklist, ...)
# will fail the same way again.
RETRYABLE_CODES = frozenset({405, 500, 501})


def _version1(base_url: str) -> str:
    base = base_url.rstrip("/")
    return base if base.endswith("/version1") else base + "/version1"


def _unique(numbers: list[str]) -> list[str]:
    return list(dict.fromkeys(numbers))


def _invalid(number: str) -> SendResult:
    return SendResult(to=number, ok=False, provider_id=None, status="InvalidPhoneNumber",
                      error="not an E.164 number")


class AfricasTalkingSms:
    """Bulk SMS: one HTTP POST per body and up to `max_batch` recipients."""

    name = NAME
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
        self.username = username
        self.sender_id = sender_id
        self.timeout = timeout
        self.enqueue = enqueue
        if base_url:
            # A fake server (or a proxy) serves premium sends too, as AT's sandbox does.
            self.base_url = self.content_url = _version1(base_url)
        elif username == "sandbox":  # as AT's SDK: the sandbox is chosen by the username alone
            self.base_url = self.content_url = SANDBOX_URL
        else:
            self.base_url, self.content_url = API_URL, CONTENT_URL
        self._headers = {"apiKey": api_key, "Accept": "application/json"}
        self._sessions = Sessions()

    def send(self, body: str, recipients: list[str]) -> list[SendResult]:
        """Raises ProviderError only when nothing was accepted; once some chunk went through, a
        later failure becomes per-recipient results so the caller never resends accepted ones."""
        by_number: dict[str, SendResult] = {}
        # AT refuses the whole request for one malformed number; keep it out.
        valid = []
        for number in _unique(recipients):
            if is_e164(number):
                valid.append(number)
            else:
                by_number[number] = _invalid(number)

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
        if not is_e164(to):
            return _invalid(to)
        data = {"username": self.username, "to": to, "from": short_code, "message": body,
                "bulkSMSMode": "0", "linkId": link_id}
        return map_recipients(self._post(self.content_url + "/messaging", data), [to])[0]

    def _send_chunk(self, body: str, numbers: list[str]) -> list[SendResult]:
        data = {"username": self.username, "to": ",".join(numbers), "message": body, "bulkSMSMode": "1"}
        if self.sender_id is not None:
            data["from"] = self.sender_id
        if self.enqueue:
            data["enqueue"] = "1"
        return map_recipients(self._post(self.base_url + "/messaging", data), numbers)

    def _post(self, url: str, data: dict[str, str]):
        try:
            res = self._sessions.get().post(url, headers=self._headers, data=data, timeout=self.timeout)
        except requests.RequestException as exc:
            raise request_error(exc) from exc
        if not 200 <= res.status_code < 300:
            # A 401 (bad key) and a 503 must not look alike: only the second is worth a retry.
            raise ProviderError.from_status(
                res.status_code, f"Africa's Talking HTTP {res.status_code}: {res.text[:200]}")
        return read_body(res)


def map_recipients(response, numbers: list[str]) -> list[SendResult]:
    """AT's send answer (`SMSMessageData.Recipients`, one entry per number) as one SendResult per
    number. Raises ProviderError (not retryable) when the 2xx answer cannot be read."""
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
            opted_out=not ok and (code == BLACKLISTED_CODE or status == BLACKLISTED_STATUS),
        ))
    return results
