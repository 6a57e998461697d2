"""The order dispatcher: every worker process reads new orders' work from the database a few times
a second and starts it, so nothing about an order lives only in Redis (issue 13, issue 20).

A tick, every TICK seconds, in a thread of each worker process:

1. **New orders.** Orders placed `announced = false` (the USSD hop writes nothing else) are
   announced: the seller's and agent's notices written and, for mobile money, the first checkout
   as a `due` row CHECKOUT_DELAY after the order, in one transaction that claims them
   (commerce.orders.announce: a guarded UPDATE, so two dispatchers never write them twice). The
   notices go on the `sms` queue at once.
2. **Due checkouts.** `due` rows whose time has come are offered to the `payments` queue; the row
   keeps its status and only its `updated_at` moves, so an offer lost with Redis is made again
   after REOFFER, and the job claims the row (`due` → `pending` under the order's lock), so an
   offer made twice starts one checkout.

Nothing here needs Redis to decide what to do: with Redis away the orders are announced and the
checkouts wait as `due` rows; when it is back, the next tick offers them. A worker killed mid-tick
rolls its transaction back and the next tick (its own after a restart, or another process's)
does the work.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update

from commerce import orders
from commerce.models import Checkout, utcnow
from workers import runtime as rt
from workers.queues import RQJobs

log = logging.getLogger(__name__)
CO = Checkout.__table__

TICK = 0.25  # seconds between looks: a checkout leaves at most this late, a notice is written this soon
BATCH = 200  # orders announced per transaction
REOFFER = timedelta(seconds=30)  # a `due` row offered this long ago and still `due`: its job was lost


def tick(now: datetime | None = None) -> dict:
    """One look: announce new orders, offer due checkouts. `now` moves the clock (tests)."""
    r = rt.runtime()
    jobs = RQJobs(r.redis)
    announced = 0
    while ids := orders.unannounced(r.db, limit=BATCH):
        written = orders.announce(r.db, ids)
        announced += len(ids)
        jobs.notify(written)
        if len(ids) < BATCH:
            break
    due = offer_due_checkouts(r.db, now or utcnow())
    if due and not jobs.checkouts(due):
        _withdraw(r.db, [checkout_id for _, checkout_id in due])
        due = []
    return {"announced": announced, "checkouts": len(due)}


def offer_due_checkouts(db, now: datetime, limit: int = 500) -> list[tuple[int, int]]:
    """(order id, checkout id) of the `due` checkouts whose time has come and which were not offered
    in the last REOFFER, marked offered (their `updated_at`). A read first: an idle tick writes
    nothing (on SQLite a write would take the database's lock four times a second)."""
    waiting = or_(CO.c.updated_at <= CO.c.created_at, CO.c.updated_at < now - REOFFER)
    with db.connect() as conn:
        ids = conn.execute(select(CO.c.id).where(CO.c.status == "due", CO.c.created_at <= now, waiting)
                           .order_by(CO.c.created_at).limit(limit)).scalars().all()
    if not ids:
        return []
    with db.begin() as conn:  # guarded again: another process may have offered them meanwhile
        rows = conn.execute(update(CO).where(CO.c.id.in_(ids), CO.c.status == "due", waiting)
                            .values(updated_at=now + timedelta(microseconds=1))
                            .returning(CO.c.order_id, CO.c.id)).all()
    return sorted((row[0], row[1]) for row in rows)


def _withdraw(db, checkout_ids: list[int]) -> None:
    """Redis did not take the offers: make them offerable again at the next tick."""
    with db.begin() as conn:
        conn.execute(update(CO).where(and_(CO.c.id.in_(checkout_ids), CO.c.status == "due"))
                     .values(updated_at=CO.c.created_at))


def start_thread(stop: threading.Event, every: float = TICK) -> threading.Thread:
    """The dispatcher beside the worker loop: a thread, so it dies with its process."""

    def loop():
        failing = False
        while not stop.is_set():
            try:
                tick()
                if failing:
                    log.warning("dispatcher: working again")
                failing = False
            except Exception as exc:  # noqa: BLE001 - a database or Redis outage: say so once, keep looking
                if not failing:
                    log.warning("dispatcher: %s: %s; trying again every %.2g s", type(exc).__name__, exc, every)
                failing = True
            stop.wait(every)

    thread = threading.Thread(target=loop, name="soko-dispatch", daemon=True)
    thread.start()
    return thread
