"""A broadcast survives its worker (issue 17): a real worker process (`flask --app gateway worker`) is
SIGKILLed while a provider call is in flight, a second one takes over, and the fake Africa's Talking
server counts what each follower received: every follower exactly once (zero duplicates, zero
misses). No timing is asserted; the waits only bound how long a broken build takes to fail."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from commerce import broadcasts, demo, listings
from commerce.models import BroadcastRecipient, Follower, Person, utcnow
from config import ROOT
from tests.fakes import AT_API_KEY, AT_USERNAME

BIN = Path(sys.executable).parent
SELLER = "+254711000001"
FOLLOWERS = 3000
RATE = 500  # SMS a second: six calls of 500, about a second apart


@pytest.fixture
def worker(settings, fake_providers):
    env = {**os.environ, "DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url,
           "SMS_BACKEND": "africastalking", "AT_USERNAME": AT_USERNAME, "AT_API_KEY": AT_API_KEY,
           "AT_API_URL": fake_providers.url, "BROADCAST_HOURS": "00:00-24:00", "BROADCAST_SUNDAYS": "true",
           "SMS_RATE_PER_SECOND": str(RATE)}
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        proc = subprocess.Popen([str(BIN / "flask"), "--app", "gateway", "worker"], cwd=ROOT, env=env,
                                start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def _wait(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"waited {seconds:g} s for {what}")


def test_a_worker_killed_mid_call_is_resumed_with_every_follower_reached_once(settings, db_engine, fake_providers,
                                                                            worker):
    numbers = [f"+2547{20_000_000 + i:08d}" for i in range(FOLLOWERS)]
    with db_engine.begin() as conn:
        demo.seed(conn)
        seller = listings.seller_of(conn, SELLER)
        conn.execute(insert(Person.__table__), [{"phone": p, "language": "en", "currency": "KES", "opted_out": False}
                                                for p in numbers])
        ids = conn.execute(select(Person.__table__.c.id).where(Person.__table__.c.phone.in_(numbers))).scalars().all()
        conn.execute(insert(Follower.__table__), [{"seller_id": seller.id, "person_id": pid, "tz": "Africa/Nairobi",
                                                   "source": "sms", "followed_at": utcnow()} for pid in ids])
        owner = broadcasts.Owner(seller.id, seller.shop_name, seller.currency, SELLER)
        preview = broadcasts.preview(conn, owner, "Market day on Friday", "en", settings)
        code = preview.rsplit("YES ", 1)[1].split()[0]
        assert broadcasts.confirm(conn, owner, code, "en", settings).startswith("Sending news")

    def calls():
        return [r for r in fake_providers.requests_to("/version1/messaging")
                if r["form"]["message"].startswith("Market day on Friday")]

    first = worker()
    _wait(lambda: len(calls()) >= 2, 60, "the first worker's first calls")
    fake_providers.delay(1.5)  # the next call is held at the provider ...
    made = len(calls())
    _wait(lambda: len(calls()) > made, 30, "a call in flight")
    os.killpg(first.pid, signal.SIGKILL)  # ... and its worker dies before the answer
    first.wait()
    fake_providers.delay(0)
    with db_engine.connect() as conn:
        R = BroadcastRecipient.__table__
        killed = set(conn.execute(select(R.c.id).where(R.c.status == "sending")).scalars())
    in_flight = len(killed)
    assert 0 < in_flight <= RATE  # one call's rows claimed, their answer never recorded

    worker()  # the replacement picks up from the database

    def finished():
        with db_engine.connect() as conn:
            left = set(conn.execute(select(R.c.id).where(R.c.status.in_(("pending", "sending", "unconfirmed"))))
                       .scalars())
        return left == killed

    _wait(finished, 120, "the second worker to send the rest")

    got = Counter(n for r in calls() for n in r["form"]["to"].split(","))
    assert [n for n, k in got.items() if k > 1] == []  # zero duplicates at the provider
    assert sorted(got) == sorted(numbers)  # zero misses
    with db_engine.connect() as conn:
        statuses = dict(conn.execute(select(R.c.status, func.count()).group_by(R.c.status)).all())
    # The call in flight at the kill reached the provider, but Soko never heard its answer: those rows
    # stay `sending` (`unconfirmed` after a minute), never sent again; every other row is `sent`.
    assert statuses.pop("sent") == FOLLOWERS - in_flight and sum(statuses.values()) == in_flight
    assert set(statuses) <= {"sending", "unconfirmed"}
