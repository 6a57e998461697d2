"""fast.sql.Reader: each thread's own read connection, kept from hop to hop, never lent to a
writer, and closed with its thread or its engine."""

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


def test_dispose_closes_the_threads_read_connection(database_url, clean):
    engine = db.make_engine(database_url)
    reader = sql.Reader(engine)
    assert reader.rows(_LANGUAGE, {}) == []
    held = sql._pinned.conns[engine]
    engine.dispose()
    assert engine not in sql._pinned.conns
    if engine.dialect.name == "postgresql":
        assert held.raw.dbapi_connection.closed
    with pytest.raises(engine.dialect.loaded_dbapi.Error):  # closed
        held.raw.dbapi_connection.cursor().execute("SELECT 1")
    assert reader.rows(_LANGUAGE, {}) == []  # the next read opens another
    engine.dispose()
