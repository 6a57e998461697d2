"""Faults: Redis or the database unreachable. A hop answers `END` with a short apology at once (no
hang, no 500), nothing is half-written, and service comes back by itself when they return.

Redis and PostgreSQL are reached through a small TCP proxy in the test, which can refuse
connections (the server is down), swallow traffic (the network hangs) or forward again.
"""

from __future__ import annotations

import select
import socket
import sqlite3
import threading
import time
from urllib.parse import urlparse

import pytest
from sqlalchemy import func, make_url
from sqlalchemy import select as sql_select

from commerce import demo
from commerce.models import Order, OrderEvent, OrderLine, Person
from tests.conftest import UssdSession

APOLOGY = "END Sorry, the service is busy. Please try again in a few minutes."
HANG_BOUND = 3.0  # a hop that takes longer than this is hanging (Africa's Talking waits 15 s at most)


class Proxy:
    """A TCP proxy on 127.0.0.1 that can be cut (refuse and drop), made to hang, and restored."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.mode = "up"
        self.socks: list[socket.socket] = []
        self.server = None
        self._lock = threading.Lock()
        self._listen()

    def _listen(self):
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(64)
        self.server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def _accept(self, server):
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=2)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self.mode == "down":  # accepted in the instant before cut() shut the listener
                    client.close()
                    upstream.close()
                    continue
                self.socks += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a, b):
        pair = {a: b, b: a}
        try:
            while True:
                ready, _, _ = select.select([a, b], [], [], 0.05)
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    if self.mode == "up":
                        pair[s].sendall(data)
                    # "hang": read and drop, so the caller waits for an answer that never comes
        except (OSError, ValueError):
            return
        finally:
            a.close()
            b.close()

    def cut(self):
        """The server is down: new connections are refused, open ones are dropped."""
        with self._lock:
            self.mode = "down"
        # shutdown() first: close() alone leaves the socket listening while the accept thread is
        # blocked in accept() (Linux), so connections were still taken and then hung, not refused,
        # and restore() could not bind the port again (EADDRINUSE).
        try:
            self.server.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.server.close()
        with self._lock:
            for s in self.socks:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self.socks.clear()

    def hang(self):
        """The network swallows everything: connections open, nothing ever comes back."""
        self.mode = "hang"

    def restore(self):
        if self.mode == "down":
            self._listen()
        self.mode = "up"


def _timed_post(session: UssdSession, text: str):
    started = time.monotonic()
    res = session.post(text)
    return res, time.monotonic() - started


def _counts(engine):
    with engine.connect() as conn:
        return [conn.execute(sql_select(func.count()).select_from(t.__table__)).scalar()
                for t in (Order, OrderLine, OrderEvent, Person)]


def _to_summary(s: UssdSession) -> str:
    s.dial()
    for step in ("1", "1", "2", "1", "2", "1", "2"):  # shop, food, rice, buy, 2, Kiambu, cash
        s.send(step)
    assert "1. Confirm" in s.last
    return s.last


# -- Redis ----------------------------------------------------------------------------------------

@pytest.fixture
def redis_proxy(redis_url):
    parsed = urlparse(redis_url)
    proxy = Proxy(parsed.hostname, parsed.port or 6379)
    yield proxy, redis_url.replace(f"{parsed.hostname}:{parsed.port}", f"127.0.0.1:{proxy.port}")
    proxy.restore()
    proxy.cut()


@pytest.fixture
def redis_faulty_app(make_app, redis_proxy):
    proxy, url = redis_proxy
    app = make_app(redis_url=url)
    with app.extensions["soko"].db.begin() as conn:
        demo.seed(conn)
    return app, proxy


@pytest.mark.parametrize("fault", ["cut", "hang"])
def test_redis_unreachable_gets_an_apology_and_service_returns_by_itself(redis_faulty_app, fault):
    app, proxy = redis_faulty_app
    db = app.extensions["soko"].db
    s = UssdSession(app.test_client(), "+254712345678", session_id="redis-fault")
    _to_summary(s)
    before = _counts(db)

    getattr(proxy, fault)()
    for text in ("1*1*2*1*2*1*2*1", "", "1"):  # Confirm, a new dial, a later hop
        res, took = _timed_post(s, text)
        assert res.status_code == 200 and res.mimetype == "text/plain"
        assert res.get_data(as_text=True) == APOLOGY
        assert took < HANG_BOUND
    assert _counts(db) == before  # the Confirm placed nothing: no order, line or event

    proxy.restore()
    # The same session goes on where it was (its state survived in Redis), without a restart.
    s2 = UssdSession(app.test_client(), "+254712345678", session_id="after-redis")
    assert s2.dial().startswith("CON Welcome back.")
    assert "1. Confirm" in s2.send("1")
    assert s2.send("1").startswith("END Order ")
    assert _counts(db)[:3] == [before[0] + 1, before[1] + 1, before[2] + 1]


def test_redis_lost_for_good_starts_afresh_when_a_new_one_answers(redis_faulty_app):
    """A Redis restarted empty: sessions are gone (they may be), the next dial starts at home."""
    app, proxy = redis_faulty_app
    s = UssdSession(app.test_client(), "+254712345678", session_id="before")
    _to_summary(s)
    proxy.cut()
    assert _timed_post(s, "1*1*2*1*2*1*2*1")[0].get_data(as_text=True) == APOLOGY
    proxy.restore()
    app.extensions["soko"].redis.flushdb()
    assert UssdSession(app.test_client(), "+254712345678", session_id="after").dial().startswith(
        "CON Welcome to Soko")


# -- the database -----------------------------------------------------------------------------------

def test_sqlite_locked_gets_an_apology_and_nothing_half_written(seeded, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the SQLite lock case; PostgreSQL has its own test below")
    db = seeded.extensions["soko"].db
    s = UssdSession(seeded.test_client(), "+254712345678", session_id="sqlite-lock")
    summary = _to_summary(s)
    before = _counts(db)

    locker = sqlite3.connect(make_url(database_url).database, timeout=0.1, isolation_level=None)
    try:
        locker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock and does not let go
        res, took = _timed_post(s, "1*1*2*1*2*1*2*1")
        assert res.status_code == 200 and res.get_data(as_text=True) == APOLOGY
        assert took < HANG_BOUND
        lang = UssdSession(seeded.test_client(), "+254799111222", session_id="lang")
        lang.dial()
        lang.send("4")
        assert _timed_post(lang, "4*2")[0].get_data(as_text=True) == APOLOGY  # a language change writes too
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert _counts(db) == before

    # Back by itself: the user dials again, continues, and confirms once.
    s2 = UssdSession(seeded.test_client(), "+254712345678", session_id="sqlite-after")
    s2.dial()
    assert s2.send("1") == summary
    assert s2.send("1").startswith("END Order ")
    assert _counts(db)[:3] == [before[0] + 1, before[1] + 1, before[2] + 1]


@pytest.fixture
def pg_faulty_app(make_app, database_url):
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("runs when the suite runs on PostgreSQL (DATABASE_URL=postgresql://…)")
    proxy = Proxy(url.host or "127.0.0.1", url.port or 5432)
    app = make_app(database_url=url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
    with app.extensions["soko"].db.begin() as conn:
        demo.seed(conn)
    yield app, proxy
    proxy.restore()
    app.extensions["soko"].db.dispose()
    proxy.cut()


def test_postgresql_unreachable_gets_an_apology_and_service_returns_by_itself(pg_faulty_app, db_engine):
    app, proxy = pg_faulty_app
    s = UssdSession(app.test_client(), "+254712345678", session_id="pg-fault")
    summary = _to_summary(s)
    before = _counts(db_engine)

    proxy.cut()
    for _ in range(2):  # Confirm, and Confirm again: placing the order needs the database
        res, took = _timed_post(s, "1*1*2*1*2*1*2*1")
        assert res.status_code == 200 and res.get_data(as_text=True) == APOLOGY
        assert took < HANG_BOUND
    # The summary itself needs no query (its product, pickup point and rate are cached): a wrong
    # key still gets the summary back with a hint, at once.
    res, took = _timed_post(s, "1*1*2*1*2*1*2*7")
    assert res.get_data(as_text=True).startswith("CON Invalid choice, try again.\n2 x Rice 1kg")
    assert took < HANG_BOUND
    fresh = UssdSession(app.test_client(), "+254799111222", session_id="pg-new")
    res, took = _timed_post(fresh, "")  # a first hop reads the caller's language from the database
    assert res.get_data(as_text=True) == APOLOGY and took < HANG_BOUND
    assert _counts(db_engine) == before  # checked through a connection of our own, not the proxy

    proxy.restore()
    s2 = UssdSession(app.test_client(), "+254712345678", session_id="pg-after")
    s2.dial()
    assert s2.send("1") == summary
    assert s2.send("1").startswith("END Order ")
    assert _counts(db_engine)[:3] == [before[0] + 1, before[1] + 1, before[2] + 1]
