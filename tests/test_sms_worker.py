"""Outbound SMS through the worker: RQ workers in burst mode, the real africastalking / twilio SDKs,
the local fake provider server (tests/fakes.py) recording what they send. Nothing is patched."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from rq import SimpleWorker
from sqlalchemy import insert, select, update

from commerce import outbox
from commerce.models import Message, Person, utcnow
from config import ROOT
from tests.fakes import (
    AT_API_KEY,
    AT_USERNAME,
    TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN,
    TWILIO_FROM_NUMBER,
    sms_segments,
)
from workers import runtime
from workers import sms as worker_sms

M, PE = Message.__table__, Person.__table__
NUMBERS = ["+254711000001", "+254711000002", "+255754000003"]


def _use(app):
    s = app.extensions["soko"]
    runtime.use(s)  # the app's bootstrap runtime, as a worker's
    return app


@pytest.fixture
def at_app(make_app, fake_providers):
    app = _use(make_app(sms_backend="africastalking", at_username=AT_USERNAME, at_api_key=AT_API_KEY,
                        at_sender_id="SOKO", at_api_url=fake_providers.url))
    yield app
    runtime.use(None)


@pytest.fixture
def twilio_app(make_app, fake_providers):
    app = _use(make_app(sms_backend="twilio", twilio_account_sid=TWILIO_ACCOUNT_SID,
                        twilio_auth_token=TWILIO_AUTH_TOKEN, twilio_from_number=TWILIO_FROM_NUMBER,
                        twilio_api_url=fake_providers.url, public_url="https://soko.example"))
    yield app
    runtime.use(None)


def queue_messages(app, items, notify=True) -> list[int]:
    """Outbox rows (to, body), written in one transaction and handed to the worker after commit."""
    s = app.extensions["soko"]
    with s.db.begin() as conn:
        ids = [outbox.add(conn, to, body) for to, body in items]
    if notify:
        s.jobs.notify(ids)
    return ids


def work(app) -> None:
    s = app.extensions["soko"]
    SimpleWorker([s.jobs.q["sms"]], connection=s.redis).work(burst=True)


def rows(app, ids=None):
    with app.extensions["soko"].db.connect() as conn:
        q = select(M).order_by(M.c.id)
        if ids is not None:
            q = q.where(M.c.id.in_(ids))
        return conn.execute(q).all()


def scheduled_sends(app) -> list:
    """send_messages jobs waiting in RQ's scheduled registry (retries), not the periodic sweep."""
    queue = app.extensions["soko"].jobs.q["sms"]
    jobs = [queue.fetch_job(i) for i in queue.scheduled_job_registry.get_job_ids()]
    return [j for j in jobs if j.func_name == "workers.sms.send_messages"]


def at_sends(fake):
    return [r["form"] for r in fake.requests_to("/version1/messaging")]


def test_same_text_goes_out_in_one_africastalking_call(at_app, fake_providers):
    ids = queue_messages(at_app, [(n, "Market day is Friday.") for n in NUMBERS] + [(NUMBERS[0], "Order 4829131 is paid.")])
    work(at_app)

    sends = at_sends(fake_providers)
    assert len(sends) == 2
    bulk = next(f for f in sends if f["message"] == "Market day is Friday.")
    assert bulk["to"].split(",") == NUMBERS and bulk["username"] == AT_USERNAME and bulk["from"] == "SOKO"
    assert all(r.status == "sent" and r.provider == "africastalking" and r.provider_id.startswith("ATXid_")
               and r.attempts == 1 and r.sent_at is not None for r in rows(at_app, ids))


def test_a_delivery_report_for_a_sent_message_marks_it_delivered(at_app, fake_providers):
    [mid] = queue_messages(at_app, [(NUMBERS[0], "Hello")])
    work(at_app)
    provider_id = rows(at_app, [mid])[0].provider_id
    res = at_app.test_client().post("/sms/africastalking/delivery", data={"id": provider_id, "status": "Success"})
    assert res.status_code == 200 and rows(at_app, [mid])[0].status == "delivered"


def test_twilio_sends_one_call_per_recipient_with_a_status_callback(twilio_app, fake_providers):
    ids = queue_messages(twilio_app, [(n, "Market day is Friday.") for n in NUMBERS[:2]])
    work(twilio_app)

    calls = fake_providers.requests_to("/Messages.json")
    assert [c["form"]["To"] for c in calls] == NUMBERS[:2]
    assert all(c["auth"] == (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN) for c in calls)
    assert all(c["form"]["StatusCallback"] == "https://soko.example/sms/twilio/status" for c in calls)
    assert all(r.status == "sent" and r.provider == "twilio" and r.provider_id.startswith("SM")
               for r in rows(twilio_app, ids))


