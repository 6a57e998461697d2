"""A seller's own shop over SMS: join, list, reprice, restock, remove, and see listings and orders.

Every function takes the caller's connection, so the change, the inbound message and the reply
are one transaction. A product is only ever changed by the seller who owns it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from commerce import catalog, people
from commerce.models import OPEN_STATUSES, Category, Order, OrderLine, Person, Product, Seller

P, S, PE, C, ORD, L = (Product.__table__, Seller.__table__, Person.__table__, Category.__table__,
                     Order.__table__, OrderLine.__table__)

OTHER = "Other"
MAX_NAME = 60
MAX_STOCK = 100_000


@dataclass(frozen=True, slots=True)
class SellerRow:
    id: int
    shop_name: str
    suspended: bool
    currency: str


def seller_of(conn: Connection, phone: str) -> SellerRow | None:
    row = conn.execute(select(S.c.id, S.c.shop_name, S.c.suspended, PE.c.currency)
                       .join(PE, PE.c.id == S.c.person_id).where(PE.c.phone == phone)).first()
    return SellerRow(*row) if row else None


def join(conn: Connection, phone: str, shop_name: str, language: str | None = None) -> tuple[SellerRow, bool]:
    """Register the number as a seller (or rename its shop). Returns (seller, newly joined)."""
    before = seller_of(conn, phone)
    people.get_or_create(conn, phone, language)
    people.add_seller(conn, phone, shop_name[:MAX_NAME])
    return seller_of(conn, phone), before is None


def category_for(conn: Connection, hint: str | None) -> tuple[int, str]:
    """(id, English name) of the category a seller named — by its number as the USSD menu shows
    it, or by the start of its name in any language — else `Other` (created if missing)."""
    cats = conn.execute(select(C.c.id, C.c.name, C.c.name_sw, C.c.name_zh)
                        .order_by(C.c.position, C.c.id)).all()
    if hint:
        h = hint.strip().lower()
        if h.isascii() and h.isdigit():
            n = int(h)
            if 1 <= n <= len(cats):
                return cats[n - 1][0], cats[n - 1][1]
        elif h:
            for cid, *names in cats:
                if any(name and name.lower().startswith(h) for name in names):
                    return cid, names[0]
    for cid, name, *_ in cats:
        if name == OTHER:
            return cid, name
    position = (conn.execute(select(func.max(C.c.position))).scalar() or 0) + 1
    cid = conn.execute(insert(C).values(name=OTHER, name_sw="Nyingine", name_zh="其他",
                                        position=position)).inserted_primary_key[0]
    return cid, OTHER


def sell(conn: Connection, seller: SellerRow, name: str, price_minor: int, stock: int, category_id: int) -> int:
    """List a new product in the seller's currency; returns its id (its code is codes.product_code(id))."""
    return catalog.add_product(conn, seller.id, category_id, name[:MAX_NAME], price_minor, seller.currency,
                               stock)


def _own(conn: Connection, seller_id: int, product_id: int):
    return conn.execute(select(P.c.id, P.c.name, P.c.price_minor, P.c.currency, P.c.stock)
                        .where(P.c.id == product_id, P.c.seller_id == seller_id, P.c.active.is_(True))).first()


def set_price(conn: Connection, seller_id: int, product_id: int, price_minor: int) -> catalog.ProductRow | None:
    """Reprice the seller's own active product; None when it is not theirs or was removed.

    Orders already placed keep the price they were placed at (order lines hold it)."""
    row = _own(conn, seller_id, product_id)
    if row is None:
        return None
    conn.execute(update(P).where(P.c.id == product_id).values(price_minor=price_minor))
    return catalog.ProductRow(row.id, row.name, price_minor, row.currency, row.stock)


def set_stock(conn: Connection, seller_id: int, product_id: int, stock: int) -> catalog.ProductRow | None:
    row = _own(conn, seller_id, product_id)
    if row is None:
        return None
    conn.execute(update(P).where(P.c.id == product_id).values(stock=stock))
    return catalog.ProductRow(row.id, row.name, row.price_minor, row.currency, stock)


def remove(conn: Connection, seller_id: int, product_id: int) -> catalog.ProductRow | None:
    """Take the product off sale. Open orders for it go on; buyers can no longer find it."""
    row = _own(conn, seller_id, product_id)
    if row is None:
        return None
    conn.execute(update(P).where(P.c.id == product_id).values(active=False))
    return catalog.ProductRow(*row)


def items(conn: Connection, seller_id: int, offset: int, limit: int) -> list[catalog.ProductRow]:
    """The seller's products on sale (sold-out ones too: they can be restocked), newest first."""
    q = (select(P.c.id, P.c.name, P.c.price_minor, P.c.currency, P.c.stock)
         .where(P.c.seller_id == seller_id, P.c.active.is_(True)).order_by(P.c.id.desc())
         .offset(offset).limit(limit))
    return [catalog.ProductRow(*r) for r in conn.execute(q)]


@dataclass(frozen=True, slots=True)
class SellerOrder:
    code: str
    status: str
    name: str
    quantity: int


def open_orders(conn: Connection, seller_id: int, offset: int, limit: int) -> list[SellerOrder]:
    """Orders the seller still has to act on or see through (placed, paid, dispatched), oldest first."""
    q = (select(ORD.c.code, ORD.c.status, L.c.name, L.c.quantity).join(L, L.c.order_id == ORD.c.id)
         .where(ORD.c.seller_id == seller_id, ORD.c.status.in_(OPEN_STATUSES))
         .order_by(ORD.c.id).offset(offset).limit(limit))
    return [SellerOrder(*r) for r in conn.execute(q)]
