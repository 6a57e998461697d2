"""Refunds owed: money Soko holds that is not an order's to keep (SPEC §12).

A row is written in the same transaction as the change that makes the money owed: a paid order
cancelled (`commerce.admin.cancel_order`), a payment beyond what was due, a payment for an expired,
cancelled or unknown order, a payment of the wrong amount or currency (`commerce.payments`), later a
lay-by abandoned. The operator pays it back outside Soko and marks it paid out with a reference of
theirs (`commerce.admin.mark_refund_paid_out`, audited).

Ledger rule (payments.ledger_problems): for every order and currency, the money that came in
(success and flagged payments) equals what the order keeps (what it was paid, up to what it
costs; nothing once cancelled) plus its refunds; money for no known order is all refunds.
"""

from __future__ import annotations

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection

from commerce.models import CASH, Checkout, Order, Payment, Refund, utcnow

RF, CO, ORD = Refund.__table__, Checkout.__table__, Order.__table__

# Why a refund is owed.
CANCELLED_PAID, OVERPAID, LATE_PAYMENT = "cancelled_paid", "overpaid", "late_payment"
PAYMENT_MISMATCH, UNKNOWN_ORDER, LAYBY_ABANDONED = "payment_mismatch", "unknown_order", "layby_abandoned"
REASONS = (CANCELLED_PAID, OVERPAID, LATE_PAYMENT, PAYMENT_MISMATCH, UNKNOWN_ORDER, LAYBY_ABANDONED)
OWED, PAID_OUT = "owed", "paid_out"
STATUSES = (OWED, PAID_OUT)


def owe(conn: Connection, *, reason: str, amount_minor: int, currency: str, rail: str, reference: str | None,
        payee: str | None, order_id: int | None = None, payment_id: int | None = None) -> int | None:
    """Record a refund owed, in the caller's transaction; None when there is nothing to give back."""
    if reason not in REASONS:
        raise ValueError(f"reason must be one of {', '.join(REASONS)}; got {reason!r}")
    if amount_minor <= 0:
        return None
    return conn.execute(insert(RF).values(
        order_id=order_id, payment_id=payment_id, reason=reason, amount_minor=amount_minor, currency=currency[:3],
        rail=rail[:16], reference=reference and reference[:80], payee=payee and payee[:20], status=OWED,
        created_at=utcnow())).inserted_primary_key[0]


def owe_paid_back(conn: Connection, order, reason: str) -> None:
    """What an order being cancelled kept (paid, up to its price: an overpayment is owed back
    already), as refunds owed on the payments that brought it, oldest first."""
    pay = Payment.__table__
    left = min(order.paid_minor, order.payable.amount_minor)
    for p in conn.execute(select(pay.c.id, pay.c.method, pay.c.reference, pay.c.amount_minor, pay.c.note)
                          .where(pay.c.order_id == order.id, pay.c.status == "success",
                                 pay.c.currency == order.currency).order_by(pay.c.id)):
        amount = min(p.amount_minor, left)
        if amount <= 0:
            break
        owe(conn, reason=reason, amount_minor=amount, currency=order.currency,
            rail=rail_of(conn, p.method, p.reference), reference=p.note or p.reference,
            payee=order.buyer_phone, order_id=order.id, payment_id=p.id)
        left -= amount


def rail_of(conn: Connection, method: str, reference: str) -> str:
    """How a payment's money came: `cash`, or the rail whose checkout had this reference (Africa's
    Talking when none did: a paybill payment)."""
    if method == CASH:
        return "cash"
    rail = conn.execute(select(CO.c.rail).where(CO.c.transaction_id == reference)).scalar()
    return rail or "africastalking"


def owed_by_order(conn: Connection, order_id: int) -> int:
    """What is already owed back on this order, in minor units of its refunds (one currency each)."""
    return conn.execute(select(func.coalesce(func.sum(RF.c.amount_minor), 0))
                        .where(RF.c.order_id == order_id)).scalar_one()


def view(row, code: str | None) -> dict:
    return {"id": row.id, "order": code, "reason": row.reason,
            "amount": {"amount_minor": row.amount_minor, "currency": row.currency},
            "rail": row.rail, "reference": row.reference, "payee": row.payee, "status": row.status,
            "created_at": _when(row.created_at), "paid_out_at": _when(row.paid_out_at),
            "paid_out_reference": row.paid_out_reference, "paid_out_by": row.paid_out_by}


def _when(at) -> str | None:
    return at.replace(microsecond=0).isoformat() + "Z" if at else None


def listing(conn: Connection, status: str | None, offset: int, limit: int) -> tuple[list[dict], int, dict]:
    """Refunds newest first (only `status` when given), how many, and the total owed per currency."""
    where = [RF.c.status == status] if status else []
    total = conn.execute(select(func.count()).select_from(RF).where(*where)).scalar_one()
    rows = conn.execute(select(RF, ORD.c.code).select_from(RF.outerjoin(ORD, ORD.c.id == RF.c.order_id))
                        .where(*where).order_by(RF.c.id.desc()).offset(offset).limit(limit)).all()
    owed = {cur: int(n) for cur, n in conn.execute(
        select(RF.c.currency, func.sum(RF.c.amount_minor)).where(RF.c.status == OWED)
        .group_by(RF.c.currency).order_by(RF.c.currency))}
    return [view(r, r.code) for r in rows], total, owed


def for_order(conn: Connection, order_id: int) -> list[dict]:
    return [view(r, None) for r in conn.execute(select(RF).where(RF.c.order_id == order_id).order_by(RF.c.id))]
