"""Mobile-money checkouts across rails (SPEC §12): which rail asks a buyer, the checkout row each
request leaves, what a callback reported, and the outcome once the rail's status query says so.

Africa's Talking has no status query: its notification is recorded as it comes
(`payments.record_notification`). M-Pesa and MoMo can be asked, so their callback is a hint: it is
noted on the checkout (`note_callback`) and a job asks the rail (`settle` takes the answer). A
checkout with no final answer is asked about 30 s, 2 min and 5 min after it started (POLL_AFTER),
then marked `unresolved` and its order flagged `payment_unresolved` for the operator; a later final
answer still settles it and takes the flag down. Every answer goes through `record_notification`,
idempotent on the rail's reference: a callback and a poll racing record one payment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from commerce import money, payments, phones
from commerce.models import Checkout, Order, utcnow
from commerce.order_state import add_flag, load

CO, ORD = Checkout.__table__, Order.__table__

AT, MPESA, MOMO = "africastalking", "mpesa", "momo"
QUERYABLE = (MPESA, MOMO)  # rails with a status query
RAIL_NAMES = {AT: "Mobile money", MPESA: "M-Pesa", MOMO: "MTN MoMo"}  # brand names: the same in every language
PENDING, UNRESOLVED = "pending", "unresolved"
PAYMENT_UNRESOLVED = "payment_unresolved"  # the order's flag while a checkout has no final answer
# When a queryable checkout is asked what became of it, counted from its start; then it is unresolved.
POLL_AFTER = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=5))
POLL_GRACE = timedelta(minutes=1)  # a poll this late was lost with its job: the sweep asks instead


def route(routes, available, phone: str) -> str | None:
    """The rail for a buyer: the first of `routes` ((country or "*", rail), …) that matches the
    number's country and is in `available` (configured); else Africa's Talking when configured."""
    try:
        region = phones.region_of(phone)
    except ValueError:
        region = None
    for country, rail in routes:
        if (country == "*" or country == region) and rail in available:
            return rail
    return AT if AT in available else None


# -- a checkout's life ------------------------------------------------------------------------------

def open_checkout(conn, order_id: int, rail: str, asked: money.Money, now: datetime) -> int:
    """The row, written before the rail is called: a crash in between leaves a trace."""
    return conn.execute(insert(CO).values(
        order_id=order_id, status=PENDING, rail=rail, asked_minor=asked.amount_minor, asked_currency=asked.currency,
        created_at=now, updated_at=now)).inserted_primary_key[0]


def started(engine: Engine, checkout_id: int, reference: str, description: str) -> None:
    """The rail took the request (or may have: a timeout with our own reference): its name is kept,
    and the checkout waits for a callback or a poll."""
    with engine.begin() as conn:
        conn.execute(update(CO).where(CO.c.id == checkout_id).values(
            transaction_id=reference[:80], description=description[:200], updated_at=utcnow()))


@dataclass(frozen=True)
class RailAnswer:
    """What a rail said about one request (providers.base.RailResult's fields, in commerce's words)."""

    reference: str
    state: str  # paid, failed, pending
    code: str
    description: str
    amount: Decimal | None = None
    currency: str | None = None
    receipt: str | None = None
    payer: str | None = None
    order_code: str | None = None


PAID, FAILED = "paid", "failed"


@dataclass(frozen=True)
class Noted:
    checkout_id: int | None  # None: no checkout of ours has this reference
    final: bool  # the callback says paid or failed: worth asking the rail now
    status: str | None = None  # the checkout's status as found


def note_callback(engine: Engine, rail: str, answer: RailAnswer) -> Noted:
    """A callback, kept as a hint on its checkout: the receipt and amount it reports (M-Pesa's
    status query says neither). Nothing is paid here. A reference no checkout of ours has changes
    nothing: only requests Soko made can be paid through it."""
    with engine.begin() as conn:
        row = conn.execute(select(CO.c.id, CO.c.status, CO.c.asked_currency)
                           .where(CO.c.rail == rail, CO.c.transaction_id == answer.reference)).first()
        if row is None:
            return Noted(None, False)
        final = answer.state in (PAID, FAILED)
        values = {}
        if answer.receipt:
            values["receipt"] = answer.receipt[:80]
        reported = _value(answer)
        if answer.state == PAID and reported is not None and reported.currency == row.asked_currency:
            values["reported_minor"] = reported.amount_minor
        if values and row.status in (PENDING, UNRESOLVED):
            conn.execute(update(CO).where(CO.c.id == row.id).values(**values, updated_at=utcnow()))
        return Noted(row.id, final, row.status)


def _value(answer: RailAnswer) -> money.Money | None:
    if answer.amount is None or answer.currency is None:
        return None
    try:
        return payments.received_value(answer.amount, answer.currency)
    except ValueError:
        return None


@dataclass(frozen=True)
class ToAsk:
    """A checkout to ask its rail about, with what the question needs."""

    id: int
    rail: str
    reference: str | None
    status: str
    polls: int
    created_at: datetime
    phone: str
    country: str


def to_ask(engine: Engine, checkout_id: int) -> ToAsk | None:
    with engine.connect() as conn:
        row = conn.execute(select(CO.c.id, CO.c.rail, CO.c.transaction_id, CO.c.status, CO.c.polls,
                                  CO.c.created_at, CO.c.order_id).where(CO.c.id == checkout_id)).first()
        if row is None:
            return None
        order = load(conn, order_id=row.order_id)
    try:
        country = phones.region_of(order.buyer_phone)
    except ValueError:
        country = ""
    return ToAsk(row.id, row.rail, row.transaction_id, row.status, row.polls, row.created_at, order.buyer_phone,
                 country)


def count_poll(engine: Engine, c: ToAsk) -> int | None:
    """One more status query made for `c` (guarded: a poll racing another counts once); the new
    count, or None when another poll or an answer got there first."""
    with engine.begin() as conn:
        done = conn.execute(update(CO).where(CO.c.id == c.id, CO.c.polls == c.polls, CO.c.status == PENDING)
                            .values(polls=c.polls + 1, updated_at=utcnow())).rowcount
    return c.polls + 1 if done else None


def next_poll_at(c: ToAsk, polls: int) -> datetime | None:
    return c.created_at + POLL_AFTER[polls] if polls < len(POLL_AFTER) else None


def mark_unresolved(engine: Engine, checkout_id: int, why: str) -> bool:
    """No final answer after every poll: the checkout is the operator's now (its order flagged)."""
    with engine.begin() as conn:
        done = conn.execute(update(CO).where(CO.c.id == checkout_id, CO.c.status == PENDING)
                            .values(status=UNRESOLVED, description=why[:200], updated_at=utcnow())).rowcount
        if not done:
            return False
        order_id = conn.execute(select(CO.c.order_id).where(CO.c.id == checkout_id)).scalar_one()
        order = load(conn, order_id=order_id, lock=True)
        add_flag(conn, order, PAYMENT_UNRESOLVED)
        return True


