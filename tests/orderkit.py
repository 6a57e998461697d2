"""Helpers for the payment and lifecycle tests: place an order on the demo catalog, read it back,
and check the ledger (the sum of successful payments equals what each order says was paid)."""

from __future__ import annotations

from sqlalchemy import select

from commerce import orders, payments
from commerce.models import Agent, Message, Order, OrderEvent, Payment, Person, Product, Seller

ORD, PRODUCTS, AGENTS, PEOPLE = Order.__table__, Product.__table__, Agent.__table__, Person.__table__
SELLERS, EVENTS, MSGS, PAYS = Seller.__table__, OrderEvent.__table__, Message.__table__, Payment.__table__

BUYER = "+254712345678"
TZ_BUYER = "+255754123456"


def product_id(engine, name: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(PRODUCTS.c.id).where(PRODUCTS.c.name == name)).scalar_one()


def agent_id(engine, village: str = "Kiambu") -> int:
    with engine.connect() as conn:
        return conn.execute(select(AGENTS.c.id).where(AGENTS.c.village == village)).scalar_one()


def seller_id_of(engine, order_code: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(ORD.c.seller_id).where(ORD.c.code == order_code)).scalar_one()


def place(engine, *, phone: str = BUYER, product: str = "Maize flour 2kg", quantity: int = 2,
          method: str = "cash", village: str = "Kiambu", window: int = 60) -> orders.Placed:
    placed = orders.place_order(engine, phone=phone, product_id=product_id(engine, product), quantity=quantity,
                                agent_id=agent_id(engine, village), method=method, request_key=None,
                                payment_window_minutes=window)
    assert placed.ok, placed.error
    orders.announce(engine, [placed.order_id])  # as the worker's drain does a second later
    return placed


def order(engine, code: str):
    with engine.connect() as conn:
        return conn.execute(select(ORD).where(ORD.c.code == code)).one()


def history(engine, code: str) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [(r.status, r.actor) for r in conn.execute(
            select(EVENTS.c.status, EVENTS.c.actor).join(ORD, ORD.c.id == EVENTS.c.order_id)
            .where(ORD.c.code == code).order_by(EVENTS.c.id))]


def messages_to(engine, phone: str, order_code: str | None = None) -> list[str]:
    q = select(MSGS.c.body).where(MSGS.c.to_phone == phone).order_by(MSGS.c.id)
    if order_code:
        q = q.join(ORD, ORD.c.id == MSGS.c.order_id).where(ORD.c.code == order_code)
    with engine.connect() as conn:
        return list(conn.execute(q).scalars())


def payment_rows(engine, code: str | None = None):
    q = select(PAYS).order_by(PAYS.c.id)
    if code:
        q = q.join(ORD, ORD.c.id == PAYS.c.order_id).where(ORD.c.code == code)
    with engine.connect() as conn:
        return conn.execute(q).all()


def stock(engine, name: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(PRODUCTS.c.stock).where(PRODUCTS.c.name == name)).scalar_one()


def assert_ledger(engine) -> None:
    with engine.connect() as conn:
        assert payments.ledger_problems(conn) == []
