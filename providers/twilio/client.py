"""Twilio SMS through the `twilio` SDK. Twilio takes one recipient per Messages call."""

from __future__ import annotations

import requests
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from providers.base import ProviderError, SendResult

# Twilio error codes that condemn one recipient but not the message or the account: invalid 'To'
# (21211), 'To' cannot be a short code (21265), region not enabled (21408), recipient replied STOP
# (21610), 'From'/'To' pair cannot be routed (21612), 'To' not a mobile number (21614). Any other
# error would hit every recipient, so it is raised.
RECIPIENT_ERRORS = frozenset({21211, 21265, 21408, 21610, 21612, 21614})
OPTED_OUT = 21610  # "Attempt to send to unsubscribed recipient": the number sent STOP to our sender
FAILED_STATUSES = frozenset({"failed", "undelivered", "canceled"})


class TwilioSms:
    name = "twilio"
    max_batch = 1

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str,
        base_url: str | None = None,
        status_callback: str | None = None,
        timeout: float = 10,
    ):
        self.from_number = from_number
        self.status_callback = status_callback
        # The SDK's default HTTP client has no timeout at all.
        self._client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=timeout))
        if base_url:
            # The one place the API host is overridden (setting TWILIO_API_URL). Every request to
            # the Api domain is built from `Domain.base_url`.
            self._client.api.base_url = base_url.rstrip("/")
            # TWILIO_EDGE / TWILIO_REGION, read from the environment by the SDK, would rewrite the
            # host name of an explicit URL into nonsense.
            self._client.edge = None
            self._client.region = None

    @property
    def base_url(self) -> str:
        return self._client.api.base_url

    def send(self, body: str, recipients: list[str]) -> list[SendResult]:
        """One Messages.create per recipient. Raises ProviderError only when nothing was accepted;
        after that, failures become per-recipient results so accepted ones are never resent."""
        results: list[SendResult] = []
        accepted_any = False
        for index, number in enumerate(recipients):
            try:
                result = self._send_one(body, number)
            except ProviderError as exc:
                if not accepted_any:
                    raise
                results.extend(
                    SendResult(to=n, ok=False, provider_id=None, status="NotSent",
                               error=str(exc), retryable=exc.retryable)
                    for n in recipients[index:]
                )
                break
            accepted_any = accepted_any or result.ok
            results.append(result)
        return results

    def _send_one(self, body: str, to: str) -> SendResult:
        kwargs = {"to": to, "from_": self.from_number, "body": body}
        if self.status_callback:
            kwargs["status_callback"] = self.status_callback
        try:
            message = self._client.messages.create(**kwargs)
        except (TwilioRestException, TwilioServiceException) as exc:
            status = int(exc.status or 0)
            code = exc.code
            text = str(getattr(exc, "msg", None) or getattr(exc, "detail", None) or getattr(exc, "title", ""))
            if status == 400 and code in RECIPIENT_ERRORS:
                return SendResult(
                    to=to, ok=False, provider_id=None, status="failed",
                    error=f"Twilio {code}: {text}", retryable=False, opted_out=code == OPTED_OUT,
                )
            raise ProviderError.from_status(status, f"Twilio HTTP {status} code {code}: {text}") from exc
        except requests.Timeout as exc:
            raise ProviderError(f"Twilio timeout: {exc}", retryable=True) from exc
        except requests.ConnectionError as exc:
            raise ProviderError(f"Twilio connection error: {exc}", retryable=True) from exc
        except requests.RequestException as exc:
            raise ProviderError(f"Twilio request error: {exc}", retryable=False) from exc

        status = str(message.status or "queued")
        ok = status not in FAILED_STATUSES
        return SendResult(
            to=to, ok=ok, provider_id=message.sid, status=status,
            error=None if ok else f"Twilio {message.error_code}: {message.error_message}",
        )
