"""The prebuilt SQL layer: a hop's hot statements compiled once per dialect and run straight on
the DBAPI cursor of a connection kept for them (`Reader` for reads outside any transaction,
`Writer` for a unit of work that begins at its first write), and a count of commits for per-hop
caches. What it buys, measured: fast/__init__.py.

It expects the engine's SQLite connections never to BEGIN by themselves (`isolation_level = None`,
as commerce.db.make_engine sets); on PostgreSQL it turns its connections to autocommit.
"""

from __future__ import annotations

import os
import threading
import weakref

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError


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


class _Spare:
    """The process's connections not in use, per engine (weakly held: a disposed app's go with it),
    and the process they were opened in (a forked child opens its own).

    Not thread-locals: a connection belongs to no thread, so nothing has to be closed when a
    thread ends. granian ends its idle blocking threads (after 30 s without work), and a database
    connection finalised during that thread's teardown crashed the whole worker process
    (SIGSEGV in libpython: tests/test_multiprocess.py reproduces it with idle threads). A hop
    takes a connection for a read or a transaction and gives it back; the list is only ever as
    long as the most hops that ran at once."""

    def __init__(self):
        self.pid = os.getpid()
        self.conns: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # engine -> [_Held]
        self.lock = threading.Lock()  # only to add an engine's list
        self.parents: list = []  # a forked child's inherited connections (see _spare_list)


_spare = _Spare()


class _Held:
    """A connection of ours, detached from the pool: it never goes back to it (its autocommit
    setting must not reach a SQLAlchemy unit of work), and it is closed when the engine goes or
    it fails. Between a Reader's read and a Writer's transaction nothing is left open on it."""

    __slots__ = ("raw", "cursor")

    def __init__(self, raw):
        raw.detach()
        self.raw, self.cursor = raw, raw.cursor()

    def close(self) -> None:
        try:
            # The driver's own close: nothing to roll back (no transaction is ever left open), and
            # at interpreter shutdown the pool's reset path may already be gone.
            self.raw.dbapi_connection.close()
        except Exception:  # noqa: BLE001 - at interpreter shutdown: nothing to tell
            pass

    __del__ = close


def _spare_list(engine: Engine) -> list[_Held]:
    spare = _spare
    if spare.pid != os.getpid():  # never use a connection the parent process opened
        with spare.lock:
            if spare.pid != os.getpid():
                # The parent's connections are kept, never closed here: closing one would end
                # the parent's session on the server too (the socket is shared).
                spare.parents.append(spare.conns)
                spare.pid, spare.conns = os.getpid(), weakref.WeakKeyDictionary()
    free = spare.conns.get(engine)
    if free is None:
        with spare.lock:
            free = spare.conns.setdefault(engine, [])
    return free


def _take(engine: Engine) -> _Held:
    """A spare connection to `engine`, or a new one (PostgreSQL's in autocommit; SQLite's never
    BEGINs by itself, make_engine)."""
    try:
        return _spare_list(engine).pop()  # atomic under the GIL: no two threads get the same one
    except IndexError:
        pass
    raw = engine.raw_connection()
    if engine.dialect.name == "postgresql":
        raw.driver_connection.autocommit = True
    return _Held(raw)


def _give(engine: Engine, held: _Held) -> None:
    _spare_list(engine).append(held)


@event.listens_for(Engine, "engine_disposed")
def _close_spare(engine: Engine) -> None:
    """`engine.dispose()` closes our spare connections to it too: an app that is done with its
    engine, as a test's, leaves no connection open."""
    free = _spare.conns.pop(engine, None) or []
    while free:
        free.pop().close()


