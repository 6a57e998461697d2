"""The engine (one per process), and the fast paths beside it: prebuilt reads and writes on the DBAPI
connection (Reader, Writer) and a count of commits for per-hop caches."""

from __future__ import annotations

import os
import threading
import time
import weakref
from contextlib import contextmanager

from sqlalchemy import create_engine, event, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError


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


class Prebuilt:
    """A SELECT a hop repeats, compiled once per dialect and run straight on the DBAPI cursor by
    `Reader`: no Connection, result or row objects, only tuples. For plain columns (ints, text)
    whose values need no conversion; anything else goes through SQLAlchemy as usual."""

    def __init__(self, statement):
        self.statement = statement
        self._compiled: dict[str, tuple[str, tuple | None, dict]] = {}

    def sql(self, dialect, params: dict) -> tuple[str, tuple | dict]:
        """The SQL text for `dialect` and its DBAPI parameters: `params` with the statement's own
        literals (`stock > 0` is bound too), by position or by name as the driver takes them."""
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            if "POSTCOMPILE" in compiled.string:
                raise ValueError("Prebuilt statements take plain bound parameters (no IN lists)")
            names = tuple(compiled.positiontup) if compiled.positional else None
            found = (compiled.string, names, {k: v for k, v in compiled.params.items() if v is not None})
            self._compiled[dialect.name] = found
        sql, names, own = found
        values = {**own, **params}
        return sql, tuple(values[n] for n in names) if names is not None else values


class _Pinned(threading.local):
    """Each thread's own connections (`Reader`'s and `Writer`'s), one per engine (weakly held: a
    disposed app's go with it), and the process they were opened in (a forked child opens its own)."""

    def __init__(self):
        self.pid = os.getpid()
        self.conns: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


_pinned = _Pinned()


class _Held:
    """A thread's own connection, detached from the pool: it never goes back to it (its
    autocommit setting must not reach a SQLAlchemy unit of work), and it is closed when the thread
    or the engine goes (a thread-per-request server opens one per request, as it would have checked
    one out). Between a Reader's reads and a Writer's transactions nothing is left open on it."""

    __slots__ = ("raw", "cursor")

    def __init__(self, raw):
        raw.detach()
        self.raw, self.cursor = raw, raw.cursor()

    def close(self) -> None:
        try:
            # The driver's own close: nothing to roll back (no transaction is ever left open), and
            # at interpreter shutdown the pool's reset path may already be gone.
            self.raw.dbapi_connection.close()
        except Exception:  # noqa: BLE001 - at thread exit or interpreter shutdown: nothing to tell
            pass

    __del__ = close


@event.listens_for(Engine, "engine_disposed")
def _close_held(engine: Engine) -> None:
    """`engine.dispose()` closes this thread's own connection to it too (the others close with
    their threads): an app that is done with its engine, as a test's, leaves no connection open."""
    held = _pinned.conns.pop(engine, None)
    if held is not None:
        held.close()


