"""Order jobs: start a new order's work, expire unpaid orders when their payment window closes, and
follow stalled orders up.

Placing an order enqueues one job, `order_placed`, which starts the rest from here: the SMS send,
the mobile money checkout and the expiry (RQ's scheduler). Expiry is also swept every minute
(workers/periodic.py), so a lost Redis job never leaves an order reserved; unsent messages are
swept too (the outbox).
"""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import select

from commerce import lifecycle
from commerce.models import ON_DELIVERY, PLACED, Order, utcnow
from workers import runtime as rt
from workers.queues import CHECKOUT_DELAY, RQJobs

ORD = Order.__table__


def order_placed(order_id: int, message_ids: list[int], checkout: bool) -> str:
    """A new order's work, fanned out here rather than in the USSD hop: its notifications now, the
    mobile money checkout CHECKOUT_DELAY after it was placed, its expiry at its `expires_at`."""
    r = rt.runtime()
    with r.db.connect() as conn:
        row = conn.execute(select(ORD.c.created_at, ORD.c.expires_at).where(ORD.c.id == order_id)).first()
    if row is None:
        return "no such order"
    placed_at = row.created_at.replace(tzinfo=UTC)
    RQJobs(r.redis).order_jobs(order_id, message_ids, checkout_at=placed_at + CHECKOUT_DELAY if checkout else None,
                               expire_at=row.expires_at and row.expires_at.replace(tzinfo=UTC))
    return "started"


def expire_order(order_id: int) -> str:
    r = rt.runtime()
    outcome = lifecycle.expire_order(r.db, order_id)
    if outcome.reply == "not due":
        # Scheduled early (another machine's clock, a changed window): try again when it is due.
        with r.db.connect() as conn:
            at = conn.execute(select(ORD.c.expires_at).where(ORD.c.id == order_id)).scalar()
        RQJobs(r.redis).schedule_expiry_at(order_id, at.replace(tzinfo=UTC))
    RQJobs(r.redis).notify(outcome.message_ids)
    return outcome.reply


def sweep_expired(limit: int = 500) -> int:
    """Expire every unpaid order past its window (the safety net under the scheduled jobs)."""
    r = rt.runtime()
    with r.db.connect() as conn:
        due = conn.execute(select(ORD.c.id).where(
            ORD.c.status == PLACED, ORD.c.expires_at <= utcnow(), ORD.c.paid_minor == 0,
            ORD.c.payment_method != ON_DELIVERY).order_by(ORD.c.id).limit(limit)).scalars().all()
    jobs, expired = RQJobs(r.redis), 0
    for order_id in due:
        outcome = lifecycle.expire_order(r.db, order_id)
        expired += outcome.ok
        jobs.notify(outcome.message_ids)
    return expired


def follow_up() -> int:
    """Reminders for stalled orders: the seller to send, the agent to hand over, the buyer to confirm."""
    r = rt.runtime()
    ids = lifecycle.send_reminders(r.db)
    RQJobs(r.redis).notify(ids)
    return len(ids)
