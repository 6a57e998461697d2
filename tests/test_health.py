"""GET /healthz: 200 when Redis and the database answer, 503 (quickly) when either does not."""

from __future__ import annotations

import socket
import threading
import time

import pytest


def test_healthy(client):
    res = client.get("/healthz")
    assert res.status_code == 200
    body = res.get_json()
    assert body["status"] == "ok"
    assert body["redis"]["ok"] is True and body["database"]["ok"] is True
    assert body["queues"] == {name: {"queued": 0, "failed": 0} for name in ("payments", "sms", "orders", "bulk")}
    assert res.headers["Cache-Control"] == "no-store"


def test_queue_depths_show(app, client):
    from rq import Queue

    Queue("sms", connection=app.extensions["soko"].redis).enqueue("workers.sms.send_messages", [1])
    assert client.get("/healthz").get_json()["queues"]["sms"] == {"queued": 1, "failed": 0}


def test_redis_stopped_answers_503_within_a_second(make_app):
    from bootstrap.redis_client import start_valkey

    server = start_valkey()
    try:
        client = make_app(redis_url=server.connection_url).test_client()
        assert client.get("/healthz").status_code == 200
    finally:
        server.stop()
    started = time.monotonic()
    res = client.get("/healthz")
    elapsed = time.monotonic() - started
    assert res.status_code == 503
    body = res.get_json()
    assert body["status"] == "down" and body["redis"]["ok"] is False and body["redis"]["error"]
    assert body["database"]["ok"] is True and body["queues"] is None
    assert elapsed < 1.0  # the contract load balancers rely on, not a benchmark


@pytest.fixture
def silent_server():
    """A TCP server that accepts connections and never answers: a hung Redis."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held, stop = [], threading.Event()

    def accept():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def test_hung_redis_answers_503_within_a_second(make_app, silent_server):
    client = make_app(redis_url=silent_server).test_client()
    started = time.monotonic()
    res = client.get("/healthz")
    assert res.status_code == 503 and res.get_json()["redis"]["ok"] is False
    assert time.monotonic() - started < 1.0


def test_database_unreachable_answers_503(make_app, tmp_path):
    client = make_app(database_url=f"sqlite:///{tmp_path}/no/such/dir/soko.db").test_client()
    res = client.get("/healthz")
    assert res.status_code == 503
    body = res.get_json()
    assert body["database"]["ok"] is False and body["redis"]["ok"] is True
