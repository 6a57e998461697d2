"""What a screen may use during one hop: the caller, their language and currency, a database
connection opened only if a screen asks for one, and the jobs to start after a change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Protocol

from sqlalchemy.engine import Engine

from commerce import money, rates


class Jobs(Protocol):
    """Background work a screen may start once its change is committed (implemented in workers/)."""

    def notify(self, message_ids: list[int]) -> None: ...

    def start_checkout(self, order_id: int) -> None: ...

    def schedule_expiry(self, order_id: int, after: timedelta) -> None: ...


@dataclass
class Services:
    engine: Engine
    jobs: Jobs
    shop_name: str
    payment_window_minutes: int


@lru_cache(maxsize=4096)
def _currency_of(phone: str) -> str:
    return money.currency_for_phone(phone)


class Context:
    def __init__(self, services: Services, phone: str, lang: str, session_id: str):
        self.services = services
        self.phone = phone
        self.lang = lang
        self.session_id = session_id
        self._conn = None
        self._rates: dict[str, object] = {}

    @property
    def db(self):
        if self._conn is None:
            self._conn = self.services.engine.connect()
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @property
    def currency(self) -> str:
        return _currency_of(self.phone)

    def in_my_currency(self, price_minor: int, currency: str) -> money.Money:
        """A seller's price in the buyer's currency; the seller's own price when there is no rate."""
        mine = self.currency
        if currency == mine:
            return money.Money(price_minor, currency)
        if currency not in self._rates:
            self._rates[currency] = rates.get(self.db, currency, mine)
        rate = self._rates[currency]
        if rate is None:
            return money.Money(price_minor, currency)
        return money.convert(money.Money(price_minor, currency), mine, rate)

    def fmt(self, m: money.Money) -> str:
        return money.format_money(m, self.lang)
