"""Mobile-money jobs: start an Africa's Talking checkout for an order, and reconcile checkouts that
never got their payment notification.

The checkout is recorded (`checkouts` row) before the provider is called, so a crash in between
leaves a trace the reconcile job picks up. The notification itself is handled by the web side
(gateway/payments.py → commerce/payments.py); it may even arrive before this job has stored the
transaction id, which is why the row takes the payment's status when one is already recorded.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from commerce import money
from commerce.models import MOBILE_MONEY, PLACED, Checkout, Payment, utcnow
from commerce.order_state import Notices, load
from providers import ProviderError
from workers import runtime as rt
from workers.queues import CHECKOUT_RETRY, RQJobs
from workers.sms import maybe_taken

log = logging.getLogger(__name__)
CO, PAY = Checkout.__table__, Payment.__table__

# A second checkout for the same order within this time is a double tap, not a retry.
PENDING_GUARD = timedelta(minutes=2)
# Africa's Talking sends a notification when the subscriber answers or the prompt expires (about a
# minute on M-Pesa); a checkout still silent after this long gets reconciled.
RECONCILE_AFTER = timedelta(minutes=10)
# A first checkout that could not start for this long after it was due (no worker, no Redis) is not
# started at all: the buyer has put the phone away, and a PIN prompt out of the blue looks like fraud.
# It is recorded `failed` with the reason and the buyer is told to pay from My orders or in cash.
TOO_LATE = timedelta(minutes=10)


def _major(m: money.Money) -> str:
    return format(money.to_decimal(m).quantize(Decimal(1).scaleb(-money.display_digits(m.currency))), "f")


def start_checkout(order_id: int, checkout_id: int | None = None) -> str:
    """Ask Africa's Talking to prompt the buyer for the amount due on `order_id`.

    With `checkout_id`, the order's first checkout (a `due` row the dispatcher offered): claimed
    `due` → `pending` under the order's lock, so it is started once however often it was offered.
    Without, a buyer's `Pay now` from My orders: a new row."""
    r = rt.runtime()
    now = utcnow()
    try:
        outcome, checkout_id, due, phone, code, told = _begin(r, order_id, checkout_id, now)
    except SQLAlchemyError:
        # The database failed mid-claim, maybe after our COMMIT reached it (its answer lost): look.
        if checkout_id is None or not _claimed_at(r, checkout_id, now):
            raise  # not claimed: still `due`, the dispatcher offers it again
        with r.db.connect() as conn:
            order = load(conn, order_id=order_id)
        outcome, due, phone, code, told = None, order.due, order.buyer_phone, order.code, None
    if told is not None:
        RQJobs(r.redis).notify(told.ids)
    if outcome is not None:
        return outcome

    client = r.payments_client  # built by bootstrap from the AT_* settings
    if client is None:
        log.warning("mobile money is not configured (AT_USERNAME, AT_API_KEY, AT_PAYMENT_PRODUCT)")
        return _give_up(r, order_id, checkout_id, "not configured", "mobile_money_unavailable")
    try:
        result = client.checkout(phone, due.currency, _major(due), code)
    except ProviderError as exc:
        if maybe_taken(exc):
            # The provider may have the request and prompt the buyer: a second request could make
            # them pay twice. The row stays `pending`; no notification within RECONCILE_AFTER and
            # reconcile_checkouts tells the buyer how to go on.
            _note(r, checkout_id, f"no answer in time, the provider may have it: {exc}")
            return f"uncertain: {exc}"
        if exc.retryable and _retry(r, order_id, checkout_id, str(exc)):
            return f"will retry: {exc}"
        _give_up(r, order_id, checkout_id, str(exc), "mobile_money_unavailable")
        if exc.retryable:
            raise  # failed for good: into RQ's failed registry with its error
        return f"refused: {exc}"

    if not result.accepted or not result.transaction_id:
        return _give_up(r, order_id, checkout_id, f"{result.status}: {result.description}", "buyer_payment_failed")
    with r.db.begin() as conn:
        # The notification may have come first (a quick buyer): take its outcome.
        paid = conn.execute(select(PAY.c.status).where(PAY.c.method == MOBILE_MONEY,
                                                       PAY.c.reference == result.transaction_id)).scalar()
        if paid is not None:
            status = "success" if paid == "success" else "failed"
        else:  # paid meanwhile by another route (paybill, cash): nothing to wait for
            order = load(conn, order_id=order_id)
            status = "settled" if order.paid_in_full or order.status != PLACED else "pending"
        conn.execute(update(CO).where(CO.c.id == checkout_id).values(
            transaction_id=result.transaction_id, status=status, description=result.description[:200],
            updated_at=utcnow()))
    return f"checkout {result.transaction_id} {status}"


