"""Soko's periodic jobs, run through RQ's CronScheduler machinery (rq.cron).

Every worker process enqueues them on their interval (`flask --app gateway worker`); in burst mode
they are enqueued once, then run with everything else that is due. Each periodic job is a sweep
that is safe to run twice, so several workers enqueueing it costs a little work and nothing else.
"""

from __future__ import annotations

import logging
import threading

import redis
from rq.cron import CronScheduler

from workers import broadcasts, credit, orders, payments, sms

log = logging.getLogger(__name__)

# (function, queue, every n seconds). Sweeps go on `orders`, behind the time-critical queues; the
# reminders on `bulk`. New orders' notices and checkouts are not here: the dispatcher reads them
# from the database four times a second (workers/dispatch.py).
PERIODIC = [
    (orders.sweep_expired, "orders", orders.EXPIRY_SWEEP),
    (orders.follow_up, "bulk", 15 * 60),
    (payments.reconcile_checkouts, "orders", 2 * 60),
    (sms.sweep, "orders", 30),  # outbox rows left pending; sends cut off mid-call marked unconfirmed
    # Credit (issue 18): due days are whole days, so a quarter of an hour is on time; reminders are
    # bulk work (never ahead of a checkout or a receipt).
    (credit.remind_instalments, "bulk", 15 * 60),
    (credit.notify_arrears, "bulk", 15 * 60),
    (credit.remind_laybys, "bulk", 15 * 60),
    (credit.expire_laybys, "orders", 15 * 60),
    # Seller reach (issue 17): broadcasts' sweep, and a pump started whenever there is work.
    (broadcasts.tick, "orders", 5),
]


def cron(conn: redis.Redis) -> CronScheduler:
    scheduler = CronScheduler(connection=conn, name="soko")
    for func, queue, every in PERIODIC:
        # A sweep that overruns its interval is stuck, not busy; one still waiting when the next is
        # due is dropped (its key expires: every key does).
        scheduler.register(func, queue, interval=every, job_timeout=max(every, 60), result_ttl=3600,
                           ttl=2 * every)
    return scheduler


def enqueue_due(scheduler: CronScheduler) -> None:
    try:
        scheduler.enqueue_jobs()
    except redis.RedisError:
        log.warning("could not enqueue the periodic jobs; trying again shortly")


def start_thread(scheduler: CronScheduler, stop: threading.Event, tick: float = 5.0) -> threading.Thread:
    """Enqueue periodic jobs when due, beside the worker loop (CronScheduler.start() wants the main
    thread for its signal handlers, which the worker already owns)."""

    def loop():
        while not stop.is_set():
            enqueue_due(scheduler)
            stop.wait(min(tick, max(scheduler.calculate_sleep_interval(), 0.5)))

    thread = threading.Thread(target=loop, name="soko-periodic", daemon=True)
    thread.start()
    return thread
