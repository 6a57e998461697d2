"""Reading and changing the catalog. Reads are Core queries on indexes: a USSD hop runs them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from commerce import codes
from commerce.models import Agent, Category, Person, Product, ProductWord, Seller

P, C, S, PE, A, W = (Product.__table__, Category.__table__, Seller.__table__, Person.__table__,
                     Agent.__table__, ProductWord.__table__)

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class ProductRow:
    id: int
    name: str
    price_minor: int
    currency: str
    stock: int
    shop_name: str = ""

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


def categories(conn: Connection, lang: str) -> list[tuple[int, str]]:
    name = {"sw": func.coalesce(C.c.name_sw, C.c.name), "zh": func.coalesce(C.c.name_zh, C.c.name)}.get(lang, C.c.name)
    rows = conn.execute(select(C.c.id, name).order_by(C.c.position, C.c.id))
    return [(r[0], r[1]) for r in rows]


def category_name(conn: Connection, category_id: int, lang: str) -> str | None:
    for cid, name in categories(conn, lang):
        if cid == category_id:
            return name
    return None


_LIST_COLS = (P.c.id, P.c.name, P.c.price_minor, P.c.currency, P.c.stock)


def products_in(conn: Connection, category_id: int, offset: int, limit: int) -> list[ProductRow]:
    """Products for sale in a category, in listing order; the (category, active, id) index serves it."""
    q = (select(*_LIST_COLS).where(P.c.category_id == category_id, P.c.active.is_(True), P.c.stock > 0)
         .order_by(P.c.id).offset(offset).limit(limit))
    return [ProductRow(*r) for r in conn.execute(q)]


def search(conn: Connection, query: str, offset: int, limit: int) -> list[ProductRow]:
    """Products whose words start with every word of the query (indexed prefix lookups)."""
    terms = words(query)[:3]
    if not terms:
        return []
    conds = []
    for t in terms:
        sub = select(W.c.product_id).where(W.c.word == t)
        conds.append(P.c.id.in_(sub))
    q = (select(*_LIST_COLS).where(and_(*conds), P.c.active.is_(True), P.c.stock > 0)
         .order_by(P.c.id).offset(offset).limit(limit))
    return [ProductRow(*r) for r in conn.execute(q)]


def product(conn: Connection, product_id: int) -> ProductRow | None:
    q = (select(*_LIST_COLS, S.c.shop_name).join(S, S.c.id == P.c.seller_id)
         .where(P.c.id == product_id, P.c.active.is_(True), S.c.suspended.is_(False)))
    row = conn.execute(q).first()
    return ProductRow(*row) if row else None


def pickup_points(conn: Connection, offset: int, limit: int) -> list[tuple[int, str, str]]:
    """(agent id, village, agent name) of active agents, by village: the places to collect an order."""
    q = (select(A.c.id, A.c.village, A.c.name).where(A.c.suspended.is_(False))
         .order_by(A.c.village, A.c.id).offset(offset).limit(limit))
    return [tuple(r) for r in conn.execute(q)]


def pickup_point(conn: Connection, agent_id: int) -> tuple[int, str, str] | None:
    row = conn.execute(select(A.c.id, A.c.village, A.c.name)
                       .where(A.c.id == agent_id, A.c.suspended.is_(False))).first()
    return tuple(row) if row else None


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
