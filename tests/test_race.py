"""Buyers racing for the last items: exactly `stock` orders, stock never below zero.

Threads start together behind a barrier, each with its own connection, on whatever database the
suite runs on (SQLite by default; PostgreSQL when DATABASE_URL points at one).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from commerce import catalog, orders, people
from commerce.models import Category, Order, OrderEvent, OrderLine, Product
from tests.conftest import UssdSession


def _db(app):
    return app.extensions["soko"].db


def _setup(app, stock: int) -> tuple[int, int]:
    with _db(app).begin() as conn:
        cid = conn.execute(Category.__table__.insert().values(name="Food", position=0)).inserted_primary_key[0]
        seller = people.add_seller(conn, "+254711000001", "Mama Njeri Shop")
        pid = catalog.add_product(conn, seller, cid, "Last sack of rice", 190000, "KES", stock)
        agent = people.add_agent(conn, "+254722000101", "Grace", "Kiambu")
    return pid, agent


def _race(n: int, work):
    barrier = threading.Barrier(n)

    def run(i):
        barrier.wait()
        return work(i)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def _stock_and_orders(app, pid):
    with _db(app).connect() as conn:
        stock = conn.execute(select(Product.__table__.c.stock).where(Product.__table__.c.id == pid)).scalar()
        n_orders = conn.execute(select(func.count()).select_from(Order.__table__)).scalar()
        n_lines = conn.execute(select(func.count()).select_from(OrderLine.__table__)).scalar()
        n_events = conn.execute(select(func.count()).select_from(OrderEvent.__table__)).scalar()
    return stock, n_orders, n_lines, n_events


@pytest.mark.parametrize(("stock", "buyers", "quantity"), [(1, 2, 1), (1, 8, 1), (3, 10, 1), (5, 12, 2)])
def test_buyers_racing_for_the_last_items(app, stock, buyers, quantity):
    pid, agent = _setup(app, stock)

    def buy(i):
        return orders.place_order(_db(app), phone=f"+2547120001{i:02d}", product_id=pid, quantity=quantity,
                                  agent_id=agent, method="cash", request_key=f"race:{i}", payment_window_minutes=60)

    results = _race(buyers, buy)
    winners = [r for r in results if r.ok]
    assert len(winners) == stock // quantity
    assert {r.error for r in results if not r.ok} <= {"out_of_stock"}
    left, n_orders, n_lines, n_events = _stock_and_orders(app, pid)
    assert left == stock - quantity * len(winners) >= 0
    assert n_orders == n_lines == n_events == len(winners)  # no order without its line and history
    assert len({r.code for r in winners}) == len(winners)


def test_two_handsets_confirming_the_last_item_over_ussd(app):
    """The same race through the webhook: one buyer gets the order, the other is told why."""
    _setup(app, 1)

    sessions = []
    for i in range(2):  # both buyers reach the summary while the item is still there
        s = UssdSession(app.test_client(), f"+2547120002{i:02d}", session_id=f"race-{i}")
        s.dial()
        for step in ("1", "1", "1", "1", "1", "1", "2"):  # shop, food, rice, buy, 1, Kiambu, cash
            s.send(step)
        assert "1. Confirm" in s.last
        sessions.append(s)

    answers = _race(2, lambda i: sessions[i].send("1"))
    assert sorted(a.split()[0] for a in answers) == ["CON", "END"], answers
    loser = next(a for a in answers if a.startswith("CON"))
    assert loser.startswith("CON Sorry, not enough in stock now.")
    winner = next(a for a in answers if a.startswith("END"))
    assert winner.startswith("END Order ")
    with _db(app).connect() as conn:
        assert conn.execute(select(Product.__table__.c.stock)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(Order.__table__)).scalar() == 1


def test_the_same_confirm_delivered_twice_at_once_places_one_order(app):
    pid, agent = _setup(app, 10)

    def buy(_):
        return orders.place_order(_db(app), phone="+254712000300", product_id=pid, quantity=2, agent_id=agent,
                                  method="cash", request_key="ussd:same-session:confirm", payment_window_minutes=60)

    results = _race(6, buy)
    assert all(r.ok for r in results)
    assert len({r.order_id for r in results}) == 1
    assert sum(r.created for r in results) == 1  # notifications sent once
    left, n_orders, _, _ = _stock_and_orders(app, pid)
    assert (left, n_orders) == (8, 1)


def test_cancels_racing_release_the_stock_once(app):
    pid, agent = _setup(app, 3)
    placed = orders.place_order(_db(app), phone="+254712000400", product_id=pid, quantity=3, agent_id=agent,
                                method="cash", request_key="to-cancel", payment_window_minutes=60)
    results = _race(6, lambda _: orders.cancel_by_buyer(_db(app), "+254712000400", placed.order_id))
    assert sum(done for done, _, _ in results) == 1
    left, _, _, n_events = _stock_and_orders(app, pid)
    assert (left, n_events) == (3, 2)  # placed + one cancelled
