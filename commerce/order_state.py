"""An order with the people around it, read in one query, and the small steps every change makes:
an operator flag, a notification in the outbox. Status moves are `commerce.order_moves`.

Amounts people pay are compared at the precision they can pay in (`money.display_digits`): a TZS
total stored as 12,345.67 is payable as TZS 12,346, and a payment of 12,346 settles it exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from commerce import money, outbox, texts
from commerce.models import Agent, Order, Person, Seller, utcnow

ORD, S, A = Order.__table__, Seller.__table__, Agent.__table__
BUYER, SELLER_P, AGENT_P = Person.__table__.alias("bp"), Person.__table__.alias("sp"), Person.__table__.alias("ap")


@dataclass
class OrderView:
    id: int
    code: str
    status: str
    method: str
    total_minor: int
    currency: str
    seller_total_minor: int
    seller_currency: str
    rate: str
    paid_minor: int
    flags: str
    expires_at: datetime | None
    updated_at: datetime
    seller_id: int
    agent_id: int
    buyer_phone: str
    buyer_lang: str
    seller_phone: str
    seller_lang: str
    shop_name: str
    agent_phone: str
    agent_lang: str
    agent_name: str
    village: str
    placed_by: int | None = None  # the agent who ordered for a customer (SPEC §13)
    customer_name: str | None = None  # a customer with no phone (the agent is the buyer)
    created_at: datetime | None = None

    @property
    def payable(self) -> money.Money:
        """The total as the buyer can pay it (whole units where cash has no decimals)."""
        return money.Money(shown_minor(self.total_minor, self.currency), self.currency)

    @property
    def due(self) -> money.Money:
        return money.Money(max(0, self.payable.amount_minor - self.paid_minor), self.currency)

    @property
    def paid_in_full(self) -> bool:
        return self.paid_minor >= self.payable.amount_minor

    @property
    def seller_total(self) -> money.Money:
        return money.Money(self.seller_total_minor, self.seller_currency)

    def money(self, amount_minor: int) -> money.Money:
        return money.Money(amount_minor, self.currency)


_COLUMNS = (
    ORD.c.id, ORD.c.code, ORD.c.status, ORD.c.payment_method, ORD.c.total_minor, ORD.c.currency,
    ORD.c.seller_total_minor, ORD.c.seller_currency, ORD.c.rate, ORD.c.paid_minor, ORD.c.flags,
    ORD.c.expires_at, ORD.c.updated_at, ORD.c.seller_id, ORD.c.agent_id,
    BUYER.c.phone, BUYER.c.language, SELLER_P.c.phone, SELLER_P.c.language, S.c.shop_name,
    AGENT_P.c.phone, AGENT_P.c.language, A.c.name, A.c.village, ORD.c.placed_by, ORD.c.customer_name,
    ORD.c.created_at,
)


def load(conn: Connection, *, code: str | None = None, order_id: int | None = None,
         lock: bool = False) -> OrderView | None:
    """The order by code or id. `lock` takes a row lock on PostgreSQL (SQLite has one writer anyway)."""
    q = (select(*_COLUMNS)
         .join(BUYER, BUYER.c.id == ORD.c.buyer_id)
         .join(S, S.c.id == ORD.c.seller_id).join(SELLER_P, SELLER_P.c.id == S.c.person_id)
         .join(A, A.c.id == ORD.c.agent_id).join(AGENT_P, AGENT_P.c.id == A.c.person_id))
    q = q.where(ORD.c.code == code) if code is not None else q.where(ORD.c.id == order_id)
    if lock:
        q = q.with_for_update(of=ORD)
    row = conn.execute(q).first()
    return OrderView(*row) if row else None


def add_flag(conn: Connection, order: OrderView, flag: str) -> None:
    flags = order.flags.split()
    if flag in flags:
        return
    flags.append(flag)
    order.flags = " ".join(flags)
    conn.execute(update(ORD).where(ORD.c.id == order.id).values(flags=order.flags[:200], updated_at=utcnow()))


def shown_minor(amount_minor: int, currency: str) -> int:
    """Round minor units to what people can pay in this currency (half-up, the one rounding rule)."""
    step = 10 ** (money.precision(currency) - money.display_digits(currency))
    if step == 1:
        return amount_minor
    return int((Decimal(amount_minor) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * step


@dataclass
class Notices:
    """Outbox rows written by one change, collected so the caller can enqueue their sending."""

    conn: Connection
    order: OrderView
    ids: list[int] = field(default_factory=list)

    def fmt(self, m: money.Money, lang: str) -> str:
        return money.format_money(m, lang)

    def send(self, who: str, key: str, **values) -> None:
        phone, lang = {
            "buyer": (self.order.buyer_phone, self.order.buyer_lang),
            "seller": (self.order.seller_phone, self.order.seller_lang),
            "agent": (self.order.agent_phone, self.order.agent_lang),
        }[who]
        values.setdefault("code", self.order.code)
        values.setdefault("village", self.order.village)
        values.setdefault("agent", self.order.agent_name)
        body = texts.t(key, lang, **{k: (v(lang) if callable(v) else v) for k, v in values.items()})
        mid = outbox.add(self.conn, phone, body, kind=key, order_id=self.order.id)
        if mid:
            self.ids.append(mid)
