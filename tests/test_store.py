"""menus/store.py: a hop's commands on one pooled connection, against the real server."""

from __future__ import annotations

import redis

from gateway.redis_client import connect
from menus.store import HopConnection


def test_commands_and_a_pipeline_with_an_error_reply_keep_the_connection_in_step(redis_url, clean):
    client = connect(redis_url)
    client.set("text", "x")
    with HopConnection(client) as io:
        assert io.command("SET", "a", "1", "EX", 60) == b"OK"
        replies = io.pipeline([("SET", "b", "2", "EX", 60), ("RPUSH", "text", "y"), ("GET", "b")])
        assert replies[0] == b"OK" and replies[2] == b"2"
        assert isinstance(replies[1], redis.ResponseError) and "WRONGTYPE" in str(replies[1])
        assert io.command("MGET", "a", "b") == [b"1", b"2"]  # the next reply is this command's own
    assert client.ttl("b") > 0 and client.get("text") == b"x"
    client.close()


def test_a_connection_broken_between_hops_is_replaced_at_the_next(redis_url, clean):
    client = connect(redis_url)
    with HopConnection(client) as io:
        io.command("SET", "a", "1")
        pooled = io.command("CLIENT", "ID")
    client.client_kill_filter(_id=pooled)  # the pooled connection is cut while idle
    with HopConnection(client) as io:
        assert io.command("GET", "a") == b"1"
    client.close()
