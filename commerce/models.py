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
ARRIVED = "arrived"  # at the pickup point, waiting for its buyer (the agent's ARRIVED)
OPEN_STATUSES = (PLACED, PAID, DISPATCHED, ARRIVED)
MOBILE_MONEY, CASH, ON_DELIVERY = "mobile_money", "cash", "on_delivery"
# Credit the seller gives (SPEC §15, issue 18): pay in parts before the goods go (lay-by), or get
# the goods now and repay in weekly instalments (pay later). Never expired by the payment window.
LAYBY, PAY_LATER = "layby", "pay_later"
CREDIT_METHODS = (LAYBY, PAY_LATER)
PAYMENT_METHODS = (MOBILE_MONEY, CASH, ON_DELIVERY, LAYBY, PAY_LATER)


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
    # Pay later offered by the seller (CREDIT ON <max> <weeks>, migration 0010): the most a buyer
    # may owe this seller, in the seller's currency, and the weeks to repay; NULL = not offered.
    credit_max_minor: Mapped[int | None] = mapped_column(Integer)
    credit_weeks: Mapped[int | None] = mapped_column(Integer)


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
    # An order an agent placed for a customer (USSD "Order for a customer", migration 0008): the
    # agent, and the customer's name when they have no phone (the agent is then the buyer).
    placed_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    customer_name: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class AgentEntry(Base):
    """The agent's money, one row per movement (migration 0008): `cash_in` (cash taken for an order,
    written with its payment), `cash_out` (handed over to the operator), `commission` (earned when
    an order at the agent's point is delivered), `commission_paid` (paid by the operator). Cash held
    is cash_in - cash_out; unpaid commission is commission - commission_paid; per currency."""

    __tablename__ = "agent_entries"
    __table_args__ = (Index("ix_agent_entries_agent_kind_at", "agent_id", "kind", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    kind: Mapped[str] = mapped_column(String(16))
    amount_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    reference: Mapped[str | None] = mapped_column(String(80))
    actor: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


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
    """A mobile-money checkout request sent to the provider, awaiting its notification.

    `transaction_id` is the rail's reference of the request (Africa's Talking's transactionId,
    M-Pesa's CheckoutRequestID, MoMo's X-Reference-Id): what its callback and status query name,
    and the payment's reference once it is recorded. Migration 0006 adds the rail, the amount asked,
    what a callback reported and how many status queries were made."""

    __tablename__ = "checkouts"
    # The reconciliation sweeps read checkouts by status and age; an order's first checkout waits as a
    # `due` row until its time (workers/dispatch.py reads them a few times a second): a handful of
    # rows at any moment, found through the partial index.
    __table_args__ = (Index("ix_checkouts_status_created", "status", "created_at"),
                      Index("ix_checkouts_due", "created_at", sqlite_where=text("status = 'due'"),
                            postgresql_where=text("status = 'due'")))
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    transaction_id: Mapped[str | None] = mapped_column(String(80), unique=True)
    status: Mapped[str] = mapped_column(String(24), default="pending")
    description: Mapped[str | None] = mapped_column(String(200))
    rail: Mapped[str] = mapped_column(String(16), default="africastalking", server_default="africastalking")
    asked_minor: Mapped[int | None] = mapped_column(Integer)
    asked_currency: Mapped[str | None] = mapped_column(String(3))
    receipt: Mapped[str | None] = mapped_column(String(80))  # the rail's own transaction id, once paid
    reported_minor: Mapped[int | None] = mapped_column(Integer)  # the amount a callback said was paid
    polls: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Refund(Base):
    """Money Soko holds that is not an order's to keep: a paid order cancelled, an overpayment, a
    payment for an expired order, a wrong amount, a lay-by abandoned. The operator pays it back
    outside Soko and marks it paid out with a reference of theirs (audited)."""

    __tablename__ = "refunds"
    __table_args__ = (UniqueConstraint("payment_id", "reason", name="uq_refunds_payment_reason"),
                      Index("ix_refunds_status_id", "status", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    reason: Mapped[str] = mapped_column(String(24))
    amount_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    rail: Mapped[str] = mapped_column(String(16))  # how the money came: africastalking, mpesa, momo, cash
    reference: Mapped[str | None] = mapped_column(String(80))  # the rail's reference of that money
    payee: Mapped[str | None] = mapped_column(String(20))  # E.164, when known
    status: Mapped[str] = mapped_column(String(12), default="owed")  # owed, paid_out
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    paid_out_at: Mapped[datetime | None] = mapped_column(DateTime)
    paid_out_reference: Mapped[str | None] = mapped_column(String(80))
    paid_out_by: Mapped[str | None] = mapped_column(String(40))


class CreditGroup(Base):
    """Buyers who vouch for each other (SPEC §15, Grameen's groups), registered by an agent: a member
    qualifies for pay later after one delivered order, and while any member is in arrears no
    member gets new credit."""

    __tablename__ = "credit_groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class GroupMember(Base):
    __tablename__ = "group_members"
    __table_args__ = (UniqueConstraint("group_id", "person_id", name="uq_group_members_group_person"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("credit_groups.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="member")  # member, declined
    joined_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(DateTime)


class CreditPlan(Base):
    """How a lay-by or pay-later order is paid (one per such order, written with it). A lay-by has a
    deadline and no instalments; pay later has its instalments. What is paid is the order's
    `paid_minor` (the ledger), spread over the instalments oldest first (commerce.schedule)."""

    __tablename__ = "credit_plans"
    __table_args__ = (Index("ix_credit_plans_status_kind", "status", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(12))  # layby, pay_later
    buyer_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("credit_groups.id"))
    total_minor: Mapped[int] = mapped_column(Integer)  # what the buyer pays, as payable, in `currency`
    currency: Mapped[str] = mapped_column(String(3))
    weeks: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[datetime | None] = mapped_column(DateTime)  # a lay-by's: cancelled if unpaid by then
    status: Mapped[str] = mapped_column(String(12), default="open")  # open, repaid, abandoned
    on_time: Mapped[bool | None] = mapped_column(Boolean)  # pay later, once repaid: every instalment by its day
    reminded: Mapped[int] = mapped_column(Integer, default=0)  # a lay-by's weekly reminders sent so far
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)


class Instalment(Base):
    __tablename__ = "instalments"
    __table_args__ = (UniqueConstraint("plan_id", "n", name="uq_instalments_plan_n"),
                      Index("ix_instalments_due_at", "due_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("credit_plans.id"))
    n: Mapped[int] = mapped_column(Integer)  # 1, 2, …
    due_at: Mapped[datetime] = mapped_column(DateTime)  # 00:00 UTC of the day it is due
    amount_minor: Mapped[int] = mapped_column(Integer)
    paid_minor: Mapped[int] = mapped_column(Integer, default=0)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime)  # when it was paid in full
    # Reminders sent: 1 two days before, 2 on the day, 3 three days after, 4 the arrears notice.
    reminders: Mapped[int] = mapped_column(Integer, default=0)


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
    """A USSD session's end as its aggregator reported it (Africa's Talking's end-of-session
    notification, Hubtel's and Beem's release/timeout), for drop-off analytics."""

    __tablename__ = "ussd_session_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(String(80), unique=True)
    aggregator: Mapped[str] = mapped_column(String(16), default="africastalking", server_default="africastalking")
    last_screen: Mapped[str | None] = mapped_column(String(8))  # the code of the screen last shown (menus/buyer.py)
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


# -- Seller reach (SPEC §14, issue 17, migration 0011): followers, broadcasts, their recipients ------

class Follower(Base):
    """A person who asked for a shop's news (FOLLOW <shop>, or Follow on a product screen): opt-in
    only. Unfollowing (UNFOLLOW, STOP <shop>, a global STOP) keeps the row with `unfollowed_at`, so
    the follower-growth chart can count who followed when; following again clears it."""

    __tablename__ = "followers"
    __table_args__ = (UniqueConstraint("seller_id", "person_id", name="uq_followers_seller_person"),
                      Index("ix_followers_seller_id_id", "seller_id", "id"),
                      Index("ix_followers_person_id", "person_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    # The number's time zone(s), from phonenumbers, space-separated (several for a country that
    # spans zones): a broadcast reaches it only when the quiet-hours window is open in all of them.
    tz: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(8), default="sms")  # sms, ussd
    followed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    unfollowed_at: Mapped[datetime | None] = mapped_column(DateTime)


class Broadcast(Base):
    """A seller's news (NEWS <text>): a `draft` with its preview and code until YES <code>, then
    `sending` (its recipients are fanned out in chunks: `cursor` is the last follower id done, so
    a worker killed mid-fan-out resumes there), `done` when no recipient is left; a draft not
    confirmed in time is `expired`."""

    __tablename__ = "broadcasts"
    __table_args__ = (UniqueConstraint("seller_id", "code", name="uq_broadcasts_seller_code"),
                      Index("ix_broadcasts_status_id", "status", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id"))
    code: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)  # what the seller wrote
    body: Mapped[str] = mapped_column(Text)  # what is sent: the text and the stop footer
    segments: Mapped[int] = mapped_column(Integer)
    followers: Mapped[int] = mapped_column(Integer)  # at the preview
    zones: Mapped[str] = mapped_column(Text, default="")  # the followers' time zones at the preview, "|"-joined
    status: Mapped[str] = mapped_column(String(12), default="draft")
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    recipients: Mapped[int] = mapped_column(Integer, default=0)  # fanned out so far
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    fanned_out_at: Mapped[datetime | None] = mapped_column(DateTime)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)


class BroadcastRecipient(Base):
    """One follower of one broadcast: the broadcast's outbox row, unique per (broadcast, person), so
    nobody gets a broadcast twice. The text lives once, on the broadcast. `status` goes pending ->
    sending (claimed and committed before the provider call) -> sent -> delivered / failed; or
    opted_out (STOP since, or the provider says the number refuses bulk SMS), or unconfirmed (a
    worker died during the call: never resent). `due_at`: while pending, when it may go (quiet
    hours, retry backoff); while sending, when it was claimed."""

    __tablename__ = "broadcast_recipients"
    __table_args__ = (UniqueConstraint("broadcast_id", "person_id", name="uq_broadcast_recipients_broadcast_person"),
                      Index("ix_broadcast_recipients_status_due_id", "status", "due_at", "id"),  # the claim (0012)
                      Index("ix_broadcast_recipients_broadcast_status", "broadcast_id", "status"),
                      Index("ix_broadcast_recipients_provider_id", "provider_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    due_at: Mapped[datetime] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    provider_id: Mapped[str | None] = mapped_column(String(80))
    error: Mapped[str | None] = mapped_column(String(120))


class BulkOptout(Base):
    """A number the provider reported as refusing bulk SMS (Africa's Talking `UserInBlacklist`,
    Twilio 21610): no broadcast goes to it again, from any shop."""

    __tablename__ = "bulk_optouts"
    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    source: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
