"""fast/redis_hop.py: a hop's commands on one pooled connection, against the real server."""

from __future__ import annotations

import gc
import threading

import pytest
import redis

from bootstrap.redis_client import connect
from fast.redis_hop import HopConnection


def test_an_error_reply_keeps_the_connection_in_step(redis_url, clean):
    client = connect(redis_url)
    client.set("text", "x")
    with HopConnection(client) as io:
        assert io.command("SET", "a", "1", "EX", 60) == b"OK"
        with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
            io.command("RPUSH", "text", "y")
        assert io.command("MGET", "a", "text") == [b"1", b"x"]  # the next reply is this command's own
    assert client.ttl("a") > 0
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


def test_a_thread_keeps_its_connection_and_gives_it_back_when_it_ends(redis_url, clean):
    client = connect(redis_url)
    seen: dict[str, list] = {"first": [], "second": []}

    def hops(name):
        for _ in range(2):
            with HopConnection(client) as io:
                seen[name].append(io.command("CLIENT", "ID"))

    for name in seen:  # one thread after the other, as a thread-per-request server runs them
        worker = threading.Thread(target=hops, args=(name,))
        worker.start()
        worker.join()
        gc.collect()
    assert seen["first"][0] == seen["first"][1]  # kept from hop to hop
    assert seen["second"] == seen["first"]  # given back to the pool when its thread ended
    client.close()
