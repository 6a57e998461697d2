"""Issue 13 item 4: a buyer who saw the apology although their order had committed finds it: the
SMS receipt, `Your order … was placed` first on the next dial, and `Order it again?` instead of a
second order when they confirm the same thing again.

Redis is reached through the TCP proxy of tests/test_faults.py; it is cut the moment the order has
committed (what a Redis crash then does), so the hop's session write fails and the buyer gets the
apology, as in the audit.
"""

from __future__ import annotations

import socket
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from sqlalchemy import func, select, update

from commerce import codes, demo, orders
from commerce.models import Order, utcnow
from tests.conftest import UssdSession
from tests.orderkit import BUYER, messages_to
from tests.test_faults import APOLOGY, Proxy

ORD = Order.__table__
CONFIRM = "1*1*2*1*2*1*2*1"  # shop, food, rice, buy, 2, Kiambu, cash, Confirm


class _Proxy(Proxy):
    def cut(self):
        try:  # wakes the thread blocked in accept(), so restore() can listen on the port again
            self.server.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        super().cut()


@pytest.fixture
def crash_after_commit(make_app, redis_url, monkeypatch):
    """An app whose Redis goes away right after the next order commits."""
    parsed = urlparse(redis_url)
    proxy = _Proxy(parsed.hostname, parsed.port or 6379)
    app = make_app(redis_url=redis_url.replace(f"{parsed.hostname}:{parsed.port}", f"127.0.0.1:{proxy.port}"))
    with app.extensions["soko"].db.begin() as conn:
        demo.seed(conn)
    real, crashes = orders.place_order, [1]

    def place_then_crash(*args, **kwargs):
        placed = real(*args, **kwargs)
        if crashes:  # the first order only
            crashes.pop()
            proxy.cut()
        return placed

    monkeypatch.setattr(orders, "place_order", place_then_crash)
    yield app, proxy
    monkeypatch.undo()
    proxy.restore()
    proxy.cut()


def _count(db) -> int:
    with db.connect() as conn:
        return conn.execute(select(func.count()).select_from(ORD)).scalar()


def _apology_after_commit(app, proxy) -> str:
    """Walk to the summary, Confirm: the order commits, Redis dies, the buyer reads the apology."""
    s = UssdSession(app.test_client(), BUYER, session_id="lost-answer")
    s.dial()
    for step in CONFIRM.split("*")[:-1]:
        s.send(step)
    assert "1. Confirm" in s.last
    assert s.send("1") == APOLOGY
    proxy.restore()
    db = app.extensions["soko"].db
    with db.connect() as conn:
        [code] = conn.execute(select(ORD.c.code)).scalars().all()
    return code


def test_the_buyer_who_saw_the_apology_finds_the_order_and_is_asked_before_a_second(crash_after_commit):
    app, proxy = crash_after_commit
    db = app.extensions["soko"].db
    code = _apology_after_commit(app, proxy)

    # The receipt, written by the worker's drain (here: what it runs), names the code and how to pay.
    orders.announce(db, orders.unannounced(db))
    [receipt] = messages_to(db, BUYER)
    with db.connect() as conn:
        shop = codes.shop_code(conn.execute(select(Order.__table__.c.seller_id)
                                            .where(Order.__table__.c.code == code)).scalar())
    assert receipt == (f"Order {code} placed: 2 x Rice 1kg, KES 380. Pickup: Kiambu. Pay KES 380 cash to "
                       f"the agent there; the seller sends it once you have paid. Reply FOLLOW {shop} for news.")

    # Redis kept the session as it was before Confirm: the next dial offers to continue, and says
    # first that the order was placed.
    s = UssdSession(app.test_client(), BUYER, session_id="redial")
    assert s.dial() == (f"CON Your order {code} was placed.\nWelcome back.\n1. Continue where you left off\n"
                        "2. Start again\n0 Back 00 Home")
    assert "1. Confirm" in s.send("1")
    assert s.send("1").startswith(f"CON You ordered this a few minutes ago (order {code}). Order it again?\n"
                                  "1. Yes, order again\n2. No")
    assert s.send("2") == f"END Nothing new was ordered. Your order {code} stands; see My orders."
    assert _count(db) == 1

    # Asked again, a buyer who does want a second one gets it.
    s = UssdSession(app.test_client(), BUYER, session_id="second")
    s.dial()
    for step in CONFIRM.split("*"):
        s.send(step)
    assert "Order it again?" in s.last
    again = s.send("1")
    assert again.startswith("END Order ") and code not in again
    assert _count(db) == 2


def test_when_redis_lost_the_session_the_home_screen_names_the_order(crash_after_commit):
    app, proxy = crash_after_commit
    code = _apology_after_commit(app, proxy)
    app.extensions["soko"].redis.flushdb()  # a Redis restarted without persistence
    s = UssdSession(app.test_client(), BUYER, session_id="after-restart")
    assert s.dial().startswith(f"CON Your order {code} was placed.\nWelcome to Soko\n1. Shop")
    assert s.send("3").startswith(f"CON Your orders:\n1. {code} awaiting payment")


def test_the_notice_is_in_the_buyers_language_and_only_on_the_first_screen(seeded, ussd):
    db = seeded.extensions["soko"].db
    s = ussd(session_id="sw")
    s.dial()
    s.send("4")
    s.send("2")  # Kiswahili
    for step in CONFIRM.split("*"):
        s.send(step)
    code = s.last.split()[2]
    again = ussd(session_id="sw-again")
    assert again.dial().startswith(f"CON Oda yako {code} imepokelewa.\nKaribu Soko")
    assert again.send("1").startswith("CON Chagua")  # Shop: the notice is gone
    assert again.send("00").startswith("CON Karibu Soko")  # home again: not repeated
    assert _count(db) == 1


def test_a_different_quantity_is_ordered_without_asking(seeded, ussd):
    first = ussd(session_id="a")
    first.dial()
    for step in CONFIRM.split("*"):
        first.send(step)
    assert first.last.startswith("END Order ")
    other = ussd(session_id="b")
    other.dial()
    for step in ("1", "1", "2", "1", "3", "1", "2", "1"):  # 3 instead of 2
        other.send(step)
    assert other.last.startswith("END Order ")


def test_an_old_or_cancelled_order_is_neither_named_nor_asked_about(seeded, ussd):
    db = seeded.extensions["soko"].db
    s = ussd(session_id="old")
    s.dial()
    for step in CONFIRM.split("*"):
        s.send(step)
    with db.begin() as conn:  # placed a minute longer ago than RECENT
        conn.execute(update(ORD).values(created_at=utcnow() - orders.RECENT - timedelta(minutes=1)))
    later = ussd(session_id="later")
    assert later.dial().startswith("CON Welcome to Soko")
    for step in CONFIRM.split("*"):
        later.send(step)
    assert later.last.startswith("END Order ")  # the same order again, placed without asking

    code = later.last.split()[2]
    mine = ussd(session_id="cancel")
    mine.dial()
    mine.send("3")
    mine.send("1")  # the newest order
    mine.send("1")  # Cancel order
    assert mine.send("1") == f"END Order {code} is cancelled."
    assert ussd(session_id="after-cancel").dial().startswith("CON Welcome to Soko")
    assert _count(db) == 2
