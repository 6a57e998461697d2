"""Soko's RQ queues, and the `Jobs` the web side uses to start work after a commit.

Enqueuing is best effort: the database is the record (an unsent message stays `pending`, an
unpaid order keeps its expiry time) and the worker's sweeps pick up whatever a lost enqueue missed.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import redis
from rq import Queue, Retry
from rq.job import JobStatus
from rq.registry import ScheduledJobRegistry

log = logging.getLogger(__name__)

# In priority order: a worker takes from the first non-empty queue (RQ's dequeue), so time-critical
# work (checkouts, then the transactional SMS) never waits behind order sweeps or bulk sends
# (broadcasts: workers/broadcasts.py).
QUEUE_NAMES = ("payments", "sms", "orders", "bulk")
CHECKOUT_DELAY = timedelta(seconds=3)  # let the USSD session close before the PIN prompt arrives
SEND_RETRY = Retry(max=5, interval=[5, 30, 120, 600, 1800])
# A checkout the provider could not take (timeout, 5xx) is tried again a little later, then given up.
CHECKOUT_RETRY = Retry(max=2, interval=[15, 60])
# Every job key expires: a job still waiting a day after it was due is dropped (the sweeps above
# cover its work), so a worker outage leaves no keys behind. RQ expires a queued job's key at
# enqueue with `ttl`, and a finished one with its result or failure TTL.
JOB_TTL = 86400
# New orders wait in a list until one drain job starts their work (workers.orders.drain_placed): the
# Confirm hop pays one round trip, not an RQ job. The first order pushed after a drain rings the
# bell (SET NX) and schedules the next drain DRAIN_DELAY later; the orders placed until it runs
# join the same batch.
PLACED_KEY = "soko:placed"
PLACED_BELL = "soko:placed:bell"
DRAIN_DELAY = timedelta(seconds=1)  # well inside CHECKOUT_DELAY: the drain still schedules the checkout ahead
# Long enough to cover the delay and a busy worker; if the drain job was lost, the next order
# after this rings again (and the minute sweep drains the list in a quiet spell).
BELL_TTL = 10


def _ttl_until(at: datetime) -> int:
    """A scheduled job's TTL: until it is due, and a day after."""
    return max(int((at - datetime.now(UTC)).total_seconds()), 0) + JOB_TTL


def queues(conn: redis.Redis) -> dict[str, Queue]:
    return {name: Queue(name, connection=conn) for name in QUEUE_NAMES}


class RQJobs:
    def __init__(self, conn: redis.Redis):
        self.q = queues(conn)

    def notify(self, message_ids: list[int]) -> None:
        if not message_ids:
            return
        try:
            self.q["sms"].enqueue("workers.sms.send_messages", list(message_ids), retry=SEND_RETRY,
                                  ttl=JOB_TTL)
        except redis.RedisError:
            log.warning("could not enqueue messages %s; the outbox sweep will send them", message_ids)

    def start_checkout(self, order_id: int, amount_minor: int | None = None) -> None:
        """The buyer's rail asked for what is due on the order (`amount_minor`: a part of a lay-by or
        pay-later balance), CHECKOUT_DELAY from now."""
        args = (order_id,) if amount_minor is None else (order_id, amount_minor)
        try:
            _schedule(self.q["payments"], datetime.now(UTC) + CHECKOUT_DELAY, "workers.payments.start_checkout",
                      *args, retry=CHECKOUT_RETRY)
        except redis.RedisError:
            log.warning("could not enqueue checkout for order %s; the buyer can retry from My orders", order_id)

    def placed_writes(self, order_id: int, *, checkout: bool):
        """A new order's Redis writes, as (commands, done): push it on PLACED_KEY for the next drain
        job (`workers.orders.drain_placed`, which writes and sends its notices and starts its mobile
        money checkout and expiry from the worker) and ring the bell. The USSD engine sends them in
        the round trip that saves the session and hands the replies to `done`; only the order that
        rang the bell also schedules the drain job (about once a second under load)."""
        commands = [("RPUSH", PLACED_KEY, json.dumps([order_id, checkout])),
                    ("EXPIRE", PLACED_KEY, JOB_TTL),  # every key expires; a new order renews it
                    ("SET", PLACED_BELL, 1, "NX", "EX", BELL_TTL)]

        def done(replies: list) -> None:
            failed = [r for r in replies if isinstance(r, Exception)]
            try:
                if failed:
                    raise failed[0]
                if replies[2]:
                    self.schedule_drain()
            except redis.RedisError:
                # Not pushed, or pushed but its drain not scheduled: the minute sweeps cover it.
                log.warning("could not queue order %s or schedule its drain; the minute sweeps cover it", order_id)

        return commands, done

    def schedule_drain(self) -> None:
        """The drain job, DRAIN_DELAY from now: the delay is what batches the orders placed meanwhile
        when a worker is running. RQ keeps due times in whole seconds and its scheduler looks every
        second, so the drain runs 0-2 s after the ring."""
        _schedule(self.q["orders"], datetime.now(UTC) + DRAIN_DELAY, "workers.orders.drain_placed")

    def orders_jobs(self, message_ids: list[int], starts: list[tuple[int, datetime | None, datetime | None]],
                    send_batch: int = 500) -> None:
        """Everything new orders start, in one Redis round trip (one pipeline): their notifications
        in send jobs of up to `send_batch` messages (as the outbox sweep's), and each (order id,
        checkout_at, expire_at)'s mobile money checkout and expiry (None: none)."""
        if not message_ids and not starts:
            return
        try:
            with self.q["orders"].connection.pipeline() as pipe:
                pipe.multi()  # up front: Queue.enqueue calls it only on a pipeline with no commands yet
                ids = list(message_ids)
                for i in range(0, len(ids), send_batch):
                    self.q["sms"].enqueue("workers.sms.send_messages", ids[i:i + send_batch], retry=SEND_RETRY,
                                          ttl=JOB_TTL, pipeline=pipe)
                now = datetime.now(UTC)
                for order_id, checkout_at, expire_at in starts:
                    if checkout_at is not None and checkout_at <= now:
                        # Already due (the worker was busy): now, not at the scheduler's next look.
                        self.q["payments"].enqueue("workers.payments.start_checkout", order_id,
                                                   retry=CHECKOUT_RETRY, ttl=JOB_TTL, pipeline=pipe)
                    elif checkout_at is not None:
                        _schedule_at(pipe, self.q["payments"], checkout_at, "workers.payments.start_checkout",
                                     order_id, retry=CHECKOUT_RETRY)
                    if expire_at is not None:
                        _schedule_at(pipe, self.q["orders"], expire_at, "workers.orders.expire_order", order_id,
                                     job_id=f"soko-expire-{order_id}")
                pipe.execute()
        except redis.RedisError:
            log.warning("could not enqueue the jobs of orders %s; the outbox and expiry sweeps cover them",
                        [order_id for order_id, _, _ in starts])

    def schedule_expiry_at(self, order_id: int, at: datetime) -> None:
        # Its own id: the job reschedules itself with this, and a running job's id must not be reused.
        self._expiry(order_id, f"soko-expire-{order_id}-{int(at.timestamp())}", at)

    def _expiry(self, order_id: int, job_id: str, at: datetime) -> None:
        try:
            # One job id per order and time: a second schedule replaces the first, not doubles it.
            _schedule(self.q["orders"], at, "workers.orders.expire_order", order_id, job_id=job_id)
        except redis.RedisError:
            log.warning("could not schedule expiry of order %s; the periodic sweep will expire it", order_id)


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
