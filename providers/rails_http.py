"""What the rails' REST clients (providers/mpesa, providers/momo) share: a keep-alive session per
thread, a bearer token cached until shortly before it expires, transport errors as ProviderError."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import requests

from providers.base import ProviderError

# Soko's own User-Agent: MTN's new gateway refuses python-requests' (PROVIDERS.md §11).
USER_AGENT = "Soko/2 (+https://github.com/soko-market)"
# (connect, read). Daraja and MoMo answer a request in a second or two, but their sandboxes and
# busy hours take longer; the payer's PIN is never waited for here (the answer is asynchronous).
TIMEOUT = (3.05, 15)
TOKEN_MARGIN = 60  # seconds: a token this close to expiry is renewed, not sent to fail mid-call


class Sessions:
    def __init__(self):
        self._local = threading.local()

    def get(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.headers["User-Agent"] = USER_AGENT
        return session


def transport_error(rail: str, exc: requests.RequestException) -> ProviderError:
    retryable = isinstance(exc, (requests.Timeout, requests.ConnectionError))
    return ProviderError(f"{rail}: {type(exc).__name__}: {exc}", retryable=retryable)


def json_body(rail: str, res: requests.Response) -> dict:
    try:
        data = res.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ProviderError(f"{rail}: HTTP {res.status_code}, not a JSON object: {res.text[:200]!r}",
                            retryable=res.status_code >= 500, status_code=res.status_code)
    return data


def token_from(rail: str, res: requests.Response, settings_hint: str, default_lifetime: float) -> tuple[str, float]:
    """An OAuth answer (Daraja's and MoMo's have the same shape) as (access token, seconds it lives);
    ProviderError naming the settings to check when there is no token."""
    data = json_body(f"{rail} token", res)
    token = data.get("access_token")
    if res.status_code != 200 or not isinstance(token, str) or not token:
        raise ProviderError.from_status(
            res.status_code if res.status_code != 200 else 502,
            f"{rail} token HTTP {res.status_code}: {str(data)[:200]} (check {settings_hint})")
    try:
        lifetime = float(data.get("expires_in", default_lifetime))  # Daraja sends it as text: "3599"
    except (TypeError, ValueError):
        lifetime = default_lifetime
    return token, lifetime


class TokenCache:
    """One bearer token per client, shared by its threads, fetched again only once it (nearly)
    expired or the rail refused it. `fetch` returns (token, lifetime in seconds)."""

    def __init__(self, fetch: Callable[[], tuple[str, float]], clock: Callable[[], float] = time.monotonic):
        self._fetch, self._clock = fetch, clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._until = 0.0

    def get(self) -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._until:
                token, lifetime = self._fetch()
                self._token, self._until = token, self._clock() + max(lifetime - TOKEN_MARGIN, 1)
            return self._token

    def forget(self, token: str) -> None:
        """The rail refused `token` (401): the next call fetches a new one."""
        with self._lock:
            if self._token == token:
                self._token = None
