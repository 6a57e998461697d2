"""place_order's transaction on the DBAPI connection (commerce.sql.Writer): what it writes, and that
duplicates, code collisions and broken connections behave as they did through SQLAlchemy; and
announce, which writes a new order's notices afterwards, once."""

from __future__ import annotations

import pytest
from sqlalchemy import make_url, select, text
from sqlalchemy.exc import DBAPIError

from commerce import codes, db, orders
from commerce.models import Message, Order, Person
from fast import sql
from tests.orderkit import BUYER, agent_id, product_id, stock

ORD, MSGS, PEOPLE = Order.__table__, Message.__table__, Person.__table__


def _place(engine, *, request_key=None, phone=BUYER, ids_from=None):
    ids_from = ids_from or engine
    return orders.place_order(engine, phone=phone, product_id=product_id(ids_from, "Maize flour 2kg"),
                              quantity=2, agent_id=agent_id(ids_from), method="mobile_money",
                              request_key=request_key, payment_window_minutes=30)


def test_an_order_and_its_rows_read_back_through_sqlalchemy(seeded):
    engine = seeded.extensions["soko"].db
    before, commits = stock(engine, "Maize flour 2kg"), sql.commits()
    placed = _place(engine, request_key="k1")
    assert placed.ok and placed.created
    assert sql.commits() > commits  # a hop re-reads its products after this commit
    assert stock(engine, "Maize flour 2kg") == before - 2
    with engine.connect() as conn:
        row = conn.execute(select(ORD).where(ORD.c.id == placed.order_id)).one()
        buyer = conn.execute(select(PEOPLE).where(PEOPLE.c.phone == BUYER)).one()
        msgs = conn.execute(select(MSGS).where(MSGS.c.order_id == placed.order_id)).all()
    assert (row.code, row.status, row.total_minor, row.rate, row.flags) == (placed.code, "placed", 36000, "1", "")
    assert (row.expires_at - row.created_at).total_seconds() == 30 * 60 and row.created_at.tzinfo is None
    assert buyer.opted_out is False and buyer.currency == "KES" and buyer.id == row.buyer_id
    assert row.announced is False and msgs == []  # the notices are the worker's (announce, below)
    assert orders.unannounced(engine) == [placed.order_id]


def test_announce_writes_the_notices_once(seeded):
    engine = seeded.extensions["soko"].db
    placed = _place(engine, request_key="k2")
    ids = orders.announce(engine, [placed.order_id, placed.order_id])
    again = orders.announce(engine, orders.unannounced(engine) + [placed.order_id])  # a second drain, the sweep
    with engine.connect() as conn:
        row = conn.execute(select(ORD).where(ORD.c.id == placed.order_id)).one()
        msgs = conn.execute(select(MSGS).where(MSGS.c.order_id == placed.order_id).order_by(MSGS.c.id)).all()
    assert again == [] and row.announced is True and orders.unannounced(engine) == []
    assert [m.id for m in msgs] == ids
    assert [(m.kind, m.to_phone) for m in msgs] == [
        ("receipt", BUYER), ("new_order", "+254711000001"), ("agent_new_order", "+254722000101")]
    assert {m.status for m in msgs} == {"pending"} and all(m.attempts == 0 for m in msgs)
    shop = codes.shop_code(row.seller_id)  # the receipt invites the buyer to follow the shop (SPEC §14)
    assert msgs[0].body == (f"Order {placed.code} placed: 2 x Maize flour 2kg, KES 360. Pickup: Kiambu. Pay by "
                            f"mobile money: enter your PIN at the prompt, or choose Pay now in My orders. Reply "
                            f"FOLLOW {shop} for news.")
    assert msgs[1].body.startswith(f"New order {placed.code}: 2 x Maize flour 2kg") and "KES 360" in msgs[1].body
    assert row.updated_at == row.created_at  # announcing is not a change of the order


def test_a_seller_who_sent_stop_is_not_told(seeded):
    engine = seeded.extensions["soko"].db
    with engine.begin() as conn:
        conn.execute(text("UPDATE people SET opted_out = true WHERE phone = '+254711000001'"))
    placed = _place(engine)
    ids = orders.announce(engine, [placed.order_id])
    with engine.connect() as conn:
        to = conn.execute(select(MSGS.c.to_phone).where(MSGS.c.id.in_(ids)).order_by(MSGS.c.id)).scalars().all()
    assert to == [BUYER, "+254722000101"]  # the buyer's receipt and the agent's notice


