"""Reading and changing the catalog. Reads are Core queries on indexes: a USSD hop runs them.

The statements a hop runs are built once at import (bound parameters) and run as `fast.sql.Prebuilt`
SQL straight on the DBAPI cursor of the hop's `fast.sql.Reader` (or through SQLAlchemy elsewhere). What
changes rarely and many hops need — categories, pickup points, rates, and the products as listed
(listing pages, a product's name, price and seller) — is cached per process by `CatalogCache`,
which is emptied whenever a transaction that changed one of those tables commits anywhere: in this
process at once, in others through a token in Redis read with the session (see `changed` /
`on_change`). Stock is the exception: orders move it all the time, so it is read live where it is
shown, and an order only counts as a change of the listing when it sells the last item
(`orders.place_order` calls `changed`); giving stock back (a cancel, an expiry, a seller's STOCK)
goes through SQLAlchemy and counts like any other change.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from typing import NamedTuple

from sqlalchemy import Integer, and_, bindparam, delete, event, func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import Pool
from sqlalchemy.sql.dml import UpdateBase

from commerce import codes
from commerce.models import Agent, Category, Person, Product, ProductWord, Seller
from fast import sql

P, C, S, PE, A, W = (Product.__table__, Category.__table__, Seller.__table__, Person.__table__,
                     Agent.__table__, ProductWord.__table__)

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


class ProductRow(NamedTuple):
    """A product as a hop reads it. A named tuple, not a frozen dataclass: a listing builds ten a
    hop, and a frozen dataclass sets each field through object.__setattr__ (4x the cost)."""

    id: int
    name: str
    price_minor: int
    currency: str
    stock: int
    shop_name: str = ""
    seller_id: int = 0  # on a product screen's read (`product`): its Follow <shop> needs it

    @property
    def code(self) -> str:
        return codes.product_code(self.id)


PREFIX_MIN, PREFIX_MAX = 3, 12


def words(text: str) -> list[str]:
    """Search terms of a text: lower-case words of letters or digits, two characters or more."""
    return sorted({w[:PREFIX_MAX] for w in _WORD.findall(text.lower()) if len(w) >= 2})


def prefixes(name: str) -> set[str]:
    """What is stored for a product name: every word and its prefixes of 3 characters or more, so a
    search is an equality lookup on the primary key, with no collation-dependent range scans."""
    out = set()
    for w in words(name):
        out.add(w)
        out.update(w[:n] for n in range(PREFIX_MIN, len(w)))
    return out


_CATEGORIES = {lang: select(C.c.id, name).order_by(C.c.position, C.c.id) for lang, name in (
    ("en", C.c.name), ("sw", func.coalesce(C.c.name_sw, C.c.name)), ("zh", func.coalesce(C.c.name_zh, C.c.name)))}


def categories(conn: Connection, lang: str) -> list[tuple[int, str]]:
    rows = conn.execute(_CATEGORIES.get(lang, _CATEGORIES["en"]))
    return [(r[0], r[1]) for r in rows]


def category_name(conn: Connection, category_id: int, lang: str) -> str | None:
    for cid, name in categories(conn, lang):
        if cid == category_id:
            return name
    return None


_LIST_COLS = (P.c.id, P.c.name, P.c.price_minor, P.c.currency, P.c.stock)


_PRODUCTS_IN = sql.Prebuilt(
    select(*_LIST_COLS).join(S, S.c.id == P.c.seller_id)
    .where(P.c.category_id == bindparam("cid"), P.c.active.is_(True), P.c.stock > 0, S.c.suspended.is_(False))
    .order_by(P.c.id).offset(bindparam("offset", type_=Integer)).limit(bindparam("limit", type_=Integer)))


def products_in(conn: Connection | sql.Reader, category_id: int, offset: int, limit: int) -> list[ProductRow]:
    """Products for sale in a category (not a suspended seller's), in listing order; the (category,
    active, id) index serves it."""
    rows = sql.rows(conn, _PRODUCTS_IN, {"cid": category_id, "offset": offset, "limit": limit})
    return [ProductRow(*r) for r in rows]


def search(conn: Connection, query: str, offset: int, limit: int) -> list[ProductRow]:
    """Products for sale whose words start with every word of the query (indexed prefix lookups)."""
    terms = words(query)[:3]
    if not terms:
        return []
    conds = []
    for t in terms:
        sub = select(W.c.product_id).where(W.c.word == t)
        conds.append(P.c.id.in_(sub))
    q = (select(*_LIST_COLS).join(S, S.c.id == P.c.seller_id)
         .where(and_(*conds), P.c.active.is_(True), P.c.stock > 0, S.c.suspended.is_(False))
         .order_by(P.c.id).offset(offset).limit(limit))
    return [ProductRow(*r) for r in conn.execute(q)]


_PRODUCT = sql.Prebuilt(
    select(*_LIST_COLS, S.c.shop_name, S.c.id).join(S, S.c.id == P.c.seller_id)
    .where(P.c.id == bindparam("pid"), P.c.active.is_(True), S.c.suspended.is_(False)))


def product(conn: Connection | sql.Reader, product_id: int) -> ProductRow | None:
    """A product for sale (its seller not suspended), by primary key; stock is read live."""
    found = sql.rows(conn, _PRODUCT, {"pid": product_id})
    return ProductRow(*found[0]) if found else None


_PICKUP_POINTS = (select(A.c.id, A.c.village, A.c.name).where(A.c.suspended.is_(False))
                  .order_by(A.c.village, A.c.id))


def pickup_points(conn: Connection, offset: int, limit: int) -> list[tuple[int, str, str]]:
    """(agent id, village, agent name) of active agents, by village: the places to collect an order."""
    q = _PICKUP_POINTS.offset(offset).limit(limit)
    return [tuple(r) for r in conn.execute(q)]


def all_pickup_points(conn: Connection) -> list[tuple[int, str, str]]:
    return [tuple(r) for r in conn.execute(_PICKUP_POINTS)]


def pickup_point(conn: Connection, agent_id: int) -> tuple[int, str, str] | None:
    row = conn.execute(select(A.c.id, A.c.village, A.c.name)
                       .where(A.c.id == agent_id, A.c.suspended.is_(False))).first()
    return tuple(row) if row else None


# -- the per-process cache of what rarely changes -------------------------------------------------

CACHED_TABLES = frozenset({C.name, A.name, "rates", P.name, S.name})
log = logging.getLogger(__name__)


class CatalogCache:
    """Categories, pickup points, rates and products as listed, for one process, valid while the
    change token holds.

    `fresh(token)` returns the dict for this hop: the same one while neither the shared token
    (from Redis, read in the session's round trip) nor this process's own change count moved, and
    not older than MAX_AGE (a safety net for changes made behind Soko's back, e.g. in psql).
    A hop fills the dict it was given, so a hop that raced with a change never fills a newer one.
    """

    MAX_AGE = 60.0
    MAX_ENTRIES = 20_000  # listing pages and products of a large catalog: past this, read, not kept

    def __init__(self):
        self._token: object = None
        self._at = 0.0
        self._data: dict = {}

    def fresh(self, shared_token) -> dict:
        token = (shared_token, _local_changes)
        now = time.monotonic()
        if token != self._token or now - self._at > self.MAX_AGE:
            self._token, self._at, self._data = token, now, {}
        return self._data

    def drop(self) -> None:
        """Forget everything now (a hop found the cache behind the database)."""
        self._token = None


_local_changes = 0
_lock = threading.Lock()
_publishers: dict[str, Callable[[], None]] = {}


def on_change(name: str, publish: Callable[[], None]) -> None:
    """Call `publish` after each committed change to a cached table (one publisher per `name`,
    e.g. per Redis URL; a later one replaces it). It tells the other processes."""
    _publishers[name] = publish


def changed() -> None:
    """A cached table changed: empty this process's cache now and tell the others."""
    global _local_changes
    with _lock:
        _local_changes += 1
    for publish in list(_publishers.values()):
        try:
            publish()
        except Exception as exc:  # Redis away: the others catch up within CatalogCache.MAX_AGE
            log.warning("could not publish a catalog change: %s", type(exc).__name__)


@event.listens_for(Engine, "after_execute")
def _note_write(conn, clauseelement, multiparams, params, execution_options, result):
    if isinstance(clauseelement, UpdateBase) and getattr(clauseelement.table, "name", None) in CACHED_TABLES:
        conn.info["soko_catalog_changed"] = True


@event.listens_for(Engine, "commit")
def _on_commit(conn):
    # This fires just before the database commits, so the change is published twice: now (other
    # processes stop using the old rows at once) and when the connection goes back to the pool,
    # after the commit (so nobody keeps rows read in between under the new token).
    if conn.info.pop("soko_catalog_changed", False):
        conn.info["soko_catalog_publish"] = True
        changed()


@event.listens_for(Engine, "rollback")
def _on_rollback(conn):
    conn.info.pop("soko_catalog_changed", None)


@event.listens_for(Pool, "checkin")
def _on_checkin(dbapi_connection, record):
    if record is not None and record.info.pop("soko_catalog_publish", False):
        changed()


# -- changes (sellers' SMS commands, the demo seed) ---------------------------------------------

def add_product(conn: Connection, seller_id: int, category_id: int, name: str, price_minor: int,
                currency: str, stock: int) -> int:
    pid = conn.execute(insert(P).values(seller_id=seller_id, category_id=category_id, name=name,
                                        price_minor=price_minor, currency=currency, stock=stock,
                                        active=True)).inserted_primary_key[0]
    index_words(conn, pid, name)
    return pid


def index_words(conn: Connection, product_id: int, name: str) -> None:
    conn.execute(delete(W).where(W.c.product_id == product_id))
    rows = [{"word": w, "product_id": product_id} for w in sorted(prefixes(name))]
    if rows:
        conn.execute(insert(W), rows)


def set_stock(conn: Connection, product_id: int, stock: int) -> bool:
    return conn.execute(update(P).where(P.c.id == product_id).values(stock=stock)).rowcount == 1
