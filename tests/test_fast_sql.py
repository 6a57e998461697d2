"""fast.sql.Reader: read connections kept from hop to hop (not per thread: none is closed when a
thread ends), never left in autocommit in SQLAlchemy's pool, and closed with their engine."""

from __future__ import annotations

import gc
import threading

import pytest
from sqlalchemy import select

from commerce import db
from commerce.models import Person
from fast import sql

PEOPLE = Person.__table__
_LANGUAGE = sql.Prebuilt(select(PEOPLE.c.language).where(PEOPLE.c.phone == "+254700000001"))


def _read_in_a_thread(engine) -> None:
    done = threading.Thread(target=lambda: sql.Reader(engine).rows(_LANGUAGE, {}))
    done.start()
    done.join()
    gc.collect()


def test_a_transaction_after_readers_on_ended_threads_still_rolls_back(db_engine, clean):
    """Readers on threads that ended (a thread-per-request server) leave nothing in the pool that
    would run a writer's statements in autocommit."""
    for _ in range(6):  # more than the pool keeps idle
        _read_in_a_thread(db_engine)
    with pytest.raises(RuntimeError), db_engine.begin() as conn:
        conn.execute(PEOPLE.insert().values(phone="+254700000001", language="sw", currency="KES",
                                            opted_out=False))
        raise RuntimeError("roll it back")
    with db_engine.connect() as conn:
        assert conn.execute(select(PEOPLE.c.id)).all() == []


def test_a_connection_outlives_the_thread_that_read_on_it(db_engine, clean):
    """A thread-per-request server's threads end (granian ends idle ones): the next thread reads on
    the same connection, and nothing was closed when the first thread ended."""
    _read_in_a_thread(db_engine)
    [held] = sql._spare.conns[db_engine]
    _read_in_a_thread(db_engine)
    assert sql._spare.conns[db_engine] == [held]
    assert held.cursor.execute("SELECT 1").fetchall() == [(1,)]  # still open


def test_dispose_closes_the_spare_read_connections(database_url, clean):
    engine = db.make_engine(database_url)
    reader = sql.Reader(engine)
    assert reader.rows(_LANGUAGE, {}) == []
    [held] = sql._spare.conns[engine]
    engine.dispose()
    assert engine not in sql._spare.conns
    if engine.dialect.name == "postgresql":
        assert held.raw.dbapi_connection.closed
    with pytest.raises(engine.dialect.loaded_dbapi.Error):  # closed
        held.raw.dbapi_connection.cursor().execute("SELECT 1")
    assert reader.rows(_LANGUAGE, {}) == []  # the next read opens another
    engine.dispose()
