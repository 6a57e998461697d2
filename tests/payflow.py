"""Fixtures for end-to-end payment tests: an app whose mobile checkout goes to the local fake
Africa's Talking server, a burst RQ worker on the test Redis, and AT-shaped notifications."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from rq import Queue, SimpleWorker
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry

from commerce.models import utcnow
from tests.orderkit import assert_ledger
from workers import dispatch, runtime

JOB_QUEUES = ("payments", "orders")  # the SMS queues are the outbox worker's; tests read the outbox


class Jobs:
    def __init__(self, app):
        self.soko = app.extensions["soko"]
        self.redis = self.soko.redis
        self.queues = [Queue(name, connection=self.redis) for name in JOB_QUEUES]

    def scheduled(self) -> dict[str, datetime]:
        """job id -> when it is due, for every job RQ's scheduler holds."""
        out = {}
        for q in self.queues:
            registry = ScheduledJobRegistry(queue=q)
            for job_id in registry.get_job_ids():
                out[job_id] = registry.get_scheduled_time(job_id)
        return out

    def fast_forward(self) -> None:
        """Make every job RQ's scheduler holds due now, as if its delay had passed."""
        now = datetime.now(UTC)
        for q in self.queues:
            registry = ScheduledJobRegistry(queue=q)
            for job_id in registry.get_job_ids():
                registry.schedule(Job.fetch(job_id, connection=self.redis), now)

    def run(self, fast_forward: bool = True, ahead: timedelta = timedelta(minutes=5)) -> None:
        """What a worker does: a dispatcher look (new orders announced, due checkouts offered),
        then a burst worker with RQ's scheduler. To fast forward, the dispatcher looks `ahead` of
        the clock (so each checkout, and a retry, is due) and RQ's scheduled jobs are made due."""
        at = utcnow() + (ahead if fast_forward else timedelta(0))
        dispatch.tick(now=at)
        if fast_forward:
            self.fast_forward()
        self._burst()
        if fast_forward:  # what that started may have left a retry due (a `due` row, not an RQ job)
            dispatch.tick(now=utcnow() + ahead)
            self._burst()

    def _burst(self) -> None:
        SimpleWorker(self.queues, connection=self.redis).work(burst=True, with_scheduler=True)

    def failed(self) -> list[Job]:
        return [Job.fetch(i, connection=self.redis) for q in self.queues
                for i in FailedJobRegistry(queue=q).get_job_ids()]


@pytest.fixture
def pay_app(make_app, fake_providers):
    app = make_app(at_username=fake_providers.at_username, at_api_key=fake_providers.at_api_key,
                   at_payment_product="Soko Market", at_payments_url=fake_providers.url)
    from commerce import demo

    with app.extensions["soko"].db.begin() as conn:
        demo.seed(conn)
    s = app.extensions["soko"]
    runtime.use(s)  # the app's bootstrap runtime, as a worker's
    yield app
    runtime.use(None)
    assert_ledger(s.db)


@pytest.fixture
def jobs(pay_app):
    return Jobs(pay_app)


def notification(code: str | None, value: str, status: str = "Success", tid: str = "ATPid_1",
                 **extra) -> dict:
    body = {
        "transactionId": tid, "category": "MobileCheckout", "provider": "Athena",
        "providerRefId": "SAMPLE" + tid[-4:], "providerChannel": "525900", "productName": "Soko Market",
        "sourceType": "PhoneNumber", "source": "+254712345678", "destinationType": "Wallet",
        "destination": "PaymentWallet", "value": value, "transactionFee": "KES 1.0000",
        "providerFee": "KES 0.0000", "status": status,
        "description": "Received Mobile Checkout funds from +254712345678" if status == "Success"
        else "The user is not within network coverage.",
        "requestMetadata": {"orderCode": code} if code else {}, "providerMetadata": {},
        "transactionDate": "2020-07-29 08:22:54",
    }
    body.update(extra)
    return body
