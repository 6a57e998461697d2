"""Sellers' broadcasts, the worker side (SPEC §14; the domain is commerce/broadcasts.py).

One job, `pump`, on the `bulk` queue (last in priority: a worker takes it only when no checkout,
transactional SMS or sweep is waiting). Each run is a slice of about SLICE seconds: it fans out
the next chunks of a confirmed broadcast, then claims due recipients and sends them, a provider
call at a time (the same text to up to the provider's batch: Africa's Talking takes 1000 numbers a
call), paced to SMS_RATE_PER_SECOND; then it enqueues itself again behind whatever arrived
meanwhile. So a broadcast of 400,000 never holds a worker for more than a slice and a provider call.

Only one pump sends at a time (a lease in Redis), so the pace holds across worker processes. The
pace itself (GCRA: the time the next message may go) is kept in Redis too, and so is the claim's
cursor (where the last claim stopped, so the next one need not scan the rows already taken);
losing any of them costs at most a burst or a slower claim, never a duplicate or a miss: every
recipient is claimed in the database before its call, and a claim that finds nothing past the
cursor looks again from the start.
Nothing that matters lives in Redis: `tick` (every 5 s, workers/periodic.py) looks at the
database and starts a pump whenever there is a fan-out to do or a recipient due, so a worker
killed mid-broadcast is replaced by the next tick on any worker, and its rows left `sending` are
marked `unconfirmed` after commerce.broadcasts.LEASE (at most once).
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime

import redis
import requests
from rq import Queue

from commerce import broadcasts, quiet_hours
from providers.base import ProviderError, SendResult
from workers import runtime as rt
from workers.queues import JOB_TTL

log = logging.getLogger("soko.broadcasts")

QUEUE = "bulk"
SLICE = 0.5  # seconds a pump runs before it lets the queues ahead of it go first
FANOUT_SHARE = 0.7  # of a slice, while a broadcast is still fanning out
LEASE_KEY = "soko:bulk:pump"
LEASE_MS = 12_000  # renewed at every provider call; outlives the longest (AT's read timeout, 9 s)
QUEUED_KEY = "soko:bulk:pump:queued"  # a pump job is waiting: the tick need not add another
PACE_KEY = "soko:bulk:pace"  # when the next message may go (unix seconds)
CURSOR_KEY = "soko:bulk:claim-cursor"  # the last claim's (due_at, id): a hint, see broadcasts.claim

_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"
_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end"


def enqueue_pump(conn: redis.Redis) -> bool:
    """A pump job on `bulk`, unless one is waiting already. Best effort: the tick tries again."""
    try:
        if not conn.set(QUEUED_KEY, 1, nx=True, ex=30):
            return False
        Queue(QUEUE, connection=conn).enqueue("workers.broadcasts.pump", ttl=JOB_TTL, result_ttl=0)
        return True
    except redis.RedisError:
        log.warning("could not enqueue the broadcast pump; the next tick tries again")
        return False


def tick() -> dict:
    """Every 5 s: the broadcasts' sweep (stale claims unconfirmed, finished broadcasts done,
    drafts expired) and a pump started if there is work. Safe to run any number of times."""
    r = rt.runtime()
    state = broadcasts.sweep(r.db)
    if state["fanning"] or state["due"]:
        enqueue_pump(r.redis)
    if state["unconfirmed"]:
        log.warning("%d broadcast recipients were left mid-send and are marked unconfirmed", state["unconfirmed"])
    return state


def pump(now: datetime | None = None) -> dict:
    """One slice of fan-out and sending (see the module's docstring). `now`: the clock quiet hours
    are read at (tests pass one; the pace is always real time)."""
    r = rt.runtime()
    settings = r.settings
    conn = r.redis
    conn.delete(QUEUED_KEY)
    token = uuid.uuid4().hex
    if not conn.set(LEASE_KEY, token, nx=True, px=LEASE_MS):
        return {"busy": True}  # another pump is sending; it enqueues itself while there is work
    window = quiet_hours.Window.of(settings)
    counts = {"fanned_out": 0, "sent": 0, "calls": 0}
    more = False
    try:
        deadline = time.monotonic() + SLICE
        fan_until = time.monotonic() + SLICE * FANOUT_SHARE
        while time.monotonic() < fan_until:
            n = broadcasts.fan_out_step(r.db, window, now)
            if n is None:
                break
            counts["fanned_out"] += n
            more = True
        more = _send(r, window, deadline, conn, token, counts, now) or more
    finally:
        conn.eval(_RELEASE, 1, LEASE_KEY, token)
    if more:
        enqueue_pump(conn)  # behind whatever arrived meanwhile on the queues ahead of `bulk`
    return counts


def _send(r, window, deadline: float, conn, token: str, counts: dict, now: datetime | None) -> bool:
    """Claim and send until the slice is over; True when there may be more due now. Waiting for the
    pace happens here, within the slice (RQ's scheduler is not needed: it may be held by a worker
    that died), so a worker taking `bulk` is back at the other queues within SLICE."""
    provider = r.sms_provider
    rate = r.settings.sms_rate_per_second
    per_call = max(1, min(rate, provider.max_batch if provider is not None else 1000))
    while time.monotonic() < deadline:
        at = max(float(conn.get(PACE_KEY) or 0), time.time())
        wait = at - time.time()
        if wait > 0:
            left = deadline - time.monotonic()
            time.sleep(max(min(wait, left), 0))
            if wait > left:
                return True  # the next slice goes on at the pace
        # The lease and the pace first: between the claim's commit and the call nothing else runs,
        # so a worker killed there leaves as few rows as possible claimed and not sent.
        conn.eval(_RENEW, 1, LEASE_KEY, token, LEASE_MS)
        conn.set(PACE_KEY, repr(at + per_call / rate), ex=60)  # paced as if the call is full
        claimed, looked, cursor = broadcasts.claim(r.db, window, per_call, now, _cursor(conn))
        _keep_cursor(conn, cursor)
        if not looked:
            conn.set(PACE_KEY, repr(at), ex=60)  # nothing went: the slot is not used
            return False
        for c in claimed:
            _call(r, provider, c, counts)
    return True


def _cursor(conn) -> broadcasts.Cursor | None:
    """Where the last claim stopped, or None (lost, unreadable, never set): the claim then scans from
    the start, which is slower on PostgreSQL but misses nothing."""
    try:
        raw = conn.get(CURSOR_KEY)
        if raw:
            at, row_id = raw.decode().split("|")
            return datetime.fromisoformat(at), int(row_id)
    except (redis.RedisError, ValueError):
        pass
    return None


def _keep_cursor(conn, cursor: broadcasts.Cursor | None) -> None:
    try:
        if cursor is None:
            conn.delete(CURSOR_KEY)
        else:
            conn.set(CURSOR_KEY, f"{cursor[0].isoformat()}|{cursor[1]}", ex=3600)
    except redis.RedisError:
        pass  # the next claim scans from the start


def _call(r, provider, claimed: broadcasts.Claimed, counts: dict) -> None:
    """One provider call for claimed rows of one broadcast (one text), and its outcome recorded."""
    phones = [phone for _, phone, _ in claimed.rows]
    if provider is None:  # SMS_BACKEND=outbox: recorded, not sent
        broadcasts.record(r.db, [broadcasts.Outcome(rid, phone, "recorded", n) for rid, phone, n in claimed.rows],
                          "outbox")
        return
    try:
        results = provider.send(claimed.body, phones)
    except ProviderError as exc:
        taken = isinstance(exc.__cause__, requests.ReadTimeout)  # the provider may have taken them
        results = [SendResult(to=p, ok=False, provider_id=None, status="unconfirmed" if taken else "error",
                              error=str(exc), retryable=exc.retryable and not taken) for p in phones]
    counts["calls"] += 1
    outcomes = []
    for (rid, phone, attempts), result in zip(claimed.rows, results, strict=True):
        if result.ok:
            kind = "sent"
            counts["sent"] += 1
        elif result.opted_out:
            kind = "opted_out"
        elif result.status == "unconfirmed":
            kind = "unconfirmed"
        elif result.retryable:
            kind = "retry"
        else:
            kind = "failed"
        outcomes.append(broadcasts.Outcome(rid, phone, kind, attempts, result.provider_id, result.error))
    broadcasts.record(r.db, outcomes, provider.name)
