"""Soko's RQ queues, and the `Jobs` the web side uses to start work after a commit.

Enqueuing is best effort: the database is the record (an unsent message stays `pending`, a new
order `announced = false`, a first checkout a `due` row, an unpaid order its expiry time) and the
worker's dispatcher and sweeps pick up whatever a lost enqueue missed (workers/dispatch.py).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import redis
from rq import Queue, Retry
from rq.job import JobStatus
from rq.registry import ScheduledJobRegistry

from commerce import orders

log = logging.getLogger(__name__)

# In priority order: a worker takes from the first non-empty queue (RQ's dequeue), so time-critical
# work (checkouts, then the transactional SMS: receipts, payment notices, replies, new orders'
# notices) never waits behind order sweeps or bulk sends (reminders, broadcasts). A worker pool
# keeps one process off `bulk` altogether (workers/run.py), so a long broadcast job cannot hold
# every process either.
QUEUE_NAMES = ("payments", "sms", "orders", "bulk")
TIME_CRITICAL = ("payments", "sms")
CHECKOUT_DELAY = orders.CHECKOUT_DELAY  # let the USSD session close before the PIN prompt arrives
SEND_RETRY = Retry(max=5, interval=[5, 30, 120, 600, 1800])
# A checkout the provider could not take (connect timeout, 5xx) is tried again a little later, then
# given up: the intervals of its next attempts, written as `due` rows (workers.payments._retry).
CHECKOUT_RETRY = Retry(max=2, interval=[15, 60])
# Every job key expires: a job still waiting a day after it was due is dropped (the sweeps above
# cover its work), so a worker outage leaves no keys behind. RQ expires a queued job's key at
# enqueue with `ttl`, and a finished one with its result or failure TTL.
JOB_TTL = 86400
BULK_BATCH = 100  # messages per bulk send job (one provider call each when their texts differ)
# Outbox kinds that are bulk work: their sends go on `bulk` (the reminders of commerce.lifecycle, and
# broadcasts); every other kind is transactional.
BULK_KINDS = ("seller_reminder", "buyer_confirm_receipt", "agent_reminder", "reminder", "broadcast")


def _ttl_until(at: datetime) -> int:
    """A scheduled job's TTL: until it is due, and a day after."""
    return max(int((at - datetime.now(UTC)).total_seconds()), 0) + JOB_TTL


def queues(conn: redis.Redis) -> dict[str, Queue]:
    return {name: Queue(name, connection=conn) for name in QUEUE_NAMES}