class Reader:
    """A hop's reads on a DBAPI connection outside any transaction (PostgreSQL in autocommit,
    SQLite without BEGIN): each query sees what is committed, with no BEGIN or ROLLBACK round trip
    and none of SQLAlchemy's per-statement work. Errors come out as SQLAlchemy's, like any other
    query's.

    The connection is one of our spare ones (`_Held`), taken and given back around the read:
    checking one out of SQLAlchemy's pool and back costs more than the indexed read itself. Nothing is ever left open on it (no
    transaction, no unread rows: WAL checkpoints and PostgreSQL's locks are never held up), and a
    connection that fails is thrown away and the next read opens another."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.dialect = engine.dialect

    def rows(self, query: Prebuilt, params: dict) -> list[tuple]:
        sql, args = query.sql(self.dialect, params)
        error, held = self.dialect.loaded_dbapi.Error, None
        try:
            held = _take(self.engine)
            held.cursor.execute(sql, args)
            found = held.cursor.fetchall()
        except error as exc:
            if held is not None:
                held.close()  # a failed connection is thrown away; the next read opens another
            raise DBAPIError.instance(sql, args, exc, error, dialect=self.dialect) from exc
        _give(self.engine, held)
        return found

    def close(self) -> None:
        """Nothing to give back: the connection stays with the thread for its next hop."""


class PrebuiltWrite(Prebuilt):
    """An INSERT or UPDATE (RETURNING or not) a hop repeats, compiled once per dialect and run by
    `Writer` (or a SELECT that compares with stored values of such types). Unlike `Prebuilt`, its
    values go through the column types' bind processors, so they are stored exactly as SQLAlchemy
    stores them (SQLite: datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff'
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
    """One write transaction on a spare DBAPI connection (as `Reader` uses), for a unit of work a
    hop repeats (placing an order): `Prebuilt`/`PrebuiltWrite` statements, COMMIT, or ROLLBACK on
    any error, with none of SQLAlchemy's per-statement work and no pool checkout. Errors come out
    as SQLAlchemy's (a unique violation is still an IntegrityError); a connection that failed is
    thrown away, and the next read or write opens another.

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
            self._held = _take(self.engine)
        except self._error as exc:
            raise DBAPIError.instance("connect", (), exc, self._error, dialect=self.dialect) from exc
        return self

    def rows(self, statement: Prebuilt, params: dict) -> list[tuple]:
        """The statement's rows (a SELECT, or RETURNING); [] when it returns none."""
        return self._execute(statement, params)[0]

    def run(self, statement: Prebuilt, params: dict) -> int:
        """Execute it; the number of rows it changed."""
        return self._execute(statement, params)[1]

    def alone(self, statement: PrebuiltWrite, params: dict) -> list[tuple]:
        """A write that is a whole transaction by itself (PostgreSQL: one statement in autocommit,
        a data-modifying WITH included, is atomic): no BEGIN and no COMMIT round trip. Its rows."""
        if self._open:
            raise RuntimeError("Writer.alone is for a write with no transaction begun")
        sql, args = statement.sql(self.dialect, params)
        cursor = self._held.cursor
        try:
            cursor.execute(sql, args)
            found = cursor.fetchall() if cursor.description is not None else []
        except self._error as exc:
            raise DBAPIError.instance(sql, args, exc, self._error, dialect=self.dialect) from exc
        _count_commit(None)
        return found

    def _execute(self, statement: Prebuilt, params: dict) -> tuple[list[tuple], int]:
        sql, args = statement.sql(self.dialect, params)
        cursor = self._held.cursor
        if not self._open and statement.statement.is_dml:  # a write: BEGIN first
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
            _give(self.engine, held)
            return
        self._end(held, exc.orig if isinstance(exc, DBAPIError) else exc)

    def _end(self, held: _Held, cause: BaseException) -> None:
        """Roll back what was begun; throw the connection away if it is broken or will not roll
        back, else give it back."""
        if self._open:
            self._open = False
            try:
                held.cursor.execute("ROLLBACK")
            except self._error:
                held.close()
                return
        if isinstance(cause, self._error) and self.dialect.is_disconnect(cause, held.raw.dbapi_connection, None):
            held.close()
            return
        _give(self.engine, held)


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

