"""The order state machine against a real database: every (from, to) pair of statuses, tried by
every kind of actor. A legal move changes the status, writes its history row and gives the stock
back when it says so; a refused one (no such move, not this actor's, an unmet need, or someone
moved the order first) changes nothing: not the status, not the history, not the stock."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from commerce import catalog, credit, order_moves, order_state, orders, people
from commerce.models import (
    ARRIVED,
    CANCELLED,
    CASH,
    CREDIT_METHODS,
    DELIVERED,
    DISPATCHED,
    EXPIRED,
    LAYBY,
    ON_DELIVERY,
    PAID,
    PAY_LATER,
    PLACED,
    Category,
    Order,
    OrderEvent,
    Product,
)

ORD, EVENTS, PRODUCTS = Order.__table__, OrderEvent.__table__, Product.__table__
BUYER = "+254712000500"
QTY = 2
ACTOR = {"agent": "agent:1", "seller": "seller:1", "admin": "admin:api", "buyer": "buyer", "system": "system",
         "mobile_money": "mobile_money"}


@pytest.fixture
def shop(db_engine, clean):
    with db_engine.begin() as conn:
        cid = conn.execute(Category.__table__.insert().values(name="Food", position=0)).inserted_primary_key[0]
        seller = people.add_seller(conn, "+254711000001", "Mama Njeri Shop")
        pid = catalog.add_product(conn, seller, cid, "Maize flour 2kg", 18000, "KES", 10)
        agent = people.add_agent(conn, "+254722000101", "Grace", "Kiambu")
    return db_engine, pid, agent


def _order_in(shop, status: str, *, paid: bool, method: str) -> int:
    """A fresh order, put straight into `status` (with its payment, or none) as the test's setup."""
    engine, pid, agent = shop
    with engine.begin() as conn:
        conn.execute(update(PRODUCTS).where(PRODUCTS.c.id == pid).values(stock=10))
    plan = credit.PlanTerms(method, 4) if method in CREDIT_METHODS else None  # lay-by, pay later: SPEC §15
    placed = orders.place_order(engine, phone=BUYER, product_id=pid, quantity=QTY, agent_id=agent, method=method,
                                request_key=None, payment_window_minutes=60, plan=plan)
    assert placed.ok, placed.error
    with engine.begin() as conn:
        conn.execute(update(ORD).where(ORD.c.id == placed.order_id).values(
            status=status, paid_minor=ORD.c.total_minor if paid else 0))
    return placed.order_id


def _state(shop, order_id: int):
    engine, pid, _ = shop
    with engine.connect() as conn:
        status, paid = conn.execute(select(ORD.c.status, ORD.c.paid_minor).where(ORD.c.id == order_id)).one()
        events = conn.execute(select(EVENTS.c.status, EVENTS.c.actor).where(EVENTS.c.order_id == order_id)
                              .order_by(EVENTS.c.id)).all()
        stock = conn.execute(select(PRODUCTS.c.stock).where(PRODUCTS.c.id == pid)).scalar_one()
    return status, paid, [tuple(e) for e in events], stock


def _try(shop, order_id: int, target: str, actor: str, implied: bool = False) -> order_moves.Moved:
    with shop[0].begin() as conn:
        return order_moves.apply(conn, order_state.load(conn, order_id=order_id, lock=True), target, actor,
                                 note="walk", implied=implied)


def _setups(source: str, move: order_moves.Move | None):
    """(paid, method, expected refusal) for an order in `source`: the one that meets the move's need,
    then each that does not."""
    prepaid_paid = source != PLACED
    if move is None:
        return [(prepaid_paid, CASH, None)]
    need = move.needs
    met = {
        None: (prepaid_paid, CASH),
        order_moves.paid_in_full: (True, CASH),
        order_moves.paid_or_pay_on_delivery: (True, CASH),
        order_moves.paid_in_full_or_later: (True, CASH),
        order_moves.goods_before_money: (False, ON_DELIVERY),
        order_moves.nothing_paid: (False, CASH),
        order_moves.unpaid_prepaid: (False, CASH),
        order_moves.on_layby: (False, LAYBY),
    }[need]
    unmet = {
        None: [],
        order_moves.paid_in_full: [(False, CASH)],
        order_moves.paid_or_pay_on_delivery: [(False, CASH), (False, LAYBY)],
        order_moves.paid_in_full_or_later: [(False, CASH), (False, ON_DELIVERY)],
        order_moves.goods_before_money: [(False, CASH), (False, LAYBY)],
        order_moves.nothing_paid: [(True, CASH)],
        order_moves.unpaid_prepaid: [(True, CASH), (False, ON_DELIVERY), (False, LAYBY), (False, PAY_LATER)],
        order_moves.on_layby: [(False, CASH), (True, LAYBY)],
    }[need]
    return [(*met, None)] + [(*u, need.__name__) for u in unmet]


