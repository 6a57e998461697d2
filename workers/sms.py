"""Outbound SMS: the worker side of the transactional outbox.

A message row goes `pending` → `sending` → `sent` (then `delivered` / `failed` by delivery
report), or `failed`, or `recorded` when SMS_BACKEND=outbox. Rules:

* **At most once.** A job claims its rows with one guarded UPDATE (`pending` → `sending`,
  attempts + 1) and commits that *before* calling the provider; a row is only ever sent by the job
  that claimed it, so a job run twice, a retry or a sweep cannot send it again. The price: a worker
  killed between the provider call and recording its result leaves the row in `sending`; after
  LEASE the sweep marks it `unconfirmed` (the provider may or may not have it) and does not resend
  it. The same goes for a read timeout, where the provider may have taken the message. A
  notification at risk is shown to the operator rather than sent twice.
* **Retries.** A passing failure (timeout on connect, 5xx, 429, AT's InsufficientBalance) puts the
  row back to `pending` and the job raises `RetryLater`, so RQ retries it with SEND_RETRY's backoff
  (needs the worker's scheduler). After MAX_ATTEMPTS, or on a permanent failure, `failed`.
* **Batching.** Claimed rows with the same text go to the provider in one call of up to
  `provider.max_batch` recipients (Africa's Talking takes 1000; Twilio one per call). A reply to
  an Africa's Talking premium message (it came with a link id) goes alone, through AT's premium
  send, from the short code it came to, with that link id.
* **Sweep.** `sweep()` runs every minute (workers/periodic.py, RQ's cron in the worker): it
  re-enqueues rows left `pending` (an enqueue lost with Redis, a retry lost with its job) once
  their backoff has passed, and marks `sending` rows past their lease `unconfirmed`.
* **Budget.** No message goes out longer than MAX_SEGMENTS segments (commerce/gsm.py).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import timedelta

import requests
from rq import Queue
from sqlalchemy import bindparam, select, update

from commerce.gsm import MAX_SEGMENTS, fit
from commerce.models import Message, Person, utcnow
from providers.base import ProviderError, SendResult, SmsProvider
from workers import runtime as rt
from workers.queues import JOB_TTL, SEND_RETRY

log = logging.getLogger("soko.sms.worker")
M, PE = Message.__table__, Person.__table__

MAX_ATTEMPTS = 1 + SEND_RETRY.max
LEASE = timedelta(minutes=10)  # far beyond any provider call (AT read timeout 9 s, Twilio 10 s)
GRACE = timedelta(seconds=60)  # a fresh row's own job gets this long before the sweep steps in
SWEEP_BATCH = 500
SWEEP_LIMIT = 5000


class RetryLater(Exception):
    """Some messages met a passing failure and are pending again; RQ retries the job."""


# -- sending ----------------------------------------------------------------------------------

def send_messages(ids: list[int]) -> dict:
    """Send the pending messages among `ids`. Safe to run any number of times."""
    r = rt.runtime()
    claimed = _claim(r.db, ids)
    counts = defaultdict(int)
    if claimed:
        provider = r.sms_provider  # built by bootstrap from SMS_BACKEND; None records only
        if provider is None:
            _finish(r.db, [(m, "recorded", {}) for m in claimed])
            counts["recorded"] = len(claimed)
        else:
            _send(r.db, provider, claimed, counts)
    if counts.get("retry"):
        raise RetryLater(f"{counts['retry']} of {len(claimed)} messages will be retried")
    return dict(counts)


def _claim(db, ids: list[int]) -> list:
    """Take the rows still pending, atomically: a row is claimed by exactly one job."""
    if not ids:
        return []
    with db.begin() as conn:
        rows = conn.execute(
            update(M).where(M.c.id.in_(list(ids)), M.c.status == "pending")
            .values(status="sending", attempts=M.c.attempts + 1, updated_at=utcnow())
            .returning(M.c.id, M.c.to_phone, M.c.body, M.c.kind, M.c.attempts, M.c.link_id,
                       M.c.short_code)).all()
        # A number that sent STOP after the message was queued gets no notification either.
        stopped = {p for (p,) in conn.execute(select(PE.c.phone).where(
            PE.c.phone.in_({row.to_phone for row in rows}), PE.c.opted_out.is_(True)))}
        skipped = [row.id for row in rows if row.to_phone in stopped and row.kind != "reply"]
        if skipped:
            conn.execute(update(M).where(M.c.id.in_(skipped))
                         .values(status="skipped", error="recipient opted out (STOP)", updated_at=utcnow()))
    return sorted((row for row in rows if row.id not in skipped), key=lambda row: row.id)


def _batches(rows: list, size: int) -> list[list]:
    """Chunks of at most `size` rows, never the same number twice in one (the provider would send once)."""
    chunks: list[tuple[set, list]] = []
    for row in rows:
        for numbers, chunk in chunks:
            if len(chunk) < size and row.to_phone not in numbers:
                numbers.add(row.to_phone)
                chunk.append(row)
                break
        else:
            chunks.append(({row.to_phone}, [row]))
    return [chunk for _, chunk in chunks]


def _send(db, provider: SmsProvider, claimed: list, counts) -> None:
    by_body: dict[str, list] = defaultdict(list)
    for row in claimed:
        if row.link_id and hasattr(provider, "send_premium"):
            # A reply to an on-demand subscriber: alone, with its link id, from its short code.
            text = fit(row.body, MAX_SEGMENTS)
            try:
                result = provider.send_premium(text, row.to_phone, row.short_code, row.link_id)
            except ProviderError as exc:
                result = _failed([row], exc)[0]
            _finish(db, [_outcome(provider, row, result, counts)])
        else:
            by_body[row.body].append(row)
    for body, rows in by_body.items():
        text = fit(body, MAX_SEGMENTS)
        for chunk in _batches(rows, max(1, provider.max_batch)):
            try:
                results = provider.send(text, [row.to_phone for row in chunk])
            except ProviderError as exc:
                results = _failed(chunk, exc)
            # Recorded at once, chunk by chunk: the window in which a crash leaves rows in
            # `sending` is one provider call wide.
            _finish(db, [_outcome(provider, row, result, counts) for row, result in zip(chunk, results,
                                                                                         strict=True)])


def _failed(rows: list, exc: ProviderError) -> list[SendResult]:
    """Per-row results of a provider call that failed as a whole."""
    taken = _maybe_taken(exc)
    return [SendResult(to=row.to_phone, ok=False, provider_id=None, status="unconfirmed" if taken else "error",
                       error=str(exc), retryable=exc.retryable and not taken) for row in rows]


def _maybe_taken(exc: ProviderError) -> bool:
    """A read timeout: the request reached the provider, which may have sent the message."""
    return isinstance(exc.__cause__, requests.ReadTimeout)


def _outcome(provider, row, result: SendResult, counts) -> tuple:
    if result.ok:
        counts["sent"] += 1
        return row, "sent", {"provider": provider.name, "provider_id": result.provider_id,
                             "sent_at": utcnow(), "error": None}
    error = (result.error or result.status or "")[:200]
    if result.status == "unconfirmed" or "ReadTimeout" in error:
        counts["unconfirmed"] += 1
        return row, "unconfirmed", {"provider": provider.name, "error": error}
    if result.retryable and row.attempts < MAX_ATTEMPTS:
        counts["retry"] += 1
        return row, "pending", {"error": error}
    counts["failed"] += 1
    return row, "failed", {"provider": provider.name, "error": error}


_FINISH = (update(M).where(M.c.id == bindparam("row_id"), M.c.status == "sending")
           .values(status=bindparam("new_status"), provider=bindparam("p_name"), provider_id=bindparam("p_id"),
                   sent_at=bindparam("p_sent_at"), error=bindparam("p_error"), updated_at=bindparam("now")))


def _finish(db, outcomes: list[tuple]) -> None:
    """Record outcomes in one statement executed for many rows (only rows still `sending`)."""
    if not outcomes:
        return
    now = utcnow()
    params = [{"row_id": row.id, "new_status": status, "p_name": values.get("provider"),
               "p_id": values.get("provider_id"), "p_sent_at": values.get("sent_at"),
               "p_error": values.get("error"), "now": now} for row, status, values in outcomes]
    with db.begin() as conn:
        conn.execute(_FINISH, params)


# -- the sweep --------------------------------------------------------------------------------

def _due(attempts: int) -> timedelta:
    """How long a pending row waits after its last attempt before the sweep sends it again."""
    if attempts == 0:
        return GRACE
    intervals = SEND_RETRY.intervals
    return timedelta(seconds=intervals[min(attempts - 1, len(intervals) - 1)]) + GRACE


def sweep() -> dict:
    """Re-enqueue pending rows whose job was lost; mark `sending` rows past their lease unconfirmed."""
    r = rt.runtime()
    now = utcnow()
    with r.db.begin() as conn:
        stale = conn.execute(
            update(M).where(M.c.status == "sending", M.c.updated_at < now - LEASE)
            .values(status="unconfirmed", updated_at=now,
                    error="worker stopped during the provider call; not resent (at most once)")).rowcount
        rows = conn.execute(select(M.c.id, M.c.attempts, M.c.updated_at)
                            .where(M.c.status == "pending", M.c.updated_at < now - GRACE)
                            .order_by(M.c.id).limit(SWEEP_LIMIT)).all()
    due = [row.id for row in rows if row.updated_at < now - _due(row.attempts)]
    queue = Queue("sms", connection=r.redis)
    for start in range(0, len(due), SWEEP_BATCH):
        queue.enqueue("workers.sms.send_messages", due[start:start + SWEEP_BATCH], retry=SEND_RETRY, ttl=JOB_TTL)
    if stale:
        log.warning("%d messages were left mid-send and are marked unconfirmed", stale)
    return {"requeued": len(due), "unconfirmed": stale}
