"""The Procfile's worker as a process manager sees it: `flask --app gateway worker --processes 2`
restarts a child that dies, takes its children with it when it is killed (no orphan worker or
scheduler left), stops cleanly on SIGTERM, and the order work of a killed worker is not lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from commerce.models import Message
from config import ROOT

pytestmark = pytest.mark.integration


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(stat.parent.name))
    return sorted(out)


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait(predicate, seconds: float = 20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.1)
    return predicate()


@pytest.fixture
def pool(settings, tmp_path):
    env = {**os.environ, "DATABASE_URL": settings.database_url.replace("postgresql+psycopg://", "postgresql://"),
           "REDIS_URL": settings.redis_url}
    log = open(tmp_path / "worker.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "gateway", "worker", "--processes", "2"],
                            cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
    yield proc
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    log.close()


@pytest.mark.skipif(not Path("/proc").exists(), reason="reads /proc (Linux)")
def test_a_dead_child_is_replaced_and_sigterm_stops_all(pool):
    first = _wait(lambda: len(_children(pool.pid)) == 2 and _children(pool.pid))
    assert len(first) == 2, "the supervisor did not start two workers"
    os.kill(first[0], signal.SIGKILL)
    again = _wait(lambda: (c := _children(pool.pid)) and len(c) == 2 and first[0] not in c and c)
    assert again and first[1] in again, "the killed worker was not replaced"
    pool.send_signal(signal.SIGTERM)
    assert pool.wait(timeout=30) == 0
    assert not any(_alive(pid) for pid in again)


@pytest.mark.skipif(not Path("/proc").exists(), reason="reads /proc (Linux)")
def test_killing_the_supervisor_takes_its_workers_with_it(pool, app, settings):
    """SIGKILL to the supervisor (a process manager's last resort): its workers die with it, so the
    next start is the only worker; an order's notices still get written, by the next start."""
    children = _wait(lambda: len(_children(pool.pid)) == 2 and _children(pool.pid))
    assert len(children) == 2
    pool.send_signal(signal.SIGKILL)
    pool.wait()
    assert _wait(lambda: not any(_alive(pid) for pid in children), 5), "a worker outlived its supervisor"

    from commerce import demo
    from commerce.orders import place_order
    from tests.orderkit import agent_id, product_id

    s = app.extensions["soko"]
    with s.db.begin() as conn:
        demo.seed(conn)
    # By name: PostgreSQL's sequences are not reset by the wipe between tests, so ids are not 1.
    placed = place_order(s.db, phone="+254712345678", product_id=product_id(s.db, "Maize flour 2kg"), quantity=1,
                         agent_id=agent_id(s.db, "Kiambu"), method="cash", request_key=None,
                         payment_window_minutes=60)
    assert placed.ok, placed.error
    env = {**os.environ, "DATABASE_URL": settings.database_url.replace("postgresql+psycopg://", "postgresql://"),
           "REDIS_URL": settings.redis_url}
    again = subprocess.Popen([sys.executable, "-m", "flask", "--app", "gateway", "worker", "--processes", "2"],
                             cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    try:
        M = Message.__table__

        def told():
            with s.db.connect() as conn:
                rows = conn.execute(select(M.c.status).where(M.c.order_id == placed.order_id)).scalars().all()
            return len(rows) == 3 and all(r == "recorded" for r in rows)  # receipt, seller, agent

        assert _wait(told, 30), "the buyer, seller and agent of the order were not told"
    finally:
        again.send_signal(signal.SIGTERM)
        assert again.wait(timeout=30) == 0