def test_every_buyer_gets_a_receipt_in_their_language_saying_how_to_pay(seeded):
    """Issue 16 item 1: the receipt names the code, the items, the total, the pickup point and how to
    pay, in the language the buyer chose, for each way of paying; a buyer who sent STOP gets none."""
    engine = seeded.extensions["soko"].db
    pid, aid = product_id(engine, "Maize flour 2kg"), agent_id(engine)
    buyers = {"+254712000001": ("sw", "cash"), "+254712000002": ("zh", "on_delivery"),
              "+254712000003": ("en", "cash"), "+254712000004": ("en", "mobile_money")}
    with engine.begin() as conn:
        for phone, (lang, _) in buyers.items():
            conn.execute(PEOPLE.insert().values(phone=phone, language=lang, currency="KES",
                                                opted_out=phone.endswith("4")))
    placed = {phone: orders.place_order(engine, phone=phone, product_id=pid, quantity=1, agent_id=aid,
                                        method=method, request_key=None, payment_window_minutes=30)
              for phone, (_, method) in buyers.items()}
    orders.announce(engine, [p.order_id for p in placed.values()])
    with engine.connect() as conn:
        receipts = dict(conn.execute(select(MSGS.c.to_phone, MSGS.c.body).where(MSGS.c.kind == "receipt")).all())
    sw, zh, en = (placed[p].code for p in ("+254712000001", "+254712000002", "+254712000003"))
    with engine.connect() as conn:
        shop = codes.shop_code(conn.execute(select(ORD.c.seller_id).where(ORD.c.code == en)).scalar())
    assert receipts == {
        "+254712000001": f"Oda {sw} imepokelewa: 1 x Maize flour 2kg, KES 180. Kuchukua: Kiambu. Lipa KES 180 "
                         f"taslimu kwa wakala huko; muuzaji ataituma ukishalipa. Jibu FUATA {shop} kupata habari.",
        "+254712000002": f"订单{zh}已下单：1 x Maize flour 2kg，KES 180。取货：Kiambu。取货时付款KES 180。"
                         f"回复 FOLLOW {shop} 获取店铺消息。",
        "+254712000003": f"Order {en} placed: 1 x Maize flour 2kg, KES 180. Pickup: Kiambu. Pay KES 180 cash to "
                         f"the agent there; the seller sends it once you have paid. Reply FOLLOW {shop} for news.",
    }  # +254712000004 sent STOP: no receipt


def test_the_same_request_twice_is_one_order(seeded):
    engine = seeded.extensions["soko"].db
    first = _place(engine, request_key="again")
    second = _place(engine, request_key="again")  # the INSERT's unique violation, then the look-up
    assert second.ok and not second.created and second.order_id == first.order_id
    with engine.connect() as conn:
        assert conn.execute(select(ORD.c.id)).scalars().all() == [first.order_id]


def test_an_order_code_collision_is_tried_again(seeded, monkeypatch):
    engine = seeded.extensions["soko"].db
    codes = iter(["4242424", "4242424", "5151515"])
    monkeypatch.setattr(orders.codes, "new_order_code", lambda width: next(codes))
    assert _place(engine).code == "4242424"
    before = stock(engine, "Maize flour 2kg")
    retried = _place(engine, phone="+254712000999")
    assert retried.ok and retried.code == "5151515"
    assert stock(engine, "Maize flour 2kg") == before - 2  # the failed attempt was rolled back
    with engine.connect() as conn:
        assert conn.execute(select(PEOPLE.c.id).where(PEOPLE.c.phone == "+254712000999")).scalar() is not None
        assert len(conn.execute(select(ORD.c.id)).all()) == 2


def test_out_of_stock_rolls_everything_back(seeded):
    engine = seeded.extensions["soko"].db
    with engine.connect() as conn:
        counts = [conn.execute(select(t.c.id)).all() for t in (ORD, MSGS, PEOPLE)]
    with engine.begin() as conn:
        conn.execute(text("UPDATE products SET stock = 1 WHERE name = 'Maize flour 2kg'"))
    assert _place(engine, phone="+254712000998").error == "out_of_stock"
    with engine.connect() as conn:
        assert [conn.execute(select(t.c.id)).all() for t in (ORD, MSGS, PEOPLE)] == counts


def test_a_failed_order_leaves_no_transaction_open_on_the_threads_connection(seeded, database_url):
    """Out of stock rolls back on the thread's own connection, which the next read and order use:
    a transaction left open there would hold SQLite's write lock (or run the next statements in it)."""
    engine = seeded.extensions["soko"].db
    with engine.begin() as conn:
        conn.execute(text("UPDATE products SET stock = 1 WHERE name = 'Maize flour 2kg'"))
    assert _place(engine, phone="+254712000997").error == "out_of_stock"
    with engine.begin() as conn:  # another connection writes: no lock is held
        conn.execute(text("UPDATE products SET stock = 5 WHERE name = 'Maize flour 2kg'"))
    assert _place(engine, phone="+254712000997").ok
    assert stock(engine, "Maize flour 2kg") == 3


def test_sqlite_writer_reads_before_it_takes_the_write_lock(seeded, database_url):
    """The order's reads run outside the transaction, so the file's one write lock is held only for
    its writes: with another writer holding the lock, the reads go through and the first write
    waits (the busy timeout), then fails with nothing written."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    if make_url(database_url).get_backend_name() != "sqlite":
        pytest.skip("SQLite's file lock")
    engine = seeded.extensions["soko"].db
    pid = product_id(engine, "Maize flour 2kg")
    blocker = sqlite3.connect(make_url(database_url).database, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    read = []
    try:
        with pytest.raises(OperationalError, match="locked"), sql.Writer(engine) as w:
            read += w.rows(orders._W_LISTED, {"pid": pid})  # while the other holds the lock
            w.run(orders._W_RESERVE, {"pid": pid, "qty": 1, "now": orders.utcnow()})
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert read == [(pid,)]
    assert _place(engine).ok  # the lock is free again, and the connection went back whole


def test_a_broken_connection_is_replaced(seeded, database_url, db_engine):
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL: a backend ended under the thread's connection")
    engine = db.make_engine(database_url)
    try:
        assert _place(engine).ok
        pid = sql._spare.conns[engine][-1].raw.dbapi_connection.info.backend_pid  # what the order used
        with db_engine.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(DBAPIError):  # a SQLAlchemy error, as the gateway's apology expects
            _place(engine, ids_from=db_engine)
        again = _place(engine, ids_from=db_engine)  # on a new connection
        assert again.ok and again.created
    finally:
        engine.dispose()