def _begin(r, order_id: int, checkout_id: int | None, now):
    """The checkout's row claimed (or written), in the order's lock: (outcome if nothing is to be
    called, checkout id, amount due, phone, order code, notices to send)."""
    with r.db.begin() as conn:
        order = load(conn, order_id=order_id, lock=True)
        payable = (order is not None and order.method == MOBILE_MONEY and order.status == PLACED
                   and not order.paid_in_full)
        if checkout_id is not None:
            due_at = conn.execute(select(CO.c.created_at).where(CO.c.id == checkout_id, CO.c.status == "due")).scalar()
            if due_at is None:
                return "already started", checkout_id, None, None, None, None
            late = now - due_at > TOO_LATE
            why = ("nothing to pay (paid, cancelled or expired first)" if not payable
                   else "too late for a PIN prompt (its worker was away); the buyer was told" if late else None)
            conn.execute(update(CO).where(CO.c.id == checkout_id).values(
                status="pending" if why is None else "skipped" if not payable else "failed",
                description=why, created_at=now, updated_at=now))
            if not payable:
                return "nothing to pay", checkout_id, None, None, None, None
            if late:
                told = Notices(conn, order)
                told.send("buyer", "mobile_money_unavailable")
                return "too late", checkout_id, None, None, None, told
        else:
            if not payable:
                return "nothing to pay", None, None, None, None, None
            recent = conn.execute(select(CO.c.id).where(CO.c.order_id == order_id, (CO.c.status == "due") | (
                (CO.c.status == "pending") & (CO.c.created_at > now - PENDING_GUARD)))).first()
            if recent:
                return "a checkout is already waiting for the buyer", None, None, None, None, None
            checkout_id = conn.execute(insert(CO).values(order_id=order_id, status="pending", created_at=now,
                                                         updated_at=now)).inserted_primary_key[0]
        return None, checkout_id, order.due, order.buyer_phone, order.code, None


def _claimed_at(r, checkout_id: int, at, patience: float = 20.0) -> bool:
    """Whether our claim of `checkout_id` (stamped `at`) committed, once the database answers again."""
    deadline = time.monotonic() + patience
    while True:
        try:
            with r.db.connect() as conn:
                row = conn.execute(select(CO.c.status, CO.c.updated_at).where(CO.c.id == checkout_id)).first()
            return row is not None and row.status == "pending" and row.updated_at == at
        except SQLAlchemyError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def _note(r, checkout_id: int, why: str) -> None:
    with r.db.begin() as conn:
        conn.execute(update(CO).where(CO.c.id == checkout_id).values(description=why[:200], updated_at=utcnow()))


def _retry(r, order_id: int, checkout_id: int, why: str) -> bool:
    """A passing failure (timeout, 5xx): this attempt `error`, and the next one a `due` row
    CHECKOUT_RETRY's interval later, which the dispatcher starts like the first (retries live in
    the database, not in Redis). False once the attempts are used up."""
    now = utcnow()
    with r.db.begin() as conn:
        errors = conn.execute(select(func.count()).select_from(CO).where(
            CO.c.order_id == order_id, CO.c.status == "error")).scalar()
        if errors >= len(CHECKOUT_RETRY.intervals):
            return False
        conn.execute(update(CO).where(CO.c.id == checkout_id)
                     .values(status="error", description=why[:200], updated_at=now))
        at = now + timedelta(seconds=CHECKOUT_RETRY.intervals[errors])
        conn.execute(insert(CO).values(order_id=order_id, status="due", created_at=at, updated_at=at))
    return True


def _give_up(r, order_id: int, checkout_id: int, why: str, notice: str) -> str:
    """The checkout cannot happen: record why and tell the buyer what else they can do."""
    with r.db.begin() as conn:
        conn.execute(update(CO).where(CO.c.id == checkout_id)
                     .values(status="failed", description=why[:200], updated_at=utcnow()))
        order = load(conn, order_id=order_id)
        n = Notices(conn, order)
        if order.status == PLACED and not order.paid_in_full:
            n.send("buyer", notice)
    RQJobs(r.redis).notify(n.ids)
    return f"failed: {why}"


def reconcile_checkouts(now: datetime | None = None) -> int:
    """Checkouts with no notification after RECONCILE_AFTER: mark them and tell the buyer how to go on.
    A notification that still comes later is recorded as usual (it finds the order by its code)."""
    r = rt.runtime()
    cutoff = (now or utcnow()) - RECONCILE_AFTER
    with r.db.connect() as conn:
        stale = conn.execute(select(CO.c.id, CO.c.order_id)
                             .where(CO.c.status == "pending", CO.c.created_at < cutoff)
                             .order_by(CO.c.id).limit(500)).all()
    ids, done = [], 0
    for checkout_id, order_id in stale:
        with r.db.begin() as conn:
            moved = conn.execute(update(CO).where(CO.c.id == checkout_id, CO.c.status == "pending")
                                 .values(status="no_answer", updated_at=utcnow())).rowcount
            if not moved:
                continue
            done += 1
            order = load(conn, order_id=order_id, lock=True)
            newer = conn.execute(select(CO.c.id).where(CO.c.order_id == order_id, CO.c.id > checkout_id)).first()
            if order and order.status == PLACED and not order.paid_in_full and not newer:
                n = Notices(conn, order)
                n.send("buyer", "checkout_no_answer")
                ids += n.ids
    RQJobs(r.redis).notify(ids)
    return done
