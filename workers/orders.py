"""Order jobs: start a new order's work, expire unpaid orders when their payment window closes, and
follow stalled orders up.

Placing an order pushes it on a Redis list (`RQJobs.placed_writes`, sent with the USSD hop's
session write) and, for the first order since the last drain, schedules one `drain_placed` job a
second later, which starts the work of every order on the list from here: the seller's and
agent's notices (written, then sent), the mobile money checkout and the expiry (RQ's scheduler).
The list is also drained every minute, and expiry is swept every minute (workers/periodic.py), so
a lost Redis job never leaves an order reserved; orders still unannounced and unsent messages are
swept too (the database is the record of both).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC

from sqlalchemy import select

from commerce import lifecycle, orders
from commerce.models import CASH, MOBILE_MONEY, PLACED, Order, utcnow
from workers import runtime as rt
from workers.queues import CHECKOUT_DELAY, JOB_TTL, PLACED_BELL, PLACED_KEY, RQJobs

log = logging.getLogger(__name__)
ORD = Order.__table__
DRAIN_BATCH = 200  # orders per LPOP: one read of their rows and one pipeline of their jobs


def drain_placed() -> int:
    """Start the work of every order waiting on PLACED_KEY, in batches; how many were started."""
    r = rt.runtime()
    # The bell goes first: an order pushed after this DEL rings again (and gets a drain job of its
    # own), one pushed before it is on the list and popped below. Deleting it after the last LPOP
    # would let an order pushed in between find the bell still set and wait for the minute sweep.
    with r.redis.pipeline() as pipe:  # MULTI: nothing is pushed between the two
        waiting = pipe.delete(PLACED_BELL).llen(PLACED_KEY).execute()[1]
    # Only what was waiting then, so a job's length is bounded under load: a later order rang the
    # bell again and is its own drain's.
    started = 0
    while waiting > 0 and (raw := r.redis.lpop(PLACED_KEY, min(waiting, DRAIN_BATCH))):
        waiting -= len(raw)
        started += _start(r, raw)
    return started


def _parse(item) -> tuple[int, bool]:
    """(order id, checkout?) of a list item `[id, checkout]`."""
    order_id, checkout = json.loads(item)
    return int(order_id), bool(checkout)


def _start(r, raw: list) -> int:
    """Orders' work, fanned out here rather than in the USSD hop: their notices written and sent
    now (one send job for the batch), each mobile money checkout CHECKOUT_DELAY after its order was
    placed, each expiry at the order's `expires_at`."""
    placed = []
    for item in raw:
        try:
            placed.append(_parse(item))
        except (ValueError, TypeError):
            log.exception("dropping a placed order that does not parse: %r", item)
    if not placed:
        return 0
    try:
        with r.db.connect() as conn:
            rows = {row.id: row for row in conn.execute(
                select(ORD.c.id, ORD.c.created_at, ORD.c.expires_at)
                .where(ORD.c.id.in_({order_id for order_id, _ in placed})))}
        written = orders.announce(r.db, list(rows))
    except Exception:
        # Nothing started for these yet: back on the list for the next drain (the minute sweep).
        with r.redis.pipeline() as pipe:
            pipe.lpush(PLACED_KEY, *reversed(raw)).expire(PLACED_KEY, JOB_TTL)
            pipe.execute()
        raise
    starts = []
    for order_id, checkout in placed:
        try:
            row = rows.get(order_id)
            if row is None:
                log.warning("placed order %s is not in the database", order_id)
                continue
            placed_at = row.created_at.replace(tzinfo=UTC)
            starts.append((order_id, placed_at + CHECKOUT_DELAY if checkout else None,
                           row.expires_at and row.expires_at.replace(tzinfo=UTC)))
        except Exception:
            log.exception("could not start the work of order %s", order_id)
    RQJobs(r.redis).orders_jobs(written, starts)
    return len(starts)


def announce_unannounced() -> int:
    """Write and send the notices of orders the drain did not reach (their push was lost with a
    Redis error or restart); normally there are none. How many messages were queued."""
    r = rt.runtime()
    ids = orders.announce(r.db, orders.unannounced(r.db))
    RQJobs(r.redis).notify(ids)
    return len(ids)


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
            ORD.c.payment_method.in_((CASH, MOBILE_MONEY))).order_by(ORD.c.id).limit(limit)).scalars().all()
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
