"""A hop's Redis I/O: its read and its write on one connection from the client's own pool.

A hop makes two Redis commands (read the session and the catalog token, write the session). Going
through `redis.Redis` each command also pays a pool checkout and release, a retry wrapper and
redis-py 8's observability hooks: about half the CPU of the command itself (`bench.hops`). Here
the hop checks one connection out of the same pool (same server, timeouts, Sentinel, a dead socket
replaced at checkout) and speaks on it directly, with the client's one retry on a broken
connection.
"""

from __future__ import annotations

import redis
from redis.exceptions import ConnectionError, TimeoutError


class HopConnection:
    """`with HopConnection(client) as io: io.command("GET", key)`; the connection goes back to
    the pool at the end, or is closed if a command left it in doubt."""

    __slots__ = ("_pool", "_conn")

    def __init__(self, client: redis.Redis):
        self._pool = client.connection_pool
        self._conn = None

    def __enter__(self) -> HopConnection:
        self._conn = self._pool.get_connection()
        return self

    def __exit__(self, *exc) -> None:
        conn, self._conn = self._conn, None
        self._pool.release(conn)

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

    def pipeline(self, commands: list[tuple]) -> list:
        """Several commands in one round trip; their replies, an error reply as its exception. Not
        retried (a second RPUSH would push twice): a broken connection fails the hop."""
        conn = self._conn
        try:
            conn.send_packed_command(conn.pack_commands(commands))
            replies = []
            for _ in commands:
                try:
                    replies.append(conn.read_response())
                except redis.ResponseError as exc:
                    replies.append(exc)  # Redis answered: the next reply is still in step
            return replies
        except BaseException:
            conn.disconnect()
            raise
