"""Placing, reading and cancelling orders: each change is one transaction.

Stock is reserved with a guarded UPDATE (`stock = stock - n WHERE stock >= n`) whose row count
says whether it worked, so two buyers racing for the last item get exactly one order on SQLite and
PostgreSQL alike. Notifications are outbox rows in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from commerce import codes, money, notices, outbox, people, rates
from commerce.models import (
    CANCELLED,
    OPEN_STATUSES,
    PAYMENT_METHODS,
    PLACED,
    Agent,
    Order,
    OrderEvent,
    OrderLine,
    Person,
    Product,
    Seller,
    utcnow,
)

ORD, L, E, P, S, A, PE = (Order.__table__, OrderLine.__table__, OrderEvent.__table__, Product.__table__,
                        Seller.__table__, Agent.__table__, Person.__table__)

MAX_QUANTITY = 99


@dataclass
class Placed:
    ok: bool
    error: str | None = None  # out_of_stock, unavailable, no_rate, bad_quantity, bad_pickup, bad_method
    code: str | None = None
    order_id: int | None = None
    total: money.Money | None = None
    message_ids: list[int] = field(default_factory=list)
    created: bool = False  # False when the same request already placed it


@dataclass(frozen=True, slots=True)
class Quote:
    """What an order would cost the buyer, before it is placed."""

    seller_total: money.Money
    total: money.Money | None  # None: no rate for the pair
    rate: object


def quote(conn: Connection, price_minor: int, currency: str, quantity: int, buyer_currency: str) -> Quote:
    seller_total = money.Money(price_minor * quantity, currency)
    rate = rates.get(conn, currency, buyer_currency)
    total = money.convert(seller_total, buyer_currency, rate) if rate is not None else None
    return Quote(seller_total, total, rate)


def record_event(conn: Connection, order_id: int, status: str, actor: str, note: str | None = None) -> None:
    conn.execute(insert(E).values(order_id=order_id, status=status, actor=actor, note=note, at=utcnow()))


def place_order(engine: Engine, *, phone: str, product_id: int, quantity: int, agent_id: int,
                method: str, request_key: str | None, payment_window_minutes: int,
                language: str = "en") -> Placed:
    """Place an order for one product. Safe to call twice with the same `request_key`."""
    if method not in PAYMENT_METHODS:
        return Placed(False, "bad_method")
    if not 1 <= quantity <= MAX_QUANTITY:
        return Placed(False, "bad_quantity")
    for _attempt in range(5):
        try:
            with engine.begin() as conn:
                return _place(conn, phone, product_id, quantity, agent_id, method, request_key,
                              payment_window_minutes, language)
        except IntegrityError:
            # A concurrent insert of the same request key, or an order-code collision: look again.
            if request_key:
                with engine.connect() as conn:
                    found = _by_request(conn, request_key)
                if found:
                    return found
    return Placed(False, "busy")


def _by_request(conn: Connection, request_key: str) -> Placed | None:
    row = conn.execute(select(ORD.c.id, ORD.c.code, ORD.c.total_minor, ORD.c.currency)
                       .where(ORD.c.request_key == request_key)).first()
    if row is None:
        return None
    return Placed(True, code=row.code, order_id=row.id, total=money.Money(row.total_minor, row.currency))


def _place(conn, phone, product_id, quantity, agent_id, method, request_key, window, language) -> Placed:
    if request_key:
        found = _by_request(conn, request_key)
        if found:
            return found
    prod = conn.execute(
        select(P.c.id, P.c.name, P.c.price_minor, P.c.currency, P.c.seller_id, S.c.person_id,
               S.c.shop_name)
        .join(S, S.c.id == P.c.seller_id)
        .where(P.c.id == product_id, P.c.active.is_(True), S.c.suspended.is_(False))).first()
    if prod is None:
        return Placed(False, "unavailable")
    agent = conn.execute(select(A.c.id, A.c.village, A.c.person_id)
                         .where(A.c.id == agent_id, A.c.suspended.is_(False))).first()
    if agent is None:
        return Placed(False, "bad_pickup")
    buyer = people.get_or_create(conn, phone, language)
    q = quote(conn, prod.price_minor, prod.currency, quantity, buyer.currency)
    if q.total is None:
        return Placed(False, "no_rate")

    reserved = conn.execute(
        update(P).where(P.c.id == product_id, P.c.active.is_(True), P.c.stock >= quantity)
        .values(stock=P.c.stock - quantity)).rowcount
    if reserved != 1:
        return Placed(False, "out_of_stock")

    now = utcnow()
    code = _free_code(conn)
    order_id = conn.execute(insert(ORD).values(
        code=code, buyer_id=buyer.id, seller_id=prod.seller_id, agent_id=agent.id, status=PLACED,
        payment_method=method, total_minor=q.total.amount_minor, currency=q.total.currency,
        seller_total_minor=q.seller_total.amount_minor, seller_currency=q.seller_total.currency,
        rate=format(q.rate, "f"), paid_minor=0, flags="", request_key=request_key,
        expires_at=now + timedelta(minutes=window), created_at=now, updated_at=now,
    )).inserted_primary_key[0]
    conn.execute(insert(L).values(order_id=order_id, product_id=prod.id, name=prod.name,
                                  quantity=quantity, unit_price_minor=prod.price_minor))
    record_event(conn, order_id, PLACED, "buyer")

    seller_person = conn.execute(select(PE.c.phone, PE.c.language).where(PE.c.id == prod.person_id)).first()
    agent_person = conn.execute(select(PE.c.phone, PE.c.language).where(PE.c.id == agent.person_id)).first()
    ids = []
    for who, kind, amount in ((seller_person, "new_order", q.seller_total),
                              (agent_person, "agent_new_order", q.total)):
        body = notices.text(kind, who.language, code=code, qty=quantity, name=prod.name,
                            total=money.format_money(amount, who.language), village=agent.village,
                            method=notices.text(f"method_{method}", who.language), buyer=phone)
        mid = outbox.add(conn, who.phone, body, kind=kind, order_id=order_id)
        if mid:
            ids.append(mid)
    return Placed(True, code=code, order_id=order_id, total=q.total, message_ids=ids, created=True)


def _free_code(conn: Connection) -> str:
    for width in (6, 6, 6, 7, 8):
        code = codes.new_order_code(width=width)
        if conn.execute(select(ORD.c.id).where(ORD.c.code == code)).first() is None:
            return code
    raise IntegrityError("order code space crowded", None, None)


@dataclass(frozen=True, slots=True)
class OrderRow:
    id: int
    code: str
    status: str
    payment_method: str
    total: money.Money
    paid_minor: int
    name: str
    quantity: int
    village: str
    created_at: datetime


def buyer_orders(conn: Connection, phone: str, offset: int, limit: int) -> list[OrderRow]:
    q = (select(ORD.c.id, ORD.c.code, ORD.c.status, ORD.c.payment_method, ORD.c.total_minor, ORD.c.currency,
                ORD.c.paid_minor, L.c.name, L.c.quantity, A.c.village, ORD.c.created_at)
         .join(PE, PE.c.id == ORD.c.buyer_id).join(L, L.c.order_id == ORD.c.id).join(A, A.c.id == ORD.c.agent_id)
         .where(PE.c.phone == phone).order_by(ORD.c.id.desc()).offset(offset).limit(limit))
    return [OrderRow(r[0], r[1], r[2], r[3], money.Money(r[4], r[5]), r[6], r[7], r[8], r[9], r[10])
            for r in conn.execute(q)]


def buyer_order(conn: Connection, phone: str, order_id: int) -> OrderRow | None:
    q = (select(ORD.c.id, ORD.c.code, ORD.c.status, ORD.c.payment_method, ORD.c.total_minor, ORD.c.currency,
                ORD.c.paid_minor, L.c.name, L.c.quantity, A.c.village, ORD.c.created_at)
         .join(PE, PE.c.id == ORD.c.buyer_id).join(L, L.c.order_id == ORD.c.id).join(A, A.c.id == ORD.c.agent_id)
         .where(PE.c.phone == phone, ORD.c.id == order_id))
    r = conn.execute(q).first()
    return OrderRow(r[0], r[1], r[2], r[3], money.Money(r[4], r[5]), r[6], r[7], r[8], r[9], r[10]) if r else None


def can_cancel(order: OrderRow) -> bool:
    """A buyer may cancel an order nobody has paid for or sent yet."""
    return order.status == PLACED and order.paid_minor == 0


def release_stock(conn: Connection, order_id: int) -> None:
    for product_id, qty in conn.execute(select(L.c.product_id, L.c.quantity).where(L.c.order_id == order_id)):
        conn.execute(update(P).where(P.c.id == product_id).values(stock=P.c.stock + qty))


def cancel_by_buyer(engine: Engine, phone: str, order_id: int) -> tuple[bool, str | None, list[int]]:
    """Cancel the buyer's open unpaid order and release its stock. Returns (done, code, message ids)."""
    with engine.begin() as conn:
        order = buyer_order(conn, phone, order_id)
        if order is None or not can_cancel(order):
            return False, order.code if order else None, []
        # The guarded UPDATE makes a double cancel (or a race with a payment) a no-op.
        moved = conn.execute(update(ORD).where(ORD.c.id == order_id, ORD.c.status == PLACED, ORD.c.paid_minor == 0)
                             .values(status=CANCELLED, updated_at=utcnow())).rowcount
        if moved != 1:
            return False, order.code, []
        release_stock(conn, order_id)
        record_event(conn, order_id, CANCELLED, "buyer")
        seller = conn.execute(select(PE.c.phone, PE.c.language).join(S, S.c.person_id == PE.c.id)
                              .join(ORD, ORD.c.seller_id == S.c.id).where(ORD.c.id == order_id)).first()
        mid = outbox.add(conn, seller.phone, notices.text("order_cancelled_seller", seller.language,
                                                          code=order.code),
                         kind="order_cancelled", order_id=order_id)
        return True, order.code, [mid] if mid else []


__all__ = ["OPEN_STATUSES", "Placed", "place_order", "buyer_orders", "buyer_order", "cancel_by_buyer",
           "quote", "can_cancel", "release_stock", "record_event"]
