"""Mobile-money jobs: start a checkout for an order on the buyer's rail (Africa's Talking, M-Pesa or
MoMo: MOBILE_MONEY_ROUTES), ask the rails that can be asked what became of it (poll_checkout), and
reconcile Africa's Talking checkouts that never got their payment notification.

The checkout is recorded (`checkouts` row) before the provider is called, so a crash in between
leaves a trace the reconcile job picks up. The notification itself is handled by the web side
(gateway/payments.py → commerce/payments.py); it may even arrive before this job has stored the
transaction id, which is why the row takes the payment's status when one is already recorded.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from commerce import checkouts, money, phones
from commerce.models import (
    ARRIVED,
    CREDIT_METHODS,
    DELIVERED,
    DISPATCHED,
    MOBILE_MONEY,
    PAY_LATER,
    PLACED,
    Checkout,
    Payment,
    utcnow,
)
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


def start_checkout(order_id: int, checkout_id: int | None = None, amount_minor: int | None = None) -> str:
    """Ask the buyer's rail to prompt the buyer for the amount due on `order_id`, or for
    `amount_minor` of it (a part of a lay-by or pay-later order's balance: SPEC §15).

    With `checkout_id`, the order's first checkout (a `due` row the dispatcher offered): claimed
    `due` → `pending` under the order's lock, so it is started once however often it was offered.
    Without, a buyer's `Pay now` from My orders: a new row."""
    r = rt.runtime()
    now = utcnow()
    try:
        outcome, checkout_id, rail, due, phone, code, told = _begin(r, order_id, checkout_id, now, amount_minor)
    except SQLAlchemyError:
        # The database failed mid-claim, maybe after our COMMIT reached it (its answer lost): look.
        if checkout_id is None or not _claimed_at(r, checkout_id, now):
            raise  # not claimed: still `due`, the dispatcher offers it again
        with r.db.connect() as conn:
            order = load(conn, order_id=order_id)
            rail, asked, asked_in = conn.execute(select(CO.c.rail, CO.c.asked_minor, CO.c.asked_currency)
                                                 .where(CO.c.id == checkout_id)).one()
        due = money.Money(asked, asked_in) if asked is not None else order.due
        outcome, phone, code, told = None, order.buyer_phone, order.code, None
    if told is not None:
        RQJobs(r.redis).notify(told.ids)
    if outcome is not None:
        return outcome

    if rail in checkouts.QUERYABLE:
        return _start_on_rail(r, rail, order_id, checkout_id, due, phone, code, now)
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
            status = "settled" if not _payable_now(order) else "pending"
        conn.execute(update(CO).where(CO.c.id == checkout_id).values(
            transaction_id=result.transaction_id, status=status, description=result.description[:200],
            updated_at=utcnow()))
    return f"checkout {result.transaction_id} {status}"


def _start_on_rail(r, rail: str, order_id: int, checkout_id: int, due: money.Money, phone: str, code: str,
                   now: datetime) -> str:
    """M-Pesa or MoMo: ask, then poll (POLL_AFTER) whatever the callback does."""
    client = r.rails.client(rail)
    try:
        start = client.request_payment(phone, phones.region_of(phone), Decimal(_major(due)), due.currency, code)
    except ProviderError as exc:
        if exc.reference:
            # MoMo may have taken it (a timeout, a 5xx): asking the payer again could charge twice,
            # so the status query decides (a request MoMo never took answers 404: failed).
            checkouts.started(r.db, checkout_id, exc.reference, f"unclear: {exc}")
            RQJobs(r.redis).schedule_poll(checkout_id, now + checkouts.POLL_AFTER[0], 0)
            return f"{rail} checkout {exc.reference} unclear ({exc}); asking in {checkouts.POLL_AFTER[0]}"
        if exc.retryable and _retry(r, order_id, checkout_id, str(exc)):
            return f"will retry: {exc}"
        _give_up(r, order_id, checkout_id, str(exc), "mobile_money_unavailable")
        if exc.retryable:
            raise
        return f"refused: {exc}"
    if not start.accepted:
        return _give_up(r, order_id, checkout_id, f"{start.status}: {start.description}", "buyer_payment_failed")
    checkouts.started(r.db, checkout_id, start.reference, start.description)
    RQJobs(r.redis).schedule_poll(checkout_id, now + checkouts.POLL_AFTER[0], 0)
    return f"{rail} checkout {start.reference} pending"


def poll_checkout(checkout_id: int, hint: bool = False) -> str:
    """Ask the rail what became of a checkout (its status query is the truth) and record a final
    answer. A scheduled poll that learns nothing (still pending, or the rail did not answer) counts
    and schedules the next (POLL_AFTER); after the last the checkout is unresolved, its order
    flagged. A `hint` (a callback came) asks once, out of schedule, and counts nothing."""
    r = rt.runtime()
    c = checkouts.to_ask(r.db, checkout_id)
    if c is None or c.rail not in checkouts.QUERYABLE or c.reference is None:
        return "nothing to ask"
    if c.status != checkouts.PENDING and not (hint and c.status == checkouts.UNRESOLVED):
        return f"already {c.status}"
    client = r.rails.client(c.rail)
    answer, why = None, f"{c.rail} is not configured"
    if client is not None:
        try:
            answer = checkouts.RailAnswer(**asdict(client.status(c.reference, c.country)))
            why = f"{answer.code}: {answer.description}"
        except ProviderError as exc:
            why = str(exc)
    if answer is not None and answer.state != "pending":
        recorded = checkouts.settle(r.db, checkout_id, answer)
        if recorded is not None:
            RQJobs(r.redis).notify(recorded.message_ids)
        return f"{answer.state}: {recorded.outcome if recorded else 'unresolved'}"
    if hint:
        return f"still open ({why})"
    polls = checkouts.count_poll(r.db, c)
    if polls is None:
        return "another poll got there first"
    at = checkouts.next_poll_at(c, polls)
    if at is not None:
        RQJobs(r.redis).schedule_poll(checkout_id, at, polls)
        return f"still open ({why}); asking again at {at:%H:%M:%S}"
    checkouts.mark_unresolved(r.db, checkout_id, f"no final answer after {polls} status queries; {why}")
    return "unresolved"


def _payable_now(order) -> bool:
    """A mobile-money order still placed; a lay-by still placed; a pay-later order not closed."""
    if order is None or order.paid_in_full:
        return False
    if order.method == PAY_LATER:
        return order.status in (PLACED, DISPATCHED, ARRIVED, DELIVERED)
    return order.status == PLACED and order.method in (MOBILE_MONEY, *CREDIT_METHODS)


def _begin(r, order_id: int, checkout_id: int | None, now, amount_minor: int | None = None):
    """The checkout's row claimed (or written), in the order's lock, with the buyer's rail and the
    amount asked: (outcome if nothing is to be called, checkout id, rail, amount, phone, order code,
    notices to send)."""
    nothing = (None, None, None, None, None)
    with r.db.begin() as conn:
        order = load(conn, order_id=order_id, lock=True)
        payable = _payable_now(order)
        if checkout_id is not None:
            due_at = conn.execute(select(CO.c.created_at).where(CO.c.id == checkout_id, CO.c.status == "due")).scalar()
            if due_at is None:
                return "already started", checkout_id, *nothing
            late = now - due_at > TOO_LATE
            why = ("nothing to pay (paid, cancelled or expired first)" if not payable
                   else "too late for a PIN prompt (its worker was away); the buyer was told" if late else None)
            conn.execute(update(CO).where(CO.c.id == checkout_id).values(
                status="pending" if why is None else "skipped" if not payable else "failed",
                description=why, created_at=now, updated_at=now))
            if not payable:
                return "nothing to pay", checkout_id, *nothing
            if late:
                told = Notices(conn, order)
                told.send("buyer", "mobile_money_unavailable")
                return "too late", checkout_id, None, None, None, None, told
        else:
            if not payable:
                return "nothing to pay", None, *nothing
            recent = conn.execute(select(CO.c.id).where(CO.c.order_id == order_id, (CO.c.status == "due") | (
                (CO.c.status == "pending") & (CO.c.created_at > now - PENDING_GUARD)))).first()
            if recent:
                return "a checkout is already waiting for the buyer", None, *nothing
        rail = r.rails.route(order.buyer_phone) or checkouts.AT
        due = order.due
        if amount_minor is not None and order.method in CREDIT_METHODS:
            due = money.Money(min(max(int(amount_minor), 1), due.amount_minor), due.currency)
        if checkout_id is None:
            checkout_id = checkouts.open_checkout(conn, order_id, rail, due, now)
        else:  # the dispatcher's `due` row, claimed above: the rail and amount it asks for
            conn.execute(update(CO).where(CO.c.id == checkout_id).values(
                rail=rail, asked_minor=due.amount_minor, asked_currency=due.currency))
        return None, checkout_id, rail, due, order.buyer_phone, order.code, None


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
    jobs = RQJobs(r.redis)
    for checkout_id in checkouts.overdue(r.db, now):  # M-Pesa and MoMo: a poll whose job was lost
        jobs.verify_checkout(checkout_id, hint=False)
    cutoff = (now or utcnow()) - RECONCILE_AFTER
    with r.db.connect() as conn:
        stale = conn.execute(select(CO.c.id, CO.c.order_id)
                             .where(CO.c.status == "pending", CO.c.rail == checkouts.AT, CO.c.created_at < cutoff)
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
    jobs.notify(ids)
    return done
