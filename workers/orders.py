"""Order jobs: expire unpaid orders when their payment window closes, and follow stalled orders up.

Expiry is scheduled for each order at placement (RQ's scheduler, `RQJobs.schedule_expiry`) *and*
swept every minute (workers/periodic.py), so a lost Redis job never leaves an order reserved.
"""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import select

from commerce import lifecycle
from commerce.models import ON_DELIVERY, PLACED, Order, utcnow
from workers import runtime as rt
from workers.queues import RQJobs

ORD = Order.__table__


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
