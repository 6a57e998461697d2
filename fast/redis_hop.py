"""A hop's Redis I/O: its read and its write on one connection from the client's own pool.

A hop makes two Redis commands (read the session and the catalog token, write the session). Going
through `redis.Redis` each command also pays a pool checkout and release, a retry wrapper and
redis-py 8's observability hooks: about half the CPU of the command itself (`bench.hops`). Here
each thread keeps one connection out of the same pool (same server, timeouts, Sentinel) from hop
to hop, and speaks on it directly, with the client's one retry on a broken connection: a hop's
first command is a read, so a connection that died while idle is replaced there.
"""

from __future__ import annotations

import os
import threading
import weakref

import redis
from redis.exceptions import ConnectionError, TimeoutError


class _Kept:
    """A thread's connection, checked out of its pool once; given back when the thread ends (a
    thread-per-request server checks one out per request, as it did before)."""

    __slots__ = ("pool", "conn", "pid", "__weakref__")

    def __init__(self, pool):
        self.pool, self.conn, self.pid = pool, pool.get_connection(), os.getpid()

    def __del__(self):
        if self.pid == os.getpid():  # never hand a forked parent's socket to this process's pool
            try:
                self.pool.release(self.conn)
            except Exception:  # noqa: BLE001 - at thread exit or interpreter shutdown: nothing to tell
                pass


class _Threads(threading.local):
    def __init__(self):
        self.kept: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # pool -> _Kept


_threads = _Threads()


class HopConnection:
    """`with HopConnection(client) as io: io.command("GET", key)`, on this thread's connection to
    the client's server. A command that leaves the connection in doubt closes it; the next one
    opens it again."""

    __slots__ = ("_pool", "_conn")

    def __init__(self, client: redis.Redis):
        self._pool = client.connection_pool
        self._conn = None

    def __enter__(self) -> HopConnection:
        kept = _threads.kept.get(self._pool)
        if kept is None or kept.pid != os.getpid():
            kept = _threads.kept[self._pool] = _Kept(self._pool)
        self._conn = kept.conn
        return self

    def __exit__(self, *exc) -> None:
        self._conn = None

    def command(self, *args):
        conn = self._conn
        try:
            conn.send_command(*args)
            return conn.read_response()
        except (ConnectionError, TimeoutError):
            conn.disconnect()  # a reply may be on its way: never read it as the next one's
            conn.send_command(*args)  # reconnects; a second failure is the hop's (an apology)
            try:
                return conn.read_response()
            except BaseException:
                conn.disconnect()
                raise
        except redis.ResponseError:
            raise  # Redis answered: the connection is in step
        except BaseException:
            conn.disconnect()
            raise
