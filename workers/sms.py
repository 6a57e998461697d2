"""Outbound SMS: the worker side of the transactional outbox.

A message row goes `pending` → `sending` → `sent` (then `delivered` / `failed` by delivery
report), or `failed`, or `recorded` when SMS_BACKEND=outbox. Rules:

* **At most once.** A job claims the rows of each provider call with one guarded UPDATE
  (`pending` → `sending`, attempts + 1) and commits that *before* making the call; a row is only
  ever sent by the job that claimed it, so a job run twice, a retry or a sweep cannot send it
  again. The price: a worker killed during the call leaves that call's rows (and only those: the
  rest of its job is still `pending`) in `sending`; after LEASE the sweep marks them `unconfirmed`
  (the provider may or may not have them) and does not resend them; the operator can, from
  /admin (`resend`, audited). The same goes for a read timeout, where the provider may have taken the message. A
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
* **Refused numbers.** A number the provider refuses as opted out of bulk SMS (AT's
  UserInBlacklist, Twilio's 21610) is recorded in bulk_optouts as well: no broadcast goes to it.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from datetime import timedelta

import requests
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import SQLAlchemyError

from commerce import broadcasts
from commerce.gsm import MAX_SEGMENTS, fit
from commerce.models import Message, Person, utcnow
from providers.base import ProviderError, SendResult, SmsProvider
from workers import runtime as rt
from workers.queues import BULK_KINDS, SEND_RETRY, RQJobs

log = logging.getLogger("soko.sms.worker")
M, PE = Message.__table__, Person.__table__

MAX_ATTEMPTS = 1 + SEND_RETRY.max
LEASE = timedelta(seconds=60)  # far beyond any provider call (AT read timeout 9 s, Twilio 10 s)
GRACE = timedelta(seconds=20)  # a fresh row's own job gets this long before the sweep steps in
BULK_GRACE = timedelta(minutes=10)  # a bulk row's: behind a broadcast its job may wait that long
SWEEP_BATCH = 500
SWEEP_LIMIT = 5000


class RetryLater(Exception):
    """Some messages met a passing failure and are pending again; RQ retries the job."""


# -- sending ----------------------------------------------------------------------------------

def send_messages(ids: list[int]) -> dict:
    """Send the pending messages among `ids`. Safe to run any number of times.

    Rows are claimed call by call, just before the provider call that sends them: a worker that
    dies leaves `sending` only the rows of the call in flight (their fate is the provider's), and
    the rest still `pending` for the sweep."""
    r = rt.runtime()
    counts = defaultdict(int)
    provider = r.sms_provider  # built by bootstrap from SMS_BACKEND; None records only
    done: list[tuple] = []  # the last call's outcomes, recorded in the transaction claiming the next
    for chunk in _plan(r.db, ids, provider):
        try:
            claimed, done = _claim(r.db, [row.id for row in chunk], done), []
        except SQLAlchemyError:
            _finish(r.db, done)  # what the provider took is recorded, at least (the rest stays pending)
            raise
        if not claimed:
            continue  # another job took them
        if provider is None:
            done = [(m, "recorded", {}) for m in claimed]
            counts["recorded"] += len(claimed)
        else:
            done = _send(provider, claimed, counts)
    _finish(r.db, done)
    if counts.get("retry"):
        raise RetryLater(f"{counts['retry']} messages will be retried")
    return dict(counts)


def _plan(db, ids: list[int], provider) -> list[list]:
    """The pending rows among `ids`, in the provider calls that will send them: rows with the same
    text together (up to the provider's batch, never one number twice), a premium reply alone."""
    if not ids:
        return []
    with db.connect() as conn:
        rows = conn.execute(select(M.c.id, M.c.to_phone, M.c.body, M.c.link_id)
                            .where(M.c.id.in_(list(ids)), M.c.status == "pending").order_by(M.c.id)).all()
    if provider is None:
        return [rows] if rows else []
    calls, by_body = [], defaultdict(list)
    for row in rows:
        if row.link_id and hasattr(provider, "send_premium"):
            calls.append([row])
        else:
            by_body[row.body].append(row)
    for same in by_body.values():
        calls.extend(_batches(same, max(1, provider.max_batch)))
    return calls


def _claim(db, ids: list[int], done: list[tuple] = ()) -> list:
    """Take the rows still pending, atomically: a row is claimed by exactly one job. `done`, the
    previous call's outcomes, is recorded first in the same transaction (one commit a call)."""
    if not ids:
        return []
    with db.begin() as conn:
        _record(conn, done)
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


def _send(provider: SmsProvider, claimed: list, counts) -> list[tuple]:
    """One provider call for `claimed` (one text, distinct numbers; or one premium reply)."""
    row = claimed[0]
    text = fit(row.body, MAX_SEGMENTS)
    if len(claimed) == 1 and row.link_id and hasattr(provider, "send_premium"):
        # A reply to an on-demand subscriber: alone, with its link id, from its short code.
        try:
            results = [provider.send_premium(text, row.to_phone, row.short_code, row.link_id)]
        except ProviderError as exc:
            results = _failed(claimed, exc)
    else:
        try:
            results = provider.send(text, [m.to_phone for m in claimed])
        except ProviderError as exc:
            results = _failed(claimed, exc)
    # Recorded at once (with the next call's claim): a crash leaves `sending` one call's rows at most.
    return [_outcome(provider, m, result, counts) for m, result in zip(claimed, results, strict=True)]


def _failed(rows: list, exc: ProviderError) -> list[SendResult]:
    """Per-row results of a provider call that failed as a whole."""
    taken = maybe_taken(exc)
    return [SendResult(to=row.to_phone, ok=False, provider_id=None, status="unconfirmed" if taken else "error",
                       error=str(exc), retryable=exc.retryable and not taken) for row in rows]


def maybe_taken(exc: ProviderError) -> bool:
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
    # UserInBlacklist, Twilio 21610: the number refuses bulk SMS too, so no broadcast goes to it.
    return row, "failed", {"provider": provider.name, "error": error, "refused": result.opted_out}


_FINISH = (update(M).where(M.c.id == bindparam("row_id"), M.c.status == "sending")
           .values(status=bindparam("new_status"), provider=bindparam("p_name"), provider_id=bindparam("p_id"),
                   sent_at=bindparam("p_sent_at"), error=bindparam("p_error"), updated_at=bindparam("now")))


def _finish(db, outcomes: list[tuple], patience: float = 20.0) -> None:
    """Record what a provider call did, trying again for `patience` seconds if the database is away:
    a row the provider took must not stay `sending` (and end `unconfirmed`) for want of a commit."""
    deadline = time.monotonic() + patience
    while outcomes:
        try:
            with db.begin() as conn:
                _record(conn, outcomes)
            return
        except SQLAlchemyError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def _record(conn, outcomes: list[tuple]) -> None:
    """Record outcomes in one statement executed for many rows (only rows still `sending`)."""
    if not outcomes:
        return
    now = utcnow()
    params = [{"row_id": row.id, "new_status": status, "p_name": values.get("provider"),
               "p_id": values.get("provider_id"), "p_sent_at": values.get("sent_at"),
               "p_error": values.get("error"), "now": now} for row, status, values in outcomes]
    conn.execute(_FINISH, params)
    for provider in {values["provider"] for _, _, values in outcomes if values.get("refused")}:
        broadcasts.refuse_numbers(conn, [row.to_phone for row, _, values in outcomes
                                         if values.get("refused") and values["provider"] == provider], provider, now)


# -- the sweep --------------------------------------------------------------------------------

def _due(attempts: int) -> timedelta:
    """How long a pending row waits after its last attempt before the sweep sends it again."""
    if attempts == 0:
        return GRACE
    intervals = SEND_RETRY.intervals
    return timedelta(seconds=intervals[min(attempts - 1, len(intervals) - 1)]) + GRACE


def sweep() -> dict:
    """Re-enqueue pending rows whose job was lost; mark `sending` rows past their lease unconfirmed.
    Transactional rows go back on `sms` after GRACE; bulk ones (reminders, broadcasts) on `bulk`
    after BULK_GRACE, since a long bulk backlog keeps them waiting in their jobs legitimately (and
    must never fill the `sms` queue, nor hide a transactional row behind its thousands)."""
    r = rt.runtime()
    now = utcnow()
    with r.db.begin() as conn:
        stale = conn.execute(
            update(M).where(M.c.status == "sending", M.c.updated_at < now - LEASE)
            .values(status="unconfirmed", updated_at=now,
                    error="worker stopped during the provider call; not resent (at most once)")).rowcount
        found = {bulk: conn.execute(select(M.c.id, M.c.attempts, M.c.updated_at).where(
            M.c.status == "pending", M.c.kind.in_(BULK_KINDS) if bulk else M.c.kind.notin_(BULK_KINDS),
            M.c.updated_at < now - (BULK_GRACE if bulk else GRACE)).order_by(M.c.id).limit(SWEEP_LIMIT)).all()
            for bulk in (False, True)}
    jobs, requeued = RQJobs(r.redis), 0
    for bulk, rows in found.items():
        extra = BULK_GRACE - GRACE if bulk else timedelta(0)
        due = [row.id for row in rows if row.updated_at < now - _due(row.attempts) - extra]
        jobs.notify(due, bulk=bulk, batch=SWEEP_BATCH)
        requeued += len(due)
    if stale:
        log.warning("%d messages were left mid-send and are marked unconfirmed", stale)
    return {"requeued": requeued, "unconfirmed": stale}
