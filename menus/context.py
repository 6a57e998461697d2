"""What a screen may use during one hop: the caller, their language and currency, a database
connection opened only if a screen asks for one, and the jobs to start after a change.

Reads that many hops repeat are cheap here: categories, pickup points, rates, listing pages and
products as listed come from the process's CatalogCache (checked against the change token the
engine read with the session); a product's live stock is read once per hop however many screens
ask; formatted prices are memoized (money.format_money).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.engine import Engine

from commerce import catalog, db, money, orders, rates, service_points
from commerce import credit as seller_credit
from fast import sql


class Jobs(Protocol):
    """Background work a screen may start once its change is committed (implemented in workers/)."""

    def notify(self, message_ids: list[int]) -> None: ...

    def start_checkout(self, order_id: int, amount_minor: int | None = None) -> None: ...


@dataclass
class Services:
    engine: Engine
    jobs: Jobs
    shop_name: str
    payment_window_minutes: int
    catalog_cache: catalog.CatalogCache = field(default_factory=catalog.CatalogCache)
    # The mobile-money rail that will ask this buyer (issue 15), named on the last screen.
    rail_for: Callable[[str], str | None] = lambda phone: None
    # Lay-by weeks, pay later's first limit and qualifying orders (issue 18: LAYBY_WEEKS, …).
    credit_terms: seller_credit.Terms = field(default_factory=seller_credit.Terms)
    default_region: str = "KE"  # a follower's time zone when the number names none (issue 17)


class Context:
    def __init__(self, services: Services, phone: str, lang: str, session_id: str):
        self.services = services
        self.phone = phone
        self.lang = lang
        self.session_id = session_id
        self._conn = None
        self._reader: sql.Reader | None = None
        self._currency: str | None = None
        self.catalog_token = None  # the shared change token, set by the engine for this hop
        self._cached: dict | None = None
        self._products: dict[int, catalog.ProductRow | None] = {}
        self._commits = sql.commits()
        self.placed: dict[int, orders.Placed] = {}  # orders this hop placed: the next screen shows them
        self.frames: list = []  # the session's stack of screens, set by the engine for this hop
        self._on_record: tuple[str | None, str | None] | None = None

    @property
    def db(self):
        if self._conn is None:
            # Screens only read: autocommit spares each hop a BEGIN and a ROLLBACK round trip.
            # (A screen that changes something opens its own `engine.begin()` transaction.)
            self._conn = db.read_connection(self.services.engine)
        return self._conn

    @property
    def reads(self) -> sql.Reader:
        """The hop's reader for the prebuilt hot queries (product, listing): the DBAPI cursor, no ORM."""
        if self._reader is None:
            self._reader = sql.Reader(self.services.engine)
        return self._reader

    def close(self) -> None:
        self._products.clear()
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def on_record(self) -> tuple[str | None, str | None]:
        """The caller as on record (orders.on_record: their language, None for a caller with no
        record, and the code of their order just placed), read once a hop: a new session's first
        hop asks both, for the language and for the home screen's first line."""
        if self._on_record is None:
            self._on_record = orders.on_record(self.reads, self.phone)
        return self._on_record

    @property
    def currency(self) -> str:
        if self._currency is None:  # asked once per price shown: a listing shows up to nine
            self._currency = money.currency_for_phone(self.phone)
        return self._currency

    # -- cached reads ------------------------------------------------------------------------
    @property
    def _cache(self) -> dict:
        if self._cached is None:
            self._cached = self.services.catalog_cache.fresh(self.catalog_token)
        return self._cached

    def _cached_read(self, key, load):
        cache = self._cache
        if key in cache:
            return cache[key]
        value = load()
        if len(cache) < catalog.CatalogCache.MAX_ENTRIES:
            cache[key] = value
        return value

    def forget_cached(self) -> None:
        """Empty the process's cache: a write found it behind the database (a price changed and
        its token is not published yet). The screen drawn next reads afresh."""
        self.services.catalog_cache.drop()
        self._cached = None

    def categories(self) -> list[tuple[int, str]]:
        return self._cached_read(("categories", self.lang), lambda: catalog.categories(self.db, self.lang))

    def category_name(self, category_id: int) -> str | None:
        return next((name for cid, name in self.categories() if cid == category_id), None)

    def agents_by_phone(self) -> dict[str, int]:
        """Active agents' numbers -> agent id (the first hop of a session asks: menus/service_point.py)."""
        return self._cached_read("agents_by_phone", lambda: service_points.agent_phones(self.db))

    def pickup_points(self) -> list[tuple[int, str, str]]:
        return self._cached_read("pickup", lambda: catalog.all_pickup_points(self.db))

    def pickup_point(self, agent_id: int) -> tuple[int, str, str] | None:
        return next((p for p in self.pickup_points() if p[0] == agent_id), None)

    def rate(self, from_currency: str, to_currency: str):
        return self._cached_read(("rate", from_currency, to_currency),
                                 lambda: rates.get(self.db, from_currency, to_currency))

    def listing(self, category_id: int, offset: int, limit: int) -> list[catalog.ProductRow]:
        """A page of a category's products for sale, as listed (names and prices; the stock as it
        was when the page was read: only what is sold out is left out, and selling out counts as a
        change)."""
        return self._cached_read(("listing", category_id, offset, limit),
                                 lambda: catalog.products_in(self.reads, category_id, offset, limit))

    def listed(self, product_id: int) -> catalog.ProductRow | None:
        """A product's name, price and seller as listed, from the cache; its stock is None (not
        known here: `product` reads it live). None when it is not for sale."""
        def load():
            p = catalog.product(self.reads, product_id)
            return p._replace(stock=None) if p is not None else None
        return self._cached_read(("listed", product_id), load)

    def credit_seller(self, product_id: int) -> int | None:
        """The product's seller when that seller offers pay later at all (credit.credit_seller),
        cached like the catalog: a seller's offer is a change to `sellers`. `credit.offer` reads the
        offer itself again, so a stale answer at most shows pay later a moment late or refuses it."""
        return self._cached_read(("credit_seller", product_id),
                                 lambda: seller_credit.credit_seller(self.db, product_id))

    def product(self, product_id: int) -> catalog.ProductRow | None:
        """A product as the database has it now (stock is live), read once per hop and again after
        a commit (a screen's handler placed an order: stock moved)."""
        if sql.commits() != self._commits:
            self._commits = sql.commits()
            self._products.clear()
        if product_id not in self._products:
            self._products[product_id] = catalog.product(self.reads, product_id)
        return self._products[product_id]

    # -- money ---------------------------------------------------------------------------------
    def price(self, price_minor: int, currency: str) -> str:
        """A seller's price in the buyer's currency, formatted (the seller's own price when there
        is no rate)."""
        mine = self.currency
        price = money.Money(price_minor, currency)
        rate = None if currency == mine else self.rate(currency, mine)
        return money.format_money(price if rate is None else money.convert(price, mine, rate), self.lang)

    def quote(self, price_minor: int, currency: str, quantity: int) -> orders.Quote:
        """What `quantity` would cost this buyer (with the rate from the cache)."""
        seller_total = money.Money(price_minor * quantity, currency)
        rate = self.rate(currency, self.currency)
        total = money.convert(seller_total, self.currency, rate) if rate is not None else None
        return orders.Quote(seller_total, total, rate)

    def fmt(self, m: money.Money) -> str:
        return money.format_money(m, self.lang)
