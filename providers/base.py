"""What every provider folder speaks in: plain values its webhooks parse into, and the small
interface of its outbound calls.

Nothing of Soko is imported here: these are primitives (str, int, Decimal), so commerce/ and menus/
never learn a provider's field names, and a provider can be swapped (or faked by a local HTTP
server in tests) without touching the callers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, runtime_checkable

# A phone number as received -> E.164, or None when it is not a valid number. The gateway passes
# its own (memoized) one, so providers need not know the default region or the numbering plan.
Normalize = Callable[[str], "str | None"]


class BadRequest(ValueError):
    """A webhook request its provider's format does not allow; str() is the plain-text 400 reason."""


# -- what webhooks parse into ------------------------------------------------------------------

# UssdRequest.kind: a hop that opens the session, a hop with the user's input, or the provider's
# notice that the session is over (the user quit, or did not answer in time).
HOP_START, HOP_INPUT, HOP_RELEASE, HOP_TIMEOUT = "start", "input", "release", "timeout"


@dataclass(frozen=True, slots=True)
class UssdRequest:
    """One USSD hop, or an aggregator's notice that the session ended (kind release/timeout)."""

    session_id: str
    phone: str  # E.164
    service_code: str
    # Africa's Talking: every input of the session so far, joined with "*" ("" on the first hop).
    # Every other aggregator (`latest`): only this hop's input ("" on the first hop).
    text: str
    latest: bool = False
    kind: str = HOP_INPUT
    hop_id: str | None = None  # the provider's number of this hop (Hubtel Sequence, Beem request_id)
    dial: str | None = None  # the whole dial string, when the provider passes it (*384*123*100014#)
    operator: str | None = None  # the network, as the provider names it (mtn, vodafone, tigo, ...)
    echo: tuple = ()  # (name, value) pairs the provider wants back in its answer


# UssdSessionEnd.status
SESSION_COMPLETED, SESSION_INCOMPLETE, SESSION_FAILED = "completed", "incomplete", "failed"


@dataclass(frozen=True)
class UssdSessionEnd:
    """The provider's report that a USSD session is over (for drop-off analytics)."""

    session_id: str
    phone: str | None  # as the provider sent it
    status: str  # SESSION_COMPLETED, SESSION_INCOMPLETE or SESSION_FAILED
    duration_ms: int | None
    hops: int | None
    last_input: str | None
    error: str | None


@dataclass(frozen=True)
class IncomingSms:
    provider: str
    provider_id: str  # the provider's id of this message: unique per provider, so redelivery is seen
    sender: str  # E.164
    to: str  # the number or short code it was sent to
    text: str
    link_id: str | None  # a premium (on-demand) message: its reply must carry this back
    reply_in_response: bool  # the reply goes in the HTTP answer (not through the outbox)


# DeliveryReport.status: `sent` while the message is on its way; `delivered` and `failed` are final.
SENT, DELIVERED, FAILED = "sent", "delivered", "failed"


@dataclass(frozen=True)
class DeliveryReport:
    provider: str
    provider_id: str  # the id the provider gave the message when it took it (SendResult.provider_id)
    status: str  # SENT, DELIVERED or FAILED
    detail: str  # why it failed, or the provider's word for the state


@dataclass(frozen=True)
class BulkOptOut:
    """The provider's notice that a number refuses bulk (promotional) SMS from now on."""

    provider: str
    phone: str  # E.164
    sender_id: str | None  # the sender id (or short code) the person opted out of, when given


# PaymentNotice.status: PAYMENT_OTHER is neither money received nor a refusal (e.g. still pending).
PAYMENT_SUCCEEDED, PAYMENT_FAILED, PAYMENT_OTHER = "succeeded", "failed", "other"


@dataclass(frozen=True)
class PaymentNotice:
    """A mobile-money payment notification."""

    transaction_id: str  # unique per payment: a redelivered notice carries the same one
    status: str  # PAYMENT_SUCCEEDED, PAYMENT_FAILED or PAYMENT_OTHER
    provider_status: str  # the provider's own word, for the record
    amount: Decimal | None  # major units, as sent (not rounded); None when absent on a non-payment
    currency: str | None  # ISO 4217 code as sent, with amount
    order_code: str | None  # what the payer or our checkout request said it pays for
    description: str
    provider_ref: str | None  # the mobile-money operator's receipt
    payer: str | None = None
    category: str = ""


# -- outbound -----------------------------------------------------------------------------------

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
    # The provider refuses this number for bulk SMS: it opted out with the provider or is on its
    # blacklist (Africa's Talking `UserInBlacklist`, Twilio 21610). No broadcast goes to it again.
    opted_out: bool = False


class ProviderError(Exception):
    """A whole provider call failed; nothing in it is known to have been accepted.

    `retryable` is True for timeouts, connection errors, 5xx and 429 — conditions that go away —
    and False for other 4xx (bad credentials, malformed request), which retrying cannot fix.
    """

    # A rail whose requests we name ourselves (MoMo's X-Reference-Id) sets the name of the request
    # that failed: after a timeout the status query may still find it.
    reference: str | None = None

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
    """A provider's immediate answer to a mobile checkout request (the payment itself comes later,
    by notification)."""

    status: str  # the provider's word, for the record
    transaction_id: str | None
    description: str
    accepted: bool = False  # the provider is now asking the payer: a notification will follow


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


# -- mobile-money rails with a status query (M-Pesa Daraja, MTN MoMo; SPEC §12) ---------------------

# RailResult.state: the money was taken, the request is over without it, or it is not over yet.
RAIL_PAID, RAIL_FAILED, RAIL_PENDING = "paid", "failed", "pending"


@dataclass(frozen=True)
class RailStart:
    """A rail's immediate answer to a payment request: it took it (the payer is being asked) or not."""

    reference: str  # the rail's id of this request: what its callback and its status query name
    accepted: bool
    status: str  # the rail's own word or code, for the record
    description: str


@dataclass(frozen=True)
class RailResult:
    """What a rail says about one payment request, in its callback or its status query."""

    reference: str  # RailStart.reference
    state: str  # RAIL_PAID, RAIL_FAILED or RAIL_PENDING
    code: str  # the rail's result code or status word (and reason), for the record
    description: str
    amount: Decimal | None = None  # major units as sent; None when the answer does not say
    currency: str | None = None
    receipt: str | None = None  # the rail's own transaction id (MpesaReceiptNumber, financialTransactionId)
    payer: str | None = None  # E.164 when the rail names the payer
    order_code: str | None = None  # what our request named (MoMo's externalId)


class RailClient(Protocol):
    """A rail Soko asks for money and then asks again what became of it."""

    name: str

    def request_payment(self, phone: str, country: str, amount: Decimal, currency: str,
                        order_code: str) -> RailStart:
        """Ask the payer at `phone` (E.164; `country` its ISO region) for `amount` (major units).
        Raises ProviderError when the rail could not be asked."""
        ...

    def status(self, reference: str, country: str) -> RailResult:
        """What the rail knows now about the request `reference`. Raises ProviderError."""
        ...
