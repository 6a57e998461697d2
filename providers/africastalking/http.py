"""What Africa's Talking's REST clients share: keep-alive sessions, timeouts, errors, number checks."""

from __future__ import annotations

import re
import threading

import requests

from providers.base import ProviderError

DEFAULT_TIMEOUT = (3.05, 9.05)  # (connect, read), as AT's own Python SDK (2.0.3) sets it
# What AT's API itself accepts as a recipient (its SDK refuses anything else before sending).
_E164 = re.compile(r"^\+\d{1,3}\d{3,}$")


def is_e164(number: str) -> bool:
    return isinstance(number, str) and _E164.match(number) is not None


class Sessions:
    """One keep-alive `requests.Session` per thread: sessions are not documented thread-safe, and
    reusing the TLS connection saves a handshake on every single-recipient notification."""

    def __init__(self):
        self._local = threading.local()

    def get(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session


def read_body(res: requests.Response):
    """The answer as JSON when it is JSON (whatever its content-type says), else its text."""
    try:
        return res.json()
    except ValueError:
        return res.text


def request_error(exc: requests.RequestException) -> ProviderError:
    """A transport failure: retryable when it may go away (timeout, refused connection). The
    requests exception stays the ProviderError's __cause__: a ReadTimeout means AT may have it."""
    retryable = isinstance(exc, (requests.Timeout, requests.ConnectionError))
    return ProviderError(f"{type(exc).__name__}: {exc}", retryable=retryable)