def test_every_move_of_the_table_and_every_one_it_lacks(shop):
    tried = legal = 0
    for source in order_moves.STATUSES:
        for target in order_moves.STATUSES:
            for actor in ACTOR.values():
                move = order_moves.find(source, target, actor)
                for paid, method, unmet in _setups(source, move):
                    order_id = _order_in(shop, source, paid=paid, method=method)
                    before = _state(shop, order_id)
                    if move is not None and move.implied:  # never on its own: only as a step of walk()
                        alone = _try(shop, order_id, target, actor)
                        assert alone.refusal == order_moves.NOT_ALLOWED and _state(shop, order_id) == before
                    moved = _try(shop, order_id, target, actor, implied=move is not None and move.implied)
                    after = _state(shop, order_id)
                    case = (source, target, actor, paid, method)
                    tried += 1
                    if move is not None and unmet is None:
                        legal += 1
                        assert moved.ok and moved.status == target, (case, moved)
                        assert after[0] == target and after[1] == before[1], case
                        assert after[2] == [*before[2], (target, actor)], case
                        # SPEC §6: reserved stock comes back when an order is cancelled or expires, and only then.
                        assert after[3] == before[3] + (QTY if target in (CANCELLED, EXPIRED) else 0), case
                        continue
                    if move is not None:
                        expected = unmet
                    else:  # someone else's move, or none at all
                        expected = order_moves.NOT_ALLOWED if _any_actor(source, target) else order_moves.NO_MOVE
                    assert not moved.ok and moved.refusal == expected and moved.status == source, (case, moved)
                    assert after == before, case
    assert legal == sum(len(m.actors) for m in order_moves.MOVES)
    assert tried > 7 * 7 * len(ACTOR)


def _history(shop, order_id: int) -> list[tuple]:
    with shop[0].connect() as conn:
        return [tuple(r) for r in conn.execute(select(EVENTS.c.status, EVENTS.c.actor, EVENTS.c.note)
                                               .where(EVENTS.c.order_id == order_id).order_by(EVENTS.c.id))]


@pytest.mark.parametrize(("source", "paid", "method"), [
    (PLACED, False, ON_DELIVERY), (PAID, True, CASH), (PAID, True, "mobile_money")])
@pytest.mark.parametrize("target", [ARRIVED, DELIVERED])
def test_walk_takes_the_implied_dispatch_when_the_seller_never_said_sent(shop, source, paid, method, target):
    order_id = _order_in(shop, source, paid=paid, method=method)
    before = _history(shop, order_id)
    with shop[0].begin() as conn:
        moved = order_moves.walk(conn, order_state.load(conn, order_id=order_id, lock=True), target, "agent:1")
    assert moved.ok and moved.status == target
    assert _history(shop, order_id) == [*before, (DISPATCHED, "agent:1", order_moves.IMPLIED_NOTE),
                                        (target, "agent:1", None)]


@pytest.mark.parametrize("target", [ARRIVED, DELIVERED])
def test_walk_refuses_an_unpaid_cash_order_and_writes_nothing(shop, target):
    order_id = _order_in(shop, PLACED, paid=False, method=CASH)
    before = _state(shop, order_id)
    with shop[0].begin() as conn:
        moved = order_moves.walk(conn, order_state.load(conn, order_id=order_id, lock=True), target, "agent:1")
    assert (moved.ok, moved.refusal) == (False, "paid_or_pay_on_delivery")
    assert _state(shop, order_id) == before
    # Not the seller's way, nor the buyer's: the implied step is the agent's alone.
    with shop[0].begin() as conn:
        order = order_state.load(conn, order_id=order_id, lock=True)
        assert order_moves.walk(conn, order, DELIVERED, "buyer").refusal == order_moves.NO_MOVE


def _any_actor(source: str, target: str) -> bool:
    return any(order_moves.find(source, target, a) for a in ACTOR.values())


def test_a_move_someone_made_first_is_refused_and_changes_nothing(shop):
    engine = shop[0]
    order_id = _order_in(shop, PLACED, paid=False, method=CASH)
    before = _state(shop, order_id)
    with engine.begin() as conn:
        order = order_state.load(conn, order_id=order_id)
        # Another transaction's payment, between this one's read and its write.
        conn.execute(update(ORD).where(ORD.c.id == order_id).values(paid_minor=100))
        moved = order_moves.apply(conn, order, "cancelled", "buyer")
        assert (moved.ok, moved.refusal, moved.status) == (False, order_moves.MOVED_FIRST, PLACED)
        conn.execute(update(ORD).where(ORD.c.id == order_id).values(paid_minor=0))
    assert _state(shop, order_id) == before

    with engine.begin() as conn:
        order = order_state.load(conn, order_id=order_id)
        conn.execute(update(ORD).where(ORD.c.id == order_id).values(status=PAID))
        moved = order_moves.apply(conn, order, "expired", "system")
        assert (moved.ok, moved.refusal, moved.status) == (False, order_moves.MOVED_FIRST, PAID)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(EVENTS).where(EVENTS.c.order_id == order_id)
                            ).scalar() == 1  # only "placed"
