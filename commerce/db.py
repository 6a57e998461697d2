"""The engine (one per process) and the connection for a hop's reads. The prebuilt statements a
hop repeats (Reader, Writer) are fast/sql.py's."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

from sqlalchemy import create_engine, event, make_url
from sqlalchemy.engine import Engine


def make_engine(url: str, deadline: float | None = None) -> Engine:
    """The process's engine. `deadline` (PostgreSQL): seconds any one round trip, connecting
    included, may take on the client's clock before it fails (`_deadline_connections`)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 0.5}, pool_size=8, max_overflow=8)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (below)
            cur = dbapi_conn.cursor()
            # WAL lets readers run beside the one writer; a short busy timeout keeps a hop under a
            # second when the file is locked; foreign keys are off by default in SQLite.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=500")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # A deferred transaction that reads and then writes fails at once with "database is
            # locked" when another process wrote in between (WAL snapshot); `engine.begin()` units
            # of work therefore take the write lock up front and wait their turn instead.
            options = conn.get_execution_options()
            if options.get("soko_reads_only"):
                return  # see read_connection()
            conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("sqlite_immediate") else "BEGIN")

        engine.begin = _immediate_begin.__get__(engine)
        return engine
    # A dead database must fail a hop in about a second, not hang it. Options given in the URL
    # (`?options=-csearch_path%3Dshop`) are kept beside the statement timeout.
    options = " ".join(filter(None, [make_url(url).query.get("options"), "-c statement_timeout=2000"]))
    engine = create_engine(
        url,
        pool_size=5,
        max_overflow=5,
        pool_timeout=1,
        pool_pre_ping=False,
        # Keepalives and a TCP user timeout turn a silent network break under an open connection
        # into an error within seconds (statement_timeout is the server's and cannot fire then).
        connect_args={"connect_timeout": 1, "options": options, "keepalives": 1, "keepalives_idle": 5,
                      "keepalives_interval": 1, "keepalives_count": 3, "tcp_user_timeout": 2000},
    )
    if deadline:
        _deadline_connections(engine, deadline)
    return engine


def _deadline_connections(engine: Engine, deadline: float) -> None:
    """Bound every round trip on the client. A server that holds a connection without answering (a
    hung host, a proxy that stops forwarding while its kernel still acknowledges) defeats the
    statement timeout (the server's), the keepalives and the TCP user timeout (the packets are
    acknowledged); psycopg then waits forever. Here a round trip past `deadline` closes its
    connection (its protocol state is unknown; the pool replaces it) and raises OperationalError;
    a connect past it (libpq's own floor is 2 s) raises too, its late connection closed.

    And a breaker: once a round trip timed out, the process stops waiting on the database for
    `deadline` seconds (every call fails at once), then lets one call through at a time until one
    answers. Without it every thread of a web server waits its deadline in turn and the hops queue
    behind them (measured: 7 s hops with 1.5 s deadlines); with it a hop apologises at once."""
    from concurrent.futures import ThreadPoolExecutor
    from concurrent.futures import TimeoutError as FutureTimeout

    import psycopg

    breaker = _Breaker(deadline)

    class DeadlineConnection(psycopg.Connection):
        def wait(self, gen, interval=0.1, timeout=None):
            if not breaker.admit():
                self.pgconn.finish()  # nothing was sent; the pool throws the connection away
                raise psycopg.OperationalError("PostgreSQL is not answering (a call timed out just now)")
            try:
                result = super().wait(gen, interval, deadline if timeout is None else timeout)
            except psycopg.errors._WaitTimeout:
                breaker.trip()
                self.pgconn.finish()
                raise psycopg.OperationalError(f"PostgreSQL did not answer within {deadline:g} s") from None
            except BaseException:
                breaker.answered()  # an error is an answer
                raise
            breaker.answered()
            return result

    connector = ThreadPoolExecutor(max_workers=4, thread_name_prefix="pg-connect")

    def late(future):
        if not future.cancelled() and future.exception() is None:
            future.result().close()

    @event.listens_for(engine, "do_connect")
    def _connect(dialect, conn_rec, cargs, cparams):
        if not breaker.admit():
            raise psycopg.OperationalError("PostgreSQL is not answering (a call timed out just now)")
        future = connector.submit(DeadlineConnection.connect, *cargs, **cparams)
        try:
            conn = future.result(timeout=deadline)
        except FutureTimeout:
            breaker.trip()
            future.add_done_callback(late)
            raise psycopg.OperationalError(f"PostgreSQL did not accept a connection within {deadline:g} s") from None
        except BaseException:
            breaker.answered()
            raise
        breaker.answered()
        return conn


class _Breaker:
    """Closed: every call waits on the server. Tripped (a call timed out): calls fail at once for
    `cooldown` seconds, then one at a time goes through until one gets an answer."""

    def __init__(self, cooldown: float):
        self.cooldown = cooldown
        self.lock = threading.Lock()
        self.until = 0.0  # 0: closed
        self.probing = False

    def admit(self) -> bool:
        if not self.until:
            return True
        with self.lock:
            if not self.until:
                return True
            if time.monotonic() < self.until or self.probing:
                return False
            self.probing = True
            return True

    def answered(self) -> None:
        if self.until:
            with self.lock:
                self.until, self.probing = 0.0, False

    def trip(self) -> None:
        with self.lock:
            self.until, self.probing = time.monotonic() + self.cooldown, False


@contextmanager
def _immediate_begin(engine: Engine):
    """`Engine.begin()` for SQLite: the same unit of work, started with BEGIN IMMEDIATE."""
    with engine.connect() as conn:
        conn.execution_options(sqlite_immediate=True)
        with conn.begin():
            yield conn


def read_connection(engine: Engine):
    """A connection for reads only, outside any transaction: each query sees what is committed,
    and the hop is spared a BEGIN and a ROLLBACK round trip (PostgreSQL: AUTOCOMMIT; SQLite: no
    BEGIN emitted). Writes belong in `engine.begin()`."""
    conn = engine.connect()
    if engine.dialect.name == "sqlite":
        return conn.execution_options(soko_reads_only=True)
    return conn.execution_options(isolation_level="AUTOCOMMIT")
