"""Order jobs: expire unpaid orders when their payment window closes, and follow stalled orders up.

A new order's work (its seller's and agent's notices, its first mobile-money checkout) is started
from the database by every worker's dispatcher (workers/dispatch.py), not from Redis. Expiry is a
sweep over the database too (`sweep_expired`, every EXPIRY_SWEEP seconds through the indexed
`status, expires_at`): no per-order job waits a day in Redis, and an outage of Redis or of every
worker delays an expiry by at most one sweep after recovery.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from commerce import lifecycle, orders
from commerce.models import CASH, MOBILE_MONEY, PLACED, Order, utcnow
from workers import runtime as rt
from workers.queues import RQJobs

log = logging.getLogger(__name__)
ORD = Order.__table__
EXPIRY_SWEEP = 30  # seconds between expiry sweeps (workers/periodic.py)


def announce_unannounced() -> int:
    """Write and send the notices of orders not announced yet (the dispatcher does this a few times a
    second; this is the same step as a job, for `worker --burst` and the operator). Messages queued."""
    r = rt.runtime()
    ids = orders.announce(r.db, orders.unannounced(r.db))
    RQJobs(r.redis).notify(ids)
    return len(ids)


def expire_order(order_id: int) -> str:
    """One order's expiry (jobs scheduled by an earlier release; the sweep does this now)."""
    r = rt.runtime()
    outcome = lifecycle.expire_order(r.db, order_id)
    RQJobs(r.redis).notify(outcome.message_ids)
    return outcome.reply


def sweep_expired(limit: int = 500) -> int:
    """Expire every unpaid order past its window."""
    r = rt.runtime()
    with r.db.connect() as conn:
        due = conn.execute(select(ORD.c.id).where(
            ORD.c.status == PLACED, ORD.c.expires_at <= utcnow(), ORD.c.paid_minor == 0,
            ORD.c.payment_method.in_((CASH, MOBILE_MONEY))).order_by(ORD.c.id).limit(limit)).scalars().all()
    jobs, expired, ids = RQJobs(r.redis), 0, []
    for order_id in due:
        outcome = lifecycle.expire_order(r.db, order_id)
        expired += outcome.ok
        ids += outcome.message_ids
    jobs.notify(ids)
    return expired


def follow_up() -> int:
    """Reminders for stalled orders: the seller to send, the agent to hand over, the buyer to confirm.
    Bulk work: their messages go on the `bulk` queue, behind every transactional one."""
    r = rt.runtime()
    ids = lifecycle.send_reminders(r.db)
    RQJobs(r.redis).notify(ids, bulk=True)
    return len(ids)
