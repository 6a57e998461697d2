"""The small interface every outbound SMS provider implements.

Jobs in `workers/` depend only on these names, so a provider can be swapped (or faked by a local
HTTP server in tests) without touching the outbox logic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass
class SendResult:
    """What happened to one recipient of one send."""

    to: str
    ok: bool
    provider_id: str | None
    status: str
    error: str | None = None
    # Only meaningful when ok is False: may the same message be offered to this number again?
    retryable: bool = False


class ProviderError(Exception):
    """A whole provider call failed; nothing in it is known to have been accepted.

    `retryable` is True for timeouts, connection errors, 5xx and 429 — conditions that go away —
    and False for other 4xx (bad credentials, malformed request), which retrying cannot fix.
    """

    def __init__(self, message: str, *, retryable: bool, status_code: int | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.status_code = status_code

    @classmethod
    def from_status(cls, status_code: int, message: str) -> ProviderError:
        return cls(message, retryable=is_retryable_status(status_code), status_code=status_code)


def is_retryable_status(status_code: int) -> bool:
    return status_code == 429 or status_code >= 500


@dataclass
class CheckoutResult:
    """Africa's Talking's answer to a mobile checkout request (the payment itself comes later, by
    notification). `status` is the provider's word, e.g. "PendingConfirmation"."""

    status: str
    transaction_id: str | None
    description: str


@runtime_checkable
class SmsProvider(Protocol):
    name: str
    # Most recipients one `send` call puts into a single provider request.
    max_batch: int

    def send(self, body: str, recipients: list[str]) -> list[SendResult]:
        """Send one body to many numbers; one SendResult per recipient, in order.

        Raises ProviderError when the provider call as a whole failed.
        """
        ...