def test_outbox_backend_records_and_sends_nothing(app, fake_providers):
    _use(app)
    try:
        ids = queue_messages(app, [(NUMBERS[0], "Hello")])
        work(app)
        assert rows(app, ids)[0].status == "recorded"
        assert fake_providers.requests == []
    finally:
        runtime.use(None)


def test_a_passing_failure_is_retried_with_backoff_and_sent_once(at_app, fake_providers):
    ids = queue_messages(at_app, [(n, "Hello") for n in NUMBERS])
    fake_providers.fail_next(1, status=503)
    work(at_app)

    after_failure = rows(at_app, ids)
    assert all(r.status == "pending" and r.attempts == 1 and "503" in r.error for r in after_failure)
    queue = at_app.extensions["soko"].jobs.q["sms"]
    [job] = scheduled_sends(at_app)  # RQ's Retry: back in 5 seconds, via the worker's scheduler
    queue.scheduled_job_registry.remove(job)
    queue.enqueue_job(job)  # what the scheduler does when the 5 seconds are up
    work(at_app)

    assert all(r.status == "sent" and r.attempts == 2 for r in rows(at_app, ids))
    assert [f["to"] for f in at_sends(fake_providers)] == [",".join(NUMBERS)] * 2  # failed once, sent once


def test_permanent_failures_are_not_retried(at_app, fake_providers):
    fake_providers.reject_numbers = {NUMBERS[1]}
    ids = queue_messages(at_app, [(n, "Hello") for n in NUMBERS])
    work(at_app)
    status = [r.status for r in rows(at_app, ids)]
    assert status == ["sent", "failed", "sent"]
    assert scheduled_sends(at_app) == []


def test_bad_credentials_fail_without_retry(make_app, fake_providers):
    app = _use(make_app(sms_backend="africastalking", at_username=AT_USERNAME, at_api_key="wrong",
                        at_api_url=fake_providers.url))
    try:
        ids = queue_messages(app, [(NUMBERS[0], "Hello")])
        work(app)
        [row] = rows(app, ids)
        assert row.status == "failed" and "401" in row.error
    finally:
        runtime.use(None)


def test_a_job_run_twice_sends_once(at_app, fake_providers):
    ids = queue_messages(at_app, [(NUMBERS[0], "Hello")], notify=False)
    assert worker_sms.send_messages(ids) == {"sent": 1}
    assert worker_sms.send_messages(ids) == {}
    assert len(at_sends(fake_providers)) == 1


def test_a_message_over_the_budget_is_cut_to_three_segments(at_app, fake_providers):
    queue_messages(at_app, [(NUMBERS[0], "word " * 200)])
    work(at_app)
    [sent] = at_sends(fake_providers)
    assert sms_segments(sent["message"]) == 3 and sent["message"].endswith("..")


def test_numbers_that_stopped_after_queueing_get_nothing_but_replies(at_app, fake_providers):
    s = at_app.extensions["soko"]
    with s.db.begin() as conn:
        notice = outbox.add(conn, NUMBERS[0], "Notice")
        reply = outbox.add(conn, NUMBERS[0], "You will get no more Soko messages.", kind="reply", force=True)
        conn.execute(insert(PE).values(phone=NUMBERS[0], language="en", currency="KES", opted_out=True))
    s.jobs.notify([notice, reply])
    work(at_app)
    assert [r.status for r in rows(at_app, [notice, reply])] == ["skipped", "sent"]


def _backdate(app, ids, minutes):
    with app.extensions["soko"].db.begin() as conn:
        conn.execute(update(M).where(M.c.id.in_(ids)).values(updated_at=utcnow() - timedelta(minutes=minutes)))


def test_the_sweep_requeues_lost_messages_after_their_backoff(at_app, fake_providers):
    lost = queue_messages(at_app, [(NUMBERS[0], "Lost enqueue")], notify=False)
    fresh = queue_messages(at_app, [(NUMBERS[1], "Just written")], notify=False)
    retried = queue_messages(at_app, [(NUMBERS[2], "Failed twice")], notify=False)
    _backdate(at_app, lost, 5)
    with at_app.extensions["soko"].db.begin() as conn:  # two attempts, the last 40 s ago: not yet due (30 s + grace)
        conn.execute(update(M).where(M.c.id.in_(retried)).values(attempts=2, updated_at=utcnow() - timedelta(seconds=40)))

    assert worker_sms.sweep() == {"requeued": 1, "unconfirmed": 0}
    work(at_app)
    assert [r.status for r in rows(at_app)] == ["sent", "pending", "pending"]
    assert [f["message"] for f in at_sends(fake_providers)] == ["Lost enqueue"]
    assert fresh and retried


