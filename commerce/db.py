"""Engine and session factory. One engine per process; sessions are short units of work."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 0.5}, pool_size=8, max_overflow=8)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            # WAL lets readers run beside the one writer; a short busy timeout keeps a hop under a
            # second when the file is locked; foreign keys are off by default in SQLite.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=500")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    # A dead database must fail a hop in about a second, not hang it.
    return create_engine(
        url,
        pool_size=5,
        max_overflow=5,
        pool_timeout=1,
        pool_pre_ping=False,
        connect_args={"connect_timeout": 1, "options": "-c statement_timeout=2000"},
    )


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]):
    """A unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session
