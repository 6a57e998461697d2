"""fast.sql.Reader: read connections kept from hop to hop (not per thread: none is closed when a
thread ends), never left in autocommit in SQLAlchemy's pool, and closed with their engine."""

from __future__ import annotations

import gc
import os
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


def test_a_forked_child_never_closes_its_parents_connections(db_engine, clean):
    """A child reads on a connection of its own; the parent's, inherited, are left alone (closing
    one in the child would end the parent's session on the server: the socket is shared)."""
    reader = sql.Reader(db_engine)
    assert reader.rows(_LANGUAGE, {}) == []
    [parents] = [id(held) for held in sql._spare.conns[db_engine]]  # no reference kept into the child
    pid = os.fork()
    if pid == 0:  # the child: its own connection, then everything it dropped collected
        try:
            ok = reader.rows(_LANGUAGE, {}) == [] and [id(h) for h in sql._spare.conns[db_engine]] != [parents]
            gc.collect()
        finally:
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert [id(held) for held in sql._spare.conns[db_engine]] == [parents]
    assert reader.rows(_LANGUAGE, {}) == []  # the parent's connection still works
