"""The database schema: people, catalog, orders, payments, messages.

Money columns are integer minor units beside an ISO 4217 code; rates are kept as exact decimal
strings (SQLite has no exact decimal type). Every change of an order's status is a row in
`order_events`. Schema changes go through Alembic (`commerce/migrations`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# Order statuses and payment methods, as stored and as the admin API shows them.
PLACED, PAID, DISPATCHED, DELIVERED, CANCELLED, EXPIRED = (
    "placed", "paid", "dispatched", "delivered", "cancelled", "expired",
)
OPEN_STATUSES = (PLACED, PAID, DISPATCHED)
MOBILE_MONEY, CASH, ON_DELIVERY = "mobile_money", "cash", "on_delivery"
PAYMENT_METHODS = (MOBILE_MONEY, CASH, ON_DELIVERY)


class Person(Base):
    """Anyone who has used Soko from a phone: buyers, and the person behind a seller or agent."""

    __tablename__ = "people"
    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)  # E.164
    language: Mapped[str] = mapped_column(String(5), default="en")
    currency: Mapped[str] = mapped_column(String(3))
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Seller(Base):
    __tablename__ = "sellers"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), unique=True)
    shop_name: Mapped[str] = mapped_column(String(60))
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Agent(Base):
    """A village agent: runs a pickup point, takes cash, hands goods over."""

    __tablename__ = "agents"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    village: Mapped[str] = mapped_column(String(60), index=True)
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    failed_pins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Category(Base):
    __tablename__ = "categories"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    name_sw: Mapped[str | None] = mapped_column(String(40))
    name_zh: Mapped[str | None] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer, default=0)


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (Index("ix_products_category_active_id", "category_id", "active", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    name: Mapped[str] = mapped_column(String(60))
    price_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    stock: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class ProductWord(Base):
    """One row per (word, product): search is an indexed prefix lookup, the same on SQLite and PostgreSQL."""

    __tablename__ = "product_words"
    word: Mapped[str] = mapped_column(String(40), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)


class Rate(Base):
    """1 from_currency = rate to_currency, set by the operator."""

    __tablename__ = "rates"
    from_currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    to_currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    rate: Mapped[str] = mapped_column(String(32))  # exact decimal text
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_buyer_created", "buyer_id", "id"),
        Index("ix_orders_status_expires", "status", "expires_at"),
        # The orders whose seller and agent are not told yet (a few seconds' worth): the sweep's.
        Index("ix_orders_unannounced", "id", sqlite_where=text("NOT announced"),
              postgresql_where=text("NOT announced")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id"), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=PLACED)
    payment_method: Mapped[str] = mapped_column(String(16))
    # What the buyer pays, in the buyer's currency, and what the seller is owed, in theirs.
    total_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    seller_total_minor: Mapped[int] = mapped_column(Integer)
    seller_currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[str] = mapped_column(String(32), default="1")  # 1 seller_currency = rate currency, locked
    paid_minor: Mapped[int] = mapped_column(Integer, default=0)
    flags: Mapped[str] = mapped_column(String(200), default="")  # space-separated, for the operator
    # The USSD session that placed it: a redelivered Confirm hop finds this order, not a new one.
    request_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    # False from the USSD hop's placing until a worker writes the seller's and agent's notices
    # (commerce.orders.announce): the order row is their outbox entry, in the same transaction.
    announced: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class OrderLine(Base):
    __tablename__ = "order_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    name: Mapped[str] = mapped_column(String(60))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_minor: Mapped[int] = mapped_column(Integer)  # seller's currency, at order time


class OrderEvent(Base):
    """The status history: who moved the order, to what, when."""

    __tablename__ = "order_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    actor: Mapped[str] = mapped_column(String(40))  # "buyer", "seller", "agent:<id>", "system", "admin"
    note: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("method", "reference", name="uq_payments_method_reference"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    method: Mapped[str] = mapped_column(String(16))
    amount_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    reference: Mapped[str] = mapped_column(String(80))  # transactionId, or "cash:<order>:<n>"
    status: Mapped[str] = mapped_column(String(16))  # success, failed, flagged
    note: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Checkout(Base):
    """A mobile-money checkout request sent to the provider, awaiting its notification."""

    __tablename__ = "checkouts"
    # An order's first checkout waits as a `due` row until its time (workers/dispatch.py reads them
    # a few times a second): a handful of rows at any moment, found through this partial index.
    __table_args__ = (Index("ix_checkouts_due", "created_at", sqlite_where=text("status = 'due'"),
                            postgresql_where=text("status = 'due'")),)
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    transaction_id: Mapped[str | None] = mapped_column(String(80), unique=True)
    status: Mapped[str] = mapped_column(String(24), default="pending")
    description: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Message(Base):
    """An outbound SMS: written in the same transaction as the change that causes it (the outbox)."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_status_id", "status", "id"), Index("ix_messages_to_id", "to_phone", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    to_phone: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(24), default="notice")
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    provider: Mapped[str | None] = mapped_column(String(20))
    provider_id: Mapped[str | None] = mapped_column(String(80), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(200))
    # A reply to an Africa's Talking premium (on-demand) message goes back with its linkId from
    # the short code it came to (migration 0002).
    link_id: Mapped[str | None] = mapped_column(String(80))
    short_code: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class InboundMessage(Base):
    """An SMS received; the provider's id is unique so a redelivery is stored once."""

    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("provider", "provider_id", name="uq_inbound_provider_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    provider_id: Mapped[str] = mapped_column(String(80))
    from_phone: Mapped[str] = mapped_column(String(20), index=True)
    to: Mapped[str | None] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    link_id: Mapped[str | None] = mapped_column(String(80))
    reply: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class UssdSessionEvent(Base):
    """Africa's Talking's end-of-session notification, for drop-off analytics."""

    __tablename__ = "ussd_session_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(String(80), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16))
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    hops: Mapped[int | None] = mapped_column(Integer)
    last_input: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AuditEntry(Base):
    """What an operator did: agent added or suspended, seller suspended, order cancelled."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(60))
    detail: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
