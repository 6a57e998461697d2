"""Payments: the ledger (one `payments` row per payment, ever) and mobile-money notifications.

Ledger rule: for every order, the sum of its `success` payments equals `orders.paid_minor`, in the
order's currency. A payment that does not fit the order (wrong currency, wrong amount, money for an
order that is already paid, expired or unknown) is still recorded, as `flagged`, with a flag on the
order for the operator; it never counts towards `paid_minor`, and is owed back (commerce.refunds).

Mobile money is idempotent on the provider's transaction id through the unique
(method, reference) constraint: a redelivered notification finds its row and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from commerce import agent_money, codes, money, order_moves, refunds
from commerce import credit as seller_credit
from commerce.models import (
    CANCELLED,
    CASH,
    CREDIT_METHODS,
    DELIVERED,
    EXPIRED,
    MOBILE_MONEY,
    PAID,
    PAY_LATER,
    PLACED,
    Checkout,
    Order,
    Payment,
    utcnow,
)
from commerce.order_state import Notices, OrderView, add_flag, load, shown_minor
from commerce.texts import status_word

PAY, ORD, CO = Payment.__table__, Order.__table__, Checkout.__table__

SUCCESS, FAILED, FLAGGED = "success", "failed", "flagged"
# Flags the operator sees on an order (admin API `flags`).
PAYMENT_MISMATCH, OVERPAID, LATE_PAYMENT = "payment_mismatch", "overpaid", "late_payment"


@dataclass
class Credit:
    payment_id: int
    paid_in_full: bool
    over: money.Money  # how much more than due, zero when not overpaid


def credit(conn: Connection, order: OrderView, amount: money.Money, method: str, reference: str,
           actor: str, note: str | None = None, now: datetime | None = None) -> Credit:
    """Record money received for `order` and count it; PLACED becomes PAID once it is paid in full.

    The caller has checked the currency. A payment beyond what is due is kept and flagged
    `overpaid`, and what is beyond is a refund owed. A lay-by or pay-later order's plan spreads
    the new paid amount over its instalments (commerce.credit.on_payment), in this transaction.
    """
    if amount.currency != order.currency:
        raise ValueError("credit() takes the order's currency")
    now = now or utcnow()
    pid = conn.execute(insert(PAY).values(
        order_id=order.id, method=method, amount_minor=amount.amount_minor, currency=amount.currency,
        reference=reference[:80], status=SUCCESS, note=note, at=now)).inserted_primary_key[0]
    conn.execute(update(ORD).where(ORD.c.id == order.id)
                 .values(paid_minor=ORD.c.paid_minor + amount.amount_minor, updated_at=now))
    over_before = max(0, order.paid_minor - order.payable.amount_minor)
    order.paid_minor += amount.amount_minor
    over = max(0, order.paid_minor - order.payable.amount_minor)
    if over:
        add_flag(conn, order, OVERPAID)
        refunds.owe(conn, reason=refunds.OVERPAID, amount_minor=over - over_before, currency=order.currency,
                    rail=refunds.rail_of(conn, method, reference), reference=reference, payee=order.buyer_phone,
                    order_id=order.id, payment_id=pid)
    if order.paid_in_full and order.status == PLACED:
        order_moves.apply(conn, order, PAID, actor, note=reference[:200])
    if order.method in CREDIT_METHODS:
        seller_credit.on_payment(conn, order, now)
    return Credit(pid, order.paid_in_full, order.money(over))


def record_unmatched(conn: Connection, order_id: int | None, method: str, amount_minor: int, currency: str,
                     reference: str, status: str, note: str) -> int:
    """A payment that does not count (failed, or flagged for the operator), kept for the record."""
    return conn.execute(insert(PAY).values(
        order_id=order_id, method=method, amount_minor=amount_minor, currency=currency[:3],
        reference=reference[:80], status=status, note=note[:200], at=utcnow())).inserted_primary_key[0]


def next_cash_reference(conn: Connection, order: OrderView) -> str:
    n = conn.execute(select(func.count()).select_from(PAY).where(PAY.c.order_id == order.id,
                                                                 PAY.c.method == CASH)).scalar()
    return f"cash:{order.code}:{n + 1}"


# -- mobile money notifications (whichever provider sent them) -------------------------------------

# Notification.status
SUCCEEDED = "succeeded"  # the money was received
REFUSED = "failed"  # the payer refused or could not pay
# anything else: not paid, and not a refusal either (e.g. still pending)


@dataclass(frozen=True)
class Notification:
    transaction_id: str  # the provider's, unique per payment
    status: str  # SUCCEEDED, REFUSED or anything else (not paid)
    value: money.Money | None  # None only when not SUCCEEDED
    order_code: str | None
    description: str
    provider_ref: str | None
    status_text: str = ""  # the provider's own word for the status, kept in the payment's note
    rail: str = "africastalking"  # which rail's money this is (refunds owed name it)
    payer: str | None = None  # E.164, when the provider names the payer


def received_value(amount: Decimal, currency: str) -> money.Money:
    """An amount a provider reports (major units) as Money, exactly; ValueError for an unknown
    currency, or an amount that is not a whole number of its minor units ("KES 1.005")."""
    if not amount.is_finite() or amount < 0 or amount > money.MAX_MAJOR_UNITS:
        raise ValueError(f"Not an amount: {amount}")
    value = money.from_decimal(amount, currency)
    if money.to_decimal(value) != amount:
        raise ValueError(f"{currency} {amount} is not a whole number of {currency} minor units")
    return value


@dataclass
class Recorded:
    created: bool  # False: this transaction id was already recorded, nothing changed
    outcome: str  # paid, failed, mismatch, overpaid, late, unknown_order, duplicate
    order_id: int | None = None
    message_ids: list[int] = field(default_factory=list)


def record_notification(engine: Engine, n: Notification, now: datetime | None = None) -> Recorded:
    """Record one notification in one transaction; safe to call again with the same transaction id."""
    try:
        with engine.begin() as conn:
            exists = conn.execute(select(PAY.c.id, PAY.c.order_id).where(
                PAY.c.method == MOBILE_MONEY, PAY.c.reference == n.transaction_id)).first()
            if exists:
                return Recorded(False, "duplicate", exists.order_id)
            return _record(conn, n, now or utcnow())
    except IntegrityError:
        # The same notification, delivered twice at once: the other request recorded it.
        return Recorded(False, "duplicate")


def _find_order(conn: Connection, n: Notification) -> OrderView | None:
    if n.order_code and codes.is_valid(n.order_code):
        order = load(conn, code=n.order_code, lock=True)
        if order:
            return order
    order_id = conn.execute(select(CO.c.order_id).where(CO.c.transaction_id == n.transaction_id)).scalar()
    return load(conn, order_id=order_id, lock=True) if order_id else None


def _record(conn: Connection, n: Notification, now: datetime) -> Recorded:
    order = _find_order(conn, n)
    ok = n.status == SUCCEEDED
    conn.execute(update(CO).where(CO.c.transaction_id == n.transaction_id)
                 .values(status="success" if ok else "failed", description=n.description[:200] or n.status_text,
                         updated_at=utcnow()))
    value = n.value
    amount_minor = value.amount_minor if value else 0
    currency = value.currency if value else (order.currency if order else "XXX")
    note = f"{n.status_text}: {n.description}"[:200]

    def owe(reason: str, payment_id: int, payee: str | None) -> None:
        refunds.owe(conn, reason=reason, amount_minor=amount_minor, currency=currency, rail=n.rail,
                    reference=n.provider_ref or n.transaction_id, payee=payee,
                    order_id=order.id if order else None, payment_id=payment_id)

    if order is None:
        pid = record_unmatched(conn, None, MOBILE_MONEY, amount_minor, currency, n.transaction_id,
                               FLAGGED if ok else FAILED, f"no such order {n.order_code!r}; {note}")
        if ok:
            owe(refunds.UNKNOWN_ORDER, pid, n.payer)
        return Recorded(True, "unknown_order")

    notices = Notices(conn, order)
    if not ok:
        record_unmatched(conn, order.id, MOBILE_MONEY, amount_minor, currency, n.transaction_id, FAILED, note)
        # An old attempt failing after a newer one paid must not alarm the buyer.
        if n.status == REFUSED and order.status == PLACED and not order.paid_in_full:
            notices.send("buyer", "buyer_payment_failed")
        return Recorded(True, "failed", order.id, notices.ids)

    def shown(m):
        return lambda lang: money.format_money(m, lang)

    if order.status in (EXPIRED, CANCELLED):
        pid = record_unmatched(conn, order.id, MOBILE_MONEY, amount_minor, currency, n.transaction_id, FLAGGED,
                               f"order {order.status}; {note}")
        add_flag(conn, order, LATE_PAYMENT)
        owe(refunds.LATE_PAYMENT, pid, order.buyer_phone)
        notices.send("buyer", "buyer_late_payment", amount=shown(value),
                     status=lambda lang: status_word(order.status, lang))
        return Recorded(True, "late", order.id, notices.ids)

    if order.paid_in_full or (order.status == DELIVERED and order.method != PAY_LATER):
        pid = record_unmatched(conn, order.id, MOBILE_MONEY, amount_minor, currency, n.transaction_id, FLAGGED,
                               f"order already paid; {note}")
        add_flag(conn, order, OVERPAID)
        owe(refunds.OVERPAID, pid, order.buyer_phone)
        return Recorded(True, "overpaid", order.id)

    due = order.due
    # A lay-by or pay-later order takes any amount (a part, an instalment, the rest): what is beyond
    # the price is owed back by credit(). Any other order takes the amount due, exactly.
    parts = order.method in CREDIT_METHODS and value.amount_minor > 0
    if value.currency != order.currency or (value.amount_minor != due.amount_minor and not parts):
        pid = record_unmatched(conn, order.id, MOBILE_MONEY, amount_minor, currency, n.transaction_id, FLAGGED,
                               f"expected {money.format_money(due)}; {note}")
        add_flag(conn, order, PAYMENT_MISMATCH)
        owe(refunds.PAYMENT_MISMATCH, pid, order.buyer_phone)
        notices.send("buyer", "buyer_payment_mismatch", amount=shown(value), due=shown(due))
        return Recorded(True, "mismatch", order.id, notices.ids)

    credit(conn, order, value, MOBILE_MONEY, n.transaction_id, "mobile_money", note=n.provider_ref, now=now)
    if order.method in CREDIT_METHODS:
        seller_credit.payment_notices(conn, order, value, notices, now)
        return Recorded(True, "paid", order.id, notices.ids)
    notices.send("buyer", "buyer_paid", amount=shown(value))
    if order.status == PAID:
        notices.send("seller", "seller_paid", amount=shown(order.seller_total))
    return Recorded(True, "paid", order.id, notices.ids)


# -- the ledger check -------------------------------------------------------------------------------

def ledger_problems(conn: Connection) -> list[tuple[str, int, int]]:
    """Orders whose `paid_minor` differs from the sum of their successful payments:
    (code, paid_minor, sum of payments); then the money that came in but is neither kept nor owed
    back (refund_problems), agents' cash that does not add up (agent_money.ledger_problems), and
    pay-later instalments that do not sum to the price or hold money counted twice or not at all
    (credit.ledger_problems). Empty when the books balance."""
    paid = (select(PAY.c.order_id, func.coalesce(func.sum(PAY.c.amount_minor), 0).label("total"))
            .join(ORD, ORD.c.id == PAY.c.order_id)
            .where(PAY.c.status == SUCCESS, PAY.c.currency == ORD.c.currency)
            .group_by(PAY.c.order_id).subquery())
    rows = conn.execute(select(ORD.c.code, ORD.c.paid_minor, func.coalesce(paid.c.total, 0))
                        .outerjoin(paid, paid.c.order_id == ORD.c.id)).all()
    wrong_currency = conn.execute(select(ORD.c.code, ORD.c.paid_minor, PAY.c.amount_minor)
                                  .join(PAY, PAY.c.order_id == ORD.c.id)
                                  .where(PAY.c.status == SUCCESS, PAY.c.currency != ORD.c.currency)).all()
    return ([(r[0], r[1], r[2]) for r in rows if r[1] != r[2]] + [tuple(r) for r in wrong_currency]
            + refund_problems(conn) + agent_money.ledger_problems(conn) + seller_credit.ledger_problems(conn))


def refund_problems(conn: Connection) -> list[tuple[str, int, int]]:
    """Payments in = paid amounts + refunds owed: for every order and currency, the money received
    (success and flagged payments) against what the order keeps (paid, up to what it costs; nothing
    once cancelled) plus its refunds, as ("<code> <currency>", received, kept + refunds); money for
    no order against refunds for no order, as ("no order <currency>", …)."""
    RF = refunds.RF
    received: dict[tuple[int | None, str], int] = {}
    for order_id, cur, total in conn.execute(
            select(PAY.c.order_id, PAY.c.currency, func.sum(PAY.c.amount_minor))
            .where(PAY.c.status.in_((SUCCESS, FLAGGED))).group_by(PAY.c.order_id, PAY.c.currency)):
        received[order_id, cur] = int(total or 0)
    owed: dict[tuple[int | None, str], int] = {}
    for order_id, cur, total in conn.execute(
            select(RF.c.order_id, RF.c.currency, func.sum(RF.c.amount_minor)).group_by(RF.c.order_id, RF.c.currency)):
        owed[order_id, cur] = int(total or 0)
    ids = {k[0] for k in received} | {k[0] for k in owed}
    orders = {r.id: r for r in conn.execute(
        select(ORD.c.id, ORD.c.code, ORD.c.status, ORD.c.total_minor, ORD.c.currency, ORD.c.paid_minor)
        .where(ORD.c.id.in_([i for i in ids if i is not None])))} if ids - {None} else {}
    problems = []
    for key in sorted(set(received) | set(owed), key=lambda k: (k[0] or 0, k[1])):
        order_id, cur = key
        kept = 0
        o = orders.get(order_id)
        if o is not None and cur == o.currency and o.status != CANCELLED:
            kept = min(o.paid_minor, shown_minor(o.total_minor, o.currency))
        expected = kept + owed.get(key, 0)
        if received.get(key, 0) != expected:
            label = f"{o.code} {cur}" if o is not None else f"no order {cur}"
            problems.append((label, received.get(key, 0), expected))
    return problems