class Reader:
    """A hop's reads on a DBAPI connection outside any transaction (PostgreSQL in autocommit,
    SQLite without BEGIN): each query sees what is committed, with no BEGIN or ROLLBACK round trip
    and none of SQLAlchemy's per-statement work. Errors come out as SQLAlchemy's, like any other
    query's.

    The connection is the thread's own (`_Held`), kept from hop to hop: checking one out of the
    pool and back costs more than the indexed read itself. Nothing is ever left open on it (no
    transaction, no unread rows: WAL checkpoints and PostgreSQL's locks are never held up), and a
    connection that fails is thrown away and the next read opens another."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.dialect = engine.dialect

    def rows(self, query: Prebuilt, params: dict) -> list[tuple]:
        sql, args = query.sql(self.dialect, params)
        try:
            cursor = _held(self.engine).cursor
            cursor.execute(sql, args)
            return cursor.fetchall()
        except self.dialect.loaded_dbapi.Error as exc:
            _discard(self.engine)  # a failed connection is thrown away; the next read opens another
            raise DBAPIError.instance(sql, args, exc, self.dialect.loaded_dbapi.Error,
                                      dialect=self.dialect) from exc

    def close(self) -> None:
        """Nothing to give back: the connection stays with the thread for its next hop."""


def _held(engine: Engine) -> _Held:
    """This thread's own connection to `engine` (opened on first use): outside any transaction
    between uses, in autocommit on PostgreSQL (SQLite's never BEGINs by itself, make_engine)."""
    pinned = _pinned
    if pinned.pid != os.getpid():  # never use a connection the parent process opened
        pinned.pid, pinned.conns = os.getpid(), weakref.WeakKeyDictionary()
    held = pinned.conns.get(engine)
    if held is None:
        raw = engine.raw_connection()
        if engine.dialect.name == "postgresql":
            raw.driver_connection.autocommit = True
        held = pinned.conns[engine] = _Held(raw)
    return held


def _discard(engine: Engine) -> None:
    held = _pinned.conns.pop(engine, None)
    if held is not None:
        held.close()


class PrebuiltWrite(Prebuilt):
    """An INSERT or UPDATE (RETURNING or not) a hop repeats, compiled once per dialect and run by
    `Writer`. Unlike `Prebuilt`, its values go through the column types' bind processors, so they
    are stored exactly as SQLAlchemy stores them (SQLite: datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff'
    text, booleans as 0/1). Give every column a value, defaults and `onupdate` ones too: nothing
    here fills them in."""

    def __init__(self, statement):
        super().__init__(statement)
        self._processors: dict[str, dict] = {}

    def sql(self, dialect, params: dict) -> tuple[str, tuple | dict]:
        procs = self._processors.get(dialect.name)
        if procs is None:
            compiled = self.statement.compile(dialect=dialect)
            procs = {name: proc for name, bind in compiled.binds.items()
                     if (proc := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None}
            self._processors[dialect.name] = procs
        if procs:
            params = {k: procs[k](v) if k in procs and v is not None else v for k, v in params.items()}
        return super().sql(dialect, params)


class Writer:
    """One write transaction on this thread's own DBAPI connection (the one `Reader` uses), for a
    unit of work a hop repeats (placing an order): `Prebuilt`/`PrebuiltWrite` statements, COMMIT,
    or ROLLBACK on any error, with none of SQLAlchemy's per-statement work and no pool checkout.
    Errors come out as SQLAlchemy's (a unique violation is still an IntegrityError); a connection
    that failed is thrown away, and the thread's next read or write opens another.

    The transaction begins at the first write: BEGIN IMMEDIATE on SQLite (as `engine.begin()`),
    BEGIN on PostgreSQL, whose connection is otherwise in autocommit. The reads before it run
    outside the transaction, each seeing what is committed (READ COMMITTED), so SQLite's one
    write lock is held only from the first write to the commit: the other writers' wait.

        with db.Writer(engine) as w:
            product = w.rows(SELECT, {...})
            new_id = w.rows(INSERT_RETURNING, {...})[0][0]            # BEGIN here
            if w.run(GUARDED_UPDATE, {...}) != 1: raise ...   # rolls back
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self.dialect = engine.dialect
        self._error = engine.dialect.loaded_dbapi.Error
        self._held: _Held | None = None
        self._begin = "BEGIN IMMEDIATE" if engine.dialect.name == "sqlite" else "BEGIN"
        self._open = False  # a transaction is open on the connection

    def __enter__(self) -> Writer:
        try:
            self._held = _held(self.engine)
        except self._error as exc:
            raise DBAPIError.instance("connect", (), exc, self._error, dialect=self.dialect) from exc
        return self

    def rows(self, statement: Prebuilt, params: dict) -> list[tuple]:
        """The statement's rows (a SELECT, or RETURNING); [] when it returns none."""
        return self._execute(statement, params)[0]

    def run(self, statement: Prebuilt, params: dict) -> int:
        """Execute it; the number of rows it changed."""
        return self._execute(statement, params)[1]

    def _execute(self, statement: Prebuilt, params: dict) -> tuple[list[tuple], int]:
        sql, args = statement.sql(self.dialect, params)
        cursor = self._held.cursor
        if not self._open and isinstance(statement, PrebuiltWrite):
            try:
                cursor.execute(self._begin)
            except self._error as exc:  # "database is locked": named as BEGIN, not the write
                raise DBAPIError.instance(self._begin, (), exc, self._error, dialect=self.dialect) from exc
            self._open = True
        try:
            cursor.execute(sql, args)
            found = cursor.fetchall() if cursor.description is not None else []
            return found, cursor.rowcount
        except self._error as exc:
            raise DBAPIError.instance(sql, args, exc, self._error, dialect=self.dialect) from exc

    def __exit__(self, exc_type, exc, _tb) -> None:
        held, self._held = self._held, None
        if exc_type is None:
            if self._open:
                try:
                    held.cursor.execute("COMMIT")
                except self._error as failed:
                    self._end(held, failed)
                    raise DBAPIError.instance("COMMIT", (), failed, self._error, dialect=self.dialect) from failed
                self._open = False
                _count_commit(None)  # the "commit" event counts SQLAlchemy's commits, not this one
            return
        self._end(held, exc.orig if isinstance(exc, DBAPIError) else exc)

    def _end(self, held: _Held, cause: BaseException) -> None:
        """Roll back what was begun; throw the connection away if it is broken or will not roll back."""
        if self._open:
            self._open = False
            try:
                held.cursor.execute("ROLLBACK")
            except self._error:
                _discard(self.engine)
                return
        if isinstance(cause, self._error) and self.dialect.is_disconnect(cause, held.raw.dbapi_connection, None):
            _discard(self.engine)


def rows(conn, query: Prebuilt, params: dict) -> list[tuple]:
    """`query`'s rows through a hop's `Reader`, or through a SQLAlchemy connection (a transaction,
    a test, a command) as any other statement."""
    if isinstance(conn, Reader):
        return conn.rows(query, params)
    return conn.execute(query.statement, params).all()


_commits = 0


@event.listens_for(Engine, "commit")
def _count_commit(_conn) -> None:
    global _commits
    _commits += 1  # under the GIL; a lost increment between threads still moves the count


def commits() -> int:
    """Commits so far in this process (any engine): a per-hop cache compares it to know whether a
    change may have made what it read stale."""
    return _commits

