"""The engine (one per process) and the connection for a hop's reads. The prebuilt statements a
hop repeats (Reader, Writer) are fast/sql.py's."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import create_engine, event, make_url
from sqlalchemy.engine import Engine


def make_engine(url: str) -> Engine:
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
    return create_engine(
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