def settle(engine: Engine, checkout_id: int, answer: RailAnswer) -> payments.Recorded | None:
    """The rail's final answer (its status query's), recorded as a payment notification: paid for
    the amount the rail says (MoMo's query), else what the callback reported (M-Pesa's), else the
    amount asked (an STK push cannot be paid with another); or failed. None while still pending."""
    if answer.state not in (PAID, FAILED):
        return None
    with engine.connect() as conn:
        row = conn.execute(select(CO, ORD.c.code).join(ORD, ORD.c.id == CO.c.order_id)
                           .where(CO.c.id == checkout_id)).first()
    if row is None:
        return None
    value = None
    if answer.state == PAID:
        value = _value(answer)
        if value is None and answer.amount is None:
            cur = row.asked_currency
            value = money.Money(row.reported_minor if row.reported_minor is not None else row.asked_minor, cur)
        if value is None:  # an amount Soko cannot hold exactly: the operator's
            mark_unresolved(engine, checkout_id, f"paid {answer.amount} {answer.currency}: not an amount we can take")
            return None
    n = payments.Notification(
        transaction_id=row.transaction_id, status=payments.SUCCEEDED if answer.state == PAID else payments.REFUSED,
        value=value, order_code=row.code, description=answer.description, provider_ref=answer.receipt or row.receipt,
        status_text=answer.code, rail=row.rail, payer=answer.payer)
    recorded = payments.record_notification(engine, n)
    if row.status == UNRESOLVED:
        _resolved(engine, row.order_id)
    return recorded


def _resolved(engine: Engine, order_id: int) -> None:
    """An unresolved checkout got its answer: the flag comes down unless another is still open."""
    with engine.begin() as conn:
        if conn.execute(select(CO.c.id).where(CO.c.order_id == order_id, CO.c.status == UNRESOLVED)).first():
            return
        order = load(conn, order_id=order_id, lock=True)
        flags = [f for f in order.flags.split() if f != PAYMENT_UNRESOLVED]
        if len(flags) != len(order.flags.split()):
            conn.execute(update(ORD).where(ORD.c.id == order_id).values(flags=" ".join(flags), updated_at=utcnow()))


def overdue(engine: Engine, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Queryable checkouts still pending whose next poll is more than POLL_GRACE late (its job was
    lost with Redis): the sweep asks about them."""
    now = now or utcnow()
    with engine.connect() as conn:
        rows = conn.execute(select(CO.c.id, CO.c.polls, CO.c.created_at)
                            .where(CO.c.status == PENDING, CO.c.rail.in_(QUERYABLE), CO.c.transaction_id.is_not(None),
                                   CO.c.created_at < now - POLL_AFTER[0] - POLL_GRACE)
                            .order_by(CO.c.id).limit(limit)).all()
    late = []
    for checkout_id, polls, created in rows:
        due = created + POLL_AFTER[min(polls, len(POLL_AFTER) - 1)]
        if due + POLL_GRACE < now:
            late.append(checkout_id)
    return late
