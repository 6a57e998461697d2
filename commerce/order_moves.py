"""The order state machine: the one table of status moves, and the one function that makes a move.

    placed ── paid in full ─────────────────▶ paid ── SENT ──▶ dispatched ── hand-over ──▶ delivered
       │ └──── SENT, pay on delivery ──────────────────────────▶ │ └─ ARRIVED ─▶ arrived ──▲
       ├──▶ expired    (unpaid, paid now by cash or mobile money; the payment window passed)
       └──▶ cancelled  (the buyer: nothing paid yet; the operator: any open order, paid, sent or not;
                        the jobs: a lay-by not paid up by its deadline)

Pay later (SPEC §15) goes like pay on delivery, before the money: the seller sends it at once, the
agent hands it over with nothing to collect, and the buyer repays in instalments after delivery. A
lay-by waits, placed, until paid in full (then paid, as any order), or is cancelled at its deadline.

Delivered, cancelled and expired are final. An agent holding goods the seller never marked SENT may
still say ARRIVED or DELIVERED: the move to dispatched is then *implied* (`walk`), recorded in the
history with the note "implied"; the table marks such moves `implied`, and `apply` refuses them
on their own. A move is made by `apply`: it checks the table, moves
the order with a guarded UPDATE, writes the history row and gives the stock back when the move
says so, all in the caller's transaction. An order placed is not a move (`orders.place_order`).

Who may make a move is the kind of actor, the part of the recorded actor before any `:`
("agent:12", "admin:api"): buyer, seller, agent, admin, system (the jobs), mobile_money.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from commerce.models import (
    ARRIVED,
    CANCELLED,
    CASH,
    DELIVERED,
    DISPATCHED,
    EXPIRED,
    LAYBY,
    MOBILE_MONEY,
    ON_DELIVERY,
    PAID,
    PAY_LATER,
    PLACED,
    Order,
    OrderEvent,
    OrderLine,
    Product,
    utcnow,
)

ORD, E, L, P = Order.__table__, OrderEvent.__table__, OrderLine.__table__, Product.__table__

STATUSES = (PLACED, PAID, DISPATCHED, ARRIVED, DELIVERED, CANCELLED, EXPIRED)
ACTORS = ("buyer", "seller", "agent", "admin", "system", "mobile_money")


# -- what a move needs: each a test of the order as read (status, paid_minor, method) ---------------

def paid_in_full(order) -> bool:
    return order.paid_in_full


def nothing_paid(order) -> bool:
    return order.paid_minor == 0


def goods_before_money(order) -> bool:
    """Sent before it is paid: pay on delivery, or pay later (the seller's credit)."""
    return order.method in (ON_DELIVERY, PAY_LATER)


def paid_or_pay_on_delivery(order) -> bool:
    """Paid in full, or paid at hand-over (the agent takes the cash first, lifecycle.confirm_delivery),
    or paid later (handed over with nothing to collect: the buyer repays in instalments)."""
    return order.paid_in_full or order.method in (ON_DELIVERY, PAY_LATER)


def paid_in_full_or_later(order) -> bool:
    """The buyer may close it: paid in full, or bought on pay later (the instalments follow)."""
    return order.paid_in_full or order.method == PAY_LATER


def unpaid_prepaid(order) -> bool:
    """Nothing paid, and to be paid now (cash or mobile money): orders paid at hand-over wait for
    their buyer, and a lay-by has its own deadline."""
    return order.paid_minor == 0 and order.method in (CASH, MOBILE_MONEY)


def on_layby(order) -> bool:
    """A lay-by (pay in parts) not yet paid in full: at its deadline it is cancelled, what was paid owed back."""
    return order.method == LAYBY and not order.paid_in_full


@dataclass(frozen=True, slots=True)
class Move:
    source: str
    target: str
    actors: tuple[str, ...]
    needs: Callable[[object], bool] | None = None  # its name is the refusal when it does not hold
    releases_stock: bool = False
    implied: bool = False  # only as a step on the way to a later move (`walk`), never on its own


IMPLIED, STOCK_BACK = True, True  # for the table's readability

MOVES = (
    #    from        to          who may                     needs                     stock back
    Move(PLACED,     PAID,       ("agent", "mobile_money"),  paid_in_full),
    Move(PLACED,     DISPATCHED, ("seller",),                goods_before_money),
    Move(PAID,       DISPATCHED, ("seller",)),
    Move(DISPATCHED, ARRIVED,    ("agent",),                 paid_or_pay_on_delivery),
    Move(DISPATCHED, DELIVERED,  ("agent",),                 paid_or_pay_on_delivery),
    Move(DISPATCHED, DELIVERED,  ("buyer",),                 paid_in_full_or_later),
    Move(ARRIVED,    DELIVERED,  ("agent",),                 paid_or_pay_on_delivery),
    Move(ARRIVED,    DELIVERED,  ("buyer",),                 paid_in_full_or_later),
    Move(PLACED,     EXPIRED,    ("system",),                unpaid_prepaid,           releases_stock=STOCK_BACK),
    Move(PLACED,     CANCELLED,  ("buyer",),                 nothing_paid,             releases_stock=STOCK_BACK),
    Move(PLACED,     CANCELLED,  ("admin",),                                           releases_stock=STOCK_BACK),
    Move(PLACED,     CANCELLED,  ("system",),                on_layby,                 releases_stock=STOCK_BACK),
    Move(PAID,       CANCELLED,  ("admin",),                                           releases_stock=STOCK_BACK),
    Move(DISPATCHED, CANCELLED,  ("admin",),                                           releases_stock=STOCK_BACK),
    Move(ARRIVED,    CANCELLED,  ("admin",),                                           releases_stock=STOCK_BACK),
    # The agent has goods the seller never marked SENT: dispatched is implied by ARRIVED/DELIVERED.
    Move(PLACED,     DISPATCHED, ("agent",),                 paid_or_pay_on_delivery,  implied=IMPLIED),
    Move(PAID,       DISPATCHED, ("agent",),                                           implied=IMPLIED),
)

# (from, to) -> {actor kind: move}
_INDEX: dict[tuple[str, str], dict[str, Move]] = {}
for _m in MOVES:
    for _who in _m.actors:
        _INDEX.setdefault((_m.source, _m.target), {})[_who] = _m

# Why a move was refused (or a `needs` test's name, e.g. "paid_in_full", when that does not hold).
NO_MOVE = "no_move"  # the lifecycle has no move from this status to that one
NOT_ALLOWED = "not_allowed"  # there is such a move, but not for this actor
MOVED_FIRST = "moved_first"  # someone changed the order between our read and our write


def actor_kind(actor: str) -> str:
    return actor.partition(":")[0]


def find(source: str, target: str, actor: str) -> Move | None:
    return _INDEX.get((source, target), {}).get(actor_kind(actor))


def refusal(order, target: str, actor: str, *, implied: bool = False) -> str | None:
    """Why `actor` may not move `order` (as read) to `target`, or None when the table allows it.
    An implied move is allowed only as a step of `walk` (`implied=True`)."""
    by_actor = _INDEX.get((order.status, target))
    if by_actor is None:
        return NO_MOVE
    move = by_actor.get(actor_kind(actor))
    if move is None or (move.implied and not implied):
        return NOT_ALLOWED
    if move.needs is not None and not move.needs(order):
        return move.needs.__name__
    return None


def route(order, target: str, actor: str) -> tuple[list[str], str | None]:
    """The statuses `actor` moves `order` through to reach `target`: [target] when the table has the
    move, else [an implied step, target]; with None, or ([], why) when there is no way. The refusal
    is the direct move's, unless that is NO_MOVE and an implied first step exists (then the first
    unmet need on the way, e.g. paid_or_pay_on_delivery for an unpaid cash order)."""
    why = refusal(order, target, actor)
    if why is None:
        return [target], None
    if why != NO_MOVE:
        return [], why
    kind = actor_kind(actor)
    for m in MOVES:
        if not (m.implied and m.source == order.status and kind in m.actors and (m.target, target) in _INDEX):
            continue
        step_why = refusal(order, m.target, actor, implied=True)
        if step_why is not None:
            return [], step_why
        then = _As(order, m.target)
        then_why = refusal(then, target, actor)
        return ([m.target, target], None) if then_why is None else ([], then_why)
    return [], NO_MOVE


class _As:
    """The order as it would read with another status (what the next step of a route is checked on)."""

    def __init__(self, order, status: str):
        self._order, self.status = order, status

    def __getattr__(self, name):
        return getattr(self._order, name)


@dataclass(frozen=True, slots=True)
class Moved:
    ok: bool
    status: str  # the order's status now: the new one, or the one that stopped the move
    refusal: str | None = None  # NO_MOVE, NOT_ALLOWED, MOVED_FIRST or the unmet need's name


# Built once: a statement built per call costs SQLAlchemy a cache key of its values.
_INSERT_EVENT = insert(E)


def record_event(conn: Connection, order_id: int, status: str, actor: str, note: str | None = None) -> None:
    conn.execute(_INSERT_EVENT, {"order_id": order_id, "status": status, "actor": actor, "note": note,
                                 "at": utcnow()})


def release_stock(conn: Connection, order_id: int) -> None:
    for product_id, qty in conn.execute(select(L.c.product_id, L.c.quantity).where(L.c.order_id == order_id)):
        conn.execute(update(P).where(P.c.id == product_id).values(stock=P.c.stock + qty))


def apply(conn: Connection, order, target: str, actor: str, note: str | None = None, *,
          implied: bool = False) -> Moved:
    """Move `order` (an `order_state.OrderView`, as read in this transaction) to `target` for `actor`.

    Refused, with nothing written, when the table does not allow it or when the order changed since
    it was read (MOVED_FIRST). The UPDATE is guarded by what the decision read, status and paid
    amount, so a double cancel, or a cancel racing a payment, moves nothing twice. `implied`: a
    step `walk` takes on the way (its history row says "implied")."""
    why = refusal(order, target, actor, implied=implied)
    if why is not None:
        return Moved(False, order.status, why)
    changed = conn.execute(
        update(ORD).where(ORD.c.id == order.id, ORD.c.status == order.status, ORD.c.paid_minor == order.paid_minor)
        .values(status=target, updated_at=utcnow())).rowcount
    if changed != 1:
        now = conn.execute(select(ORD.c.status).where(ORD.c.id == order.id)).scalar()
        return Moved(False, now or order.status, MOVED_FIRST)
    record_event(conn, order.id, target, actor, IMPLIED_NOTE if implied else note)
    if find(order.status, target, actor).releases_stock:
        release_stock(conn, order.id)
    order.status = target
    return Moved(True, target)


IMPLIED_NOTE = "implied"


def walk(conn: Connection, order, target: str, actor: str, note: str | None = None) -> Moved:
    """`apply`, through the implied step `route` finds when the table has no direct move (the agent's
    ARRIVED or DELIVERED for an order never marked SENT): each step its own guarded move and history
    row. Refused with nothing written when there is no way, or when the first step loses a race."""
    steps, why = route(order, target, actor)
    if why is not None:
        return Moved(False, order.status, why)
    for step in steps[:-1]:
        moved = apply(conn, order, step, actor, implied=True)
        if not moved.ok:
            return moved
    moved = apply(conn, order, target, actor, note)
    if not moved.ok and len(steps) > 1:  # our own step holds the row, so this cannot lose a race
        raise RuntimeError(f"walk to {target} stopped half-way: {moved.refusal}")  # rolls the step back
    return moved


__all__ = ["MOVES", "STATUSES", "ACTORS", "Move", "Moved", "NO_MOVE", "NOT_ALLOWED", "MOVED_FIRST", "IMPLIED_NOTE",
           "apply", "walk", "route", "refusal", "find", "actor_kind", "record_event", "release_stock"]