class RQJobs:
    def __init__(self, conn: redis.Redis):
        self.q = queues(conn)

    def notify(self, message_ids: list[int], *, bulk: bool = False, batch: int = 500) -> None:
        """Send these outbox rows: on `sms` (transactional), or on `bulk` (reminders, broadcasts) in
        jobs of BULK_BATCH, short enough that a worker taking bulk work is back at the time-critical
        queues within a second or two."""
        ids = list(message_ids)
        if not ids:
            return
        queue = self.q["bulk" if bulk else "sms"]
        batch = min(batch, BULK_BATCH) if bulk else batch
        try:
            with queue.connection.pipeline() as pipe:
                pipe.multi()  # up front: Queue.enqueue calls it only on a pipeline with no commands yet
                for i in range(0, len(ids), batch):
                    queue.enqueue("workers.sms.send_messages", ids[i:i + batch], retry=SEND_RETRY, ttl=JOB_TTL,
                                  pipeline=pipe)
                pipe.execute()
        except redis.RedisError:
            log.warning("could not enqueue %d messages; the outbox sweep will send them", len(ids))

    def checkouts(self, due: list[tuple[int, int]]) -> bool:
        """Start these (order id, checkout id) checkouts now, in one round trip. False when Redis
        did not take them (the dispatcher offers them again: their rows say they are waiting)."""
        if not due:
            return True
        try:
            with self.q["payments"].connection.pipeline() as pipe:
                pipe.multi()
                for order_id, checkout_id in due:
                    # No RQ retry: a retry is a new `due` row (workers.payments._retry).
                    self.q["payments"].enqueue("workers.payments.start_checkout", order_id, checkout_id,
                                               ttl=JOB_TTL, pipeline=pipe)
                pipe.execute()
            return True
        except redis.RedisError:
            log.warning("could not enqueue %d checkouts; they are offered again shortly", len(due))
            return False

    def start_checkout(self, order_id: int, amount_minor: int | None = None) -> None:
        """A buyer's `Pay now` (or `Pay an amount`: `amount_minor`, a part of a lay-by or pay-later
        balance) from My orders: a new checkout CHECKOUT_DELAY from now (the buyer asked: lost with
        Redis, they ask again; an order's first checkout is the database's, workers/dispatch.py)."""
        args = (order_id,) if amount_minor is None else (order_id, None, amount_minor)
        try:
            _schedule(self.q["payments"], datetime.now(UTC) + CHECKOUT_DELAY, "workers.payments.start_checkout",
                      *args)
        except redis.RedisError:
            log.warning("could not enqueue checkout for order %s; the buyer can retry from My orders", order_id)

    def lag(self) -> dict[str, float]:
        """Seconds the oldest job waiting on each queue has waited (0 for an empty queue): two
        pipelined round trips (RQ pushes on the right and pops on the left: index 0 is the oldest)."""
        conn = self.q["sms"].connection
        with conn.pipeline(transaction=False) as pipe:
            for q in self.q.values():
                pipe.lindex(q.key, 0)
            heads = pipe.execute()
        with conn.pipeline(transaction=False) as pipe:
            for head in heads:
                pipe.hget(f"rq:job:{head.decode() if isinstance(head, bytes) else head}", "enqueued_at")
            stamps = pipe.execute()
        now, out = datetime.now(UTC), {}
        for name, head, stamp in zip(self.q, heads, stamps, strict=True):
            age = 0.0
            if head is not None and stamp:
                try:
                    at = datetime.fromisoformat(stamp.decode() if isinstance(stamp, bytes) else stamp)
                    age = max((now - (at if at.tzinfo else at.replace(tzinfo=UTC))).total_seconds(), 0.0)
                except ValueError:
                    pass
            out[name] = round(age, 3)
        return out


    # -- issue 15: asking a rail what became of a checkout (workers.payments.poll_checkout) ---------
    def schedule_poll(self, checkout_id: int, at: datetime, n: int) -> None:
        """Poll `n` (0, 1, 2) of a checkout at `at` (UTC; naive means UTC); one job id per poll."""
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        try:
            _schedule(self.q["payments"], at, "workers.payments.poll_checkout", checkout_id,
                      job_id=f"soko-poll-{checkout_id}-{n}")
        except redis.RedisError:
            log.warning("could not schedule poll %s of checkout %s; the reconciliation sweep asks instead", n, checkout_id)

    def verify_checkout(self, checkout_id: int, *, hint: bool = True) -> None:
        """Ask the rail now: a callback's hint checked (`hint`), or a poll whose job was lost."""
        try:
            self.q["payments"].enqueue("workers.payments.poll_checkout", checkout_id, hint, ttl=JOB_TTL)
        except redis.RedisError:
            log.warning("could not enqueue a status query for checkout %s; its scheduled polls ask", checkout_id)


def _schedule(queue: Queue, at: datetime, func: str, *args, **options) -> None:
    """One job scheduled at `at`, in a round trip of its own (`_schedule_at` in a pipeline)."""
    with queue.connection.pipeline() as pipe:
        _schedule_at(pipe, queue, at, func, *args, **options)
        pipe.execute()


def _schedule_at(pipe, queue: Queue, at: datetime, func: str, *args, job_id: str | None = None,
                 retry: Retry | None = None) -> None:
    """`queue.enqueue_at(at, func, *args)`, wholly inside `pipe`: RQ 2.x's
    ScheduledJobRegistry.schedule sends its ZADD at once, outside the pipeline it is given (one
    more round trip, and the id is in the registry before its job is saved). The same keys as
    Queue.schedule_job writes: the queue in the set of queues, the job, its time in the registry;
    and the job's key expires (JOB_TTL after it is due)."""
    ttl = _ttl_until(at)
    job = queue.create_job(func, args=args, job_id=job_id, retry=retry, status=JobStatus.SCHEDULED, ttl=ttl)
    pipe.sadd(queue.redis_queues_keys, queue.key)
    job.save(pipeline=pipe)
    pipe.expire(job.key, ttl)
    pipe.zadd(ScheduledJobRegistry(queue=queue).key, {job.id: int(at.timestamp())})