def test_the_sweep_keeps_bulk_rows_off_the_sms_queue(at_app):
    """Thousands of reminders waiting behind a broadcast are not lost jobs: the sweep leaves them
    BULK_GRACE, then puts them back on `bulk`; a transactional row behind them is still found."""
    from rq import Queue

    s = at_app.extensions["soko"]
    with s.db.begin() as conn:
        bulk = list(conn.execute(insert(M).returning(M.c.id), [
            {"to_phone": f"+2547990{i:05d}", "body": f"Reminder {i}", "kind": "seller_reminder", "status": "pending",
             "attempts": 0, "updated_at": utcnow() - timedelta(minutes=2)} for i in range(30)]).scalars())
    lost = queue_messages(at_app, [(NUMBERS[0], "Order 123456 is paid")], notify=False)
    _backdate(at_app, lost, 1)
    assert worker_sms.sweep() == {"requeued": 1, "unconfirmed": 0}
    sms, bulk_q = Queue("sms", connection=s.redis), Queue("bulk", connection=s.redis)
    assert [j.args[0] for j in sms.get_jobs()] == [lost] and bulk_q.count == 0
    _backdate(at_app, bulk, 11)
    assert worker_sms.sweep()["requeued"] == 31
    assert sorted(i for j in bulk_q.get_jobs() for i in j.args[0]) == sorted(bulk)


def test_the_worker_runs_the_sweep_on_its_schedule(at_app, fake_providers):
    from workers import periodic
    from workers.run import run_worker

    assert (worker_sms.sweep, "orders", 30) in periodic.PERIODIC
    lost = queue_messages(at_app, [(NUMBERS[0], "Lost enqueue")], notify=False)
    _backdate(at_app, lost, 5)
    run_worker(burst=True)  # the real worker: periodic jobs enqueued once, then everything due
    assert rows(at_app, lost)[0].status == "sent"
    assert [f["message"] for f in at_sends(fake_providers)] == ["Lost enqueue"]


def test_a_worker_killed_mid_send_does_not_send_twice(at_app, fake_providers, settings):
    """A real RQ worker process is killed while the provider holds its request (the message has
    reached the provider; the worker never recorded it). Running the job again, and the sweep,
    send nothing more: the row is left `unconfirmed` for the operator."""
    [mid] = queue_messages(at_app, [(NUMBERS[0], "Your order is on its way")])
    fake_providers.delay(30)
    env = {**os.environ, "DATABASE_URL": settings.database_url,
           "REDIS_URL": settings.redis_url, "SMS_BACKEND": "africastalking", "AT_USERNAME": AT_USERNAME,
           "AT_API_KEY": AT_API_KEY, "AT_API_URL": fake_providers.url}
    env["DATABASE_URL"] = env["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    proc = subprocess.Popen([sys.executable, "-c", "from workers.run import run_worker; run_worker(burst=True)"],
                            env=env, cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not at_sends(fake_providers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(at_sends(fake_providers)) == 1, "the worker never reached the provider"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the worker and its work horse, mid-call
        proc.wait(timeout=10)
    fake_providers.delay(0)
    assert rows(at_app, [mid])[0].status == "sending"

    worker_sms.send_messages([mid])  # the job again, as a retry would run it
    work(at_app)
    _backdate(at_app, [mid], 3)  # past the lease
    assert worker_sms.sweep() == {"requeued": 0, "unconfirmed": 1}
    work(at_app)

    [row] = rows(at_app, [mid])
    assert row.status == "unconfirmed" and "not resent" in row.error
    assert len(at_sends(fake_providers)) == 1


def test_a_reply_to_a_premium_message_goes_back_with_its_link_id(at_app, fake_providers):
    client = at_app.test_client()
    base = {"to": "20880", "date": "2024-05-10 12:00:00", "text": "HELP"}
    client.post("/sms/africastalking", data={**base, "from": NUMBERS[0], "id": "ATXid_p1", "linkId": "SampleLinkId123"})
    client.post("/sms/africastalking", data={**base, "from": NUMBERS[1], "id": "ATXid_p2"})  # bulk shortcode
    work(at_app)

    premium, bulk = sorted(at_sends(fake_providers), key=lambda f: f["to"])
    assert premium["to"] == NUMBERS[0] and premium["linkId"] == "SampleLinkId123"
    assert premium["from"] == "20880" and premium["bulkSMSMode"] == "0"
    assert bulk["to"] == NUMBERS[1] and "linkId" not in bulk and bulk["bulkSMSMode"] == "1"
    assert premium["message"] == bulk["message"]  # same text, yet two calls: one premium, one bulk
    assert [r.status for r in rows(at_app)] == ["sent", "sent"]
