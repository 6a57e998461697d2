"""The three payment paths end to end: a buyer orders on USSD, the worker (burst mode, RQ's
scheduler) starts the checkout against the local fake Africa's Talking server, Africa's Talking's
notification comes to POST /payments/africastalking; cash and pay-on-delivery through the agent.
After each test the ledger balances (tests/payflow.py)."""

from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from commerce import lifecycle
from commerce.models import Checkout, utcnow
from tests import payflow
from tests.orderkit import (
    BUYER,
    MSGS,
    ORD,
    agent_id,
    history,
    messages_to,
    order,
    payment_rows,
    seller_id_of,
    stock,
)
from tests.payflow import Jobs, notification

# The fixtures of tests/payflow.py, used by name below.
pay_app, jobs = payflow.pay_app, payflow.jobs

SELLER = "+254711000001"
CO = Checkout.__table__


def buy(client, ussd, *, search="Maize", qty="2", method="1", phone=BUYER, session="ATUid_pay1") -> str:
    """Order the first search hit on USSD; returns the order code from the END screen."""
    s = ussd(phone=phone, session_id=session)
    s.dial()
    s.send("2")
    s.send(search)
    s.send("1")
    s.send("1")
    s.send(qty)
    s.send("1")  # the first pickup point (Kiambu)
    s.send(method)  # 1 mobile money, 2 cash, 3 pay on delivery
    done = s.send("1")
    if "Order it again?" in done:  # the same order minutes ago (tests/test_order_found.py): yes, another
        done = s.send("1")
    assert done.startswith("END Order "), done
    return done.split()[2].rstrip(".")


def post(client, body, token=None):
    url = "/payments/africastalking" + (f"?token={token}" if token else "")
    return client.post(url, json=body)


@pytest.fixture
def client(pay_app):
    return pay_app.test_client()


def test_mobile_money_pays_once(client, ussd, jobs, fake_providers, pay_app):
    code = buy(client, ussd)
    jobs.run(fast_forward=False)  # the dispatcher announces the order and writes its checkout, due later
    # The checkout waits a few seconds for the USSD session to close.
    db = pay_app.extensions["soko"].db
    with db.connect() as conn:
        due = conn.execute(select(CO.c.status, CO.c.created_at)).one()
    assert due.status == "due" and due.created_at > utcnow() + timedelta(seconds=1)
    assert not fake_providers.requests_to("/mobile/checkout")
    jobs.run()
    [req] = fake_providers.requests_to("/mobile/checkout/request")
    body = req["json"]
    assert body["metadata"] == {"orderCode": code} and body["currencyCode"] == "KES" and body["amount"] == 360
    assert body["phoneNumber"] == BUYER and body["productName"] == "Soko Market"
    assert req["headers"]["Apikey"] == fake_providers.at_api_key
    with db.connect() as conn:
        checkout = conn.execute(select(CO)).one()
    assert checkout.status == "pending" and checkout.transaction_id.startswith("ATPid_")

    res = post(client, notification(code, "KES 360.0000", tid=checkout.transaction_id))
    assert res.status_code == 200 and res.json["outcome"] == "paid"
    row = order(db, code)
    assert row.status == "paid" and row.paid_minor == 36000 and row.flags == ""
    assert any("We received KES 360" in m for m in messages_to(db, BUYER, code))
    assert any("is paid" in m and f"SENT {code}" in m for m in messages_to(db, SELLER, code))
    sent_before = len(messages_to(db, BUYER))

    again = post(client, notification(code, "KES 360.0000", tid=checkout.transaction_id))
    assert again.status_code == 200 and again.json["outcome"] == "duplicate"
    assert order(db, code).paid_minor == 36000 and len(payment_rows(db, code)) == 1
    assert len(messages_to(db, BUYER)) == sent_before
    with db.connect() as conn:
        assert conn.execute(select(CO.c.status)).scalar() == "success"

    # Paid orders do not expire: the expiry sweep finds nothing to do.
    with db.begin() as conn:
        conn.execute(update(ORD).where(ORD.c.code == code).values(expires_at=utcnow() - timedelta(seconds=1)))
    from workers.run import run_worker

    run_worker(burst=True)
    assert order(db, code).status == "paid"
    assert history(db, code) == [("placed", "buyer"), ("paid", "mobile_money")]


def _notices(db, rows) -> list[int]:
    with db.connect() as conn:
        return sorted(conn.execute(select(MSGS.c.id).where(MSGS.c.order_id.in_([r.id for r in rows]))).scalars())


def test_a_new_orders_work_is_started_from_the_database(client, ussd, jobs, pay_app, fake_providers):
    """Confirm writes nothing to Redis but the session. The dispatcher finds the orders in the
    database: both orders' notices written and queued in one send job, the mobile-money order's
    checkout a `due` row CHECKOUT_DELAY after it was placed, offered once when due (again only
    after REOFFER, if its job was lost), and started once however often it was offered."""
    from rq import Queue

    from workers import dispatch, payments
    from workers.queues import CHECKOUT_DELAY

    codes = [buy(client, ussd), buy(client, ussd, method="2", session="ATUid_pay2")]
    db, redis = pay_app.extensions["soko"].db, jobs.redis
    rows = [order(db, code) for code in codes]
    assert [k for k in redis.scan_iter() if not k.startswith(b"soko:s:")] == [] or not list(redis.scan_iter("rq:*"))
    assert _notices(db, rows) == [] and not rows[0].announced

    assert dispatch.tick() == {"announced": 2, "checkouts": 0}
    sms_q, pay_q = Queue("sms", connection=redis), Queue("payments", connection=redis)
    [send] = sms_q.get_jobs()
    # The buyer's receipt, the seller's and the agent's notices, of both orders.
    assert sorted(send.args[0]) == _notices(db, rows) and len(_notices(db, rows)) == 6
    with db.connect() as conn:
        [(checkout_id, order_id, status, due_at)] = conn.execute(
            select(CO.c.id, CO.c.order_id, CO.c.status, CO.c.created_at)).all()
    assert (order_id, status) == (rows[0].id, "due") and due_at == rows[0].created_at + CHECKOUT_DELAY
    assert dispatch.tick() == {"announced": 0, "checkouts": 0}  # not due yet

    at = due_at + timedelta(milliseconds=1)
    assert dispatch.tick(now=at)["checkouts"] == 1
    assert dispatch.tick(now=at + timedelta(seconds=1))["checkouts"] == 0  # offered: not again at once
    assert dispatch.tick(now=at + dispatch.REOFFER + timedelta(seconds=1))["checkouts"] == 1  # its job lost?
    assert [j.args for j in pay_q.get_jobs()] == [(rows[0].id, checkout_id)] * 2
    jobs.run(fast_forward=False)
    assert payments.start_checkout(rows[0].id, checkout_id) == "already started"
    assert len(fake_providers.requests_to("/mobile/checkout/request")) == 1


def test_redis_flushed_after_confirm_loses_no_orders_work(client, ussd, pay_app, fake_providers):
    """Redis loses everything (a restart without persistence) after two orders were placed and one
    was announced: a worker started afterwards announces the other and starts both checkouts,
    once each."""
    from workers import dispatch
    from workers.run import run_worker

    soko = pay_app.extensions["soko"]
    first = buy(client, ussd)
    dispatch.tick()  # announced, its notices queued, its checkout due
    second = buy(client, ussd, session="ATUid_pay2")
    soko.redis.flushdb()
    past = utcnow() - timedelta(seconds=5)
    with soko.db.begin() as conn:  # the checkouts' time has come
        conn.execute(update(ORD).values(created_at=past))
        conn.execute(update(CO).values(created_at=past, updated_at=past))
    run_worker(burst=True)  # the dispatcher's first look writes the second's checkout: due in the past
    with soko.db.begin() as conn:  # a minute passes: the outbox sweep's grace for the lost send job
        conn.execute(update(MSGS).values(updated_at=utcnow() - timedelta(minutes=2)))
    run_worker(burst=True)
    checkouts = fake_providers.requests_to("/mobile/checkout/request")
    assert sorted(c["json"]["metadata"]["orderCode"] for c in checkouts) == sorted([first, second])
    for code in (first, second):
        with soko.db.connect() as conn:
            statuses = conn.execute(select(MSGS.c.status).join(ORD, ORD.c.id == MSGS.c.order_id)
                                    .where(ORD.c.code == code)).scalars().all()
        assert len(statuses) == 3 and "pending" not in statuses, statuses  # receipt, seller, agent


def test_a_checkout_whose_worker_was_away_too_long_is_recorded_not_started(client, ussd, pay_app, fake_providers):
    """No worker for 20 minutes: the buyer has put the phone away. The checkout is not started; it
    is recorded `failed` with the reason and the buyer is told to pay from My orders or in cash."""
    from workers import dispatch
    from workers.run import run_worker

    db = pay_app.extensions["soko"].db
    code = buy(client, ussd)
    with db.begin() as conn:
        conn.execute(update(ORD).values(created_at=utcnow() - timedelta(minutes=20)))
    dispatch.tick()
    run_worker(burst=True)
    assert not fake_providers.requests_to("/mobile/checkout/request")
    with db.connect() as conn:
        checkout = conn.execute(select(CO)).one()
    assert checkout.status == "failed" and "too late" in checkout.description
    assert any("Mobile money is not available" in m for m in messages_to(db, BUYER, code))


def test_failed_payment_tells_the_buyer_and_retry_from_my_orders(client, ussd, jobs, fake_providers, pay_app):
    db = pay_app.extensions["soko"].db
    code = buy(client, ussd)
    jobs.run()
    first = fake_providers.requests_to("/mobile/checkout")
    assert len(first) == 1
    with db.connect() as conn:
        tid1 = conn.execute(select(CO.c.transaction_id)).scalar()
    res = post(client, notification(code, "KES 360.0000", status="Failed", tid=tid1))
    assert res.status_code == 200 and res.json["outcome"] == "failed"
    assert order(db, code).status == "placed"
    assert any("did not go through" in m for m in messages_to(db, BUYER, code))

    s = ussd(session_id="ATUid_pay2")
    s.dial()
    s.send("3")  # My orders
    detail = s.send("1")
    assert "Pay now" in detail
    end = s.send("2" if "1. Cancel" in detail else "1")
    assert end.startswith("END") and "PIN" in end
    jobs.run()
    assert len(fake_providers.requests_to("/mobile/checkout")) == 2
    with db.connect() as conn:
        tid2 = conn.execute(select(CO.c.transaction_id).order_by(CO.c.id.desc())).scalar()
    assert post(client, notification(code, "KES 360.0000", tid=tid2)).json["outcome"] == "paid"
    # The first attempt's failure, delivered again late, changes nothing and alarms nobody.
    n_msgs = len(messages_to(db, BUYER))
    assert post(client, notification(code, "KES 0.0000", status="Failed", tid=tid1)).json["outcome"] == "duplicate"
    assert order(db, code).status == "paid" and len(messages_to(db, BUYER)) == n_msgs


def test_out_of_order_notifications(client, ussd, jobs, fake_providers, pay_app):
    db = pay_app.extensions["soko"].db
    code = buy(client, ussd)
    # A payment arrives before the checkout job has even run (the buyer paid by paybill).
    paybill = notification(None, "KES 360.0000", tid="ATPid_c2b1", category="MobileC2B", clientAccount=code)
    assert post(client, paybill).json["outcome"] == "paid"
    jobs.run()
    assert not fake_providers.requests_to("/mobile/checkout")  # nothing left to pay: no PIN prompt
    # An older attempt's Failed, arriving after the payment, neither unpays nor alarms.
    n_msgs = len(messages_to(db, BUYER))
    assert post(client, notification(code, "KES 360.0000", status="Failed", tid="ATPid_old")).json["outcome"] == "failed"
    assert order(db, code).status == "paid" and len(messages_to(db, BUYER)) == n_msgs
    # A second success for a paid order: recorded, flagged, not counted.
    assert post(client, notification(code, "KES 360.0000", tid="ATPid_twice")).json["outcome"] == "overpaid"
    row = order(db, code)
    assert row.paid_minor == 36000 and "overpaid" in row.flags.split()
    assert [p.status for p in payment_rows(db, code)] == ["success", "failed", "flagged"]


def test_notification_arriving_before_the_checkout_row_has_its_id(client, ussd, jobs, fake_providers, pay_app):
    """The checkout job stores the transactionId after AT answers; a quick buyer's notification may
    come first. The job then takes the recorded outcome instead of leaving a 'pending' checkout."""
    db = pay_app.extensions["soko"].db
    code = buy(client, ussd)
    fake_providers.delay(0.5)  # AT is slow to answer the checkout request ...
    import threading

    answers = []

    def buyer_pays_quickly():  # ... and the notification comes while the job waits for that answer
        for _ in range(200):
            if fake_providers.requests_to("/mobile/checkout"):
                break
            threading.Event().wait(0.01)
        with db.connect() as conn:
            answers.append(conn.execute(select(CO.c.transaction_id)).scalar())
        answers.append(post(client, notification(code, "KES 360.0000", tid="ATPid_fast")).json["outcome"])

    web = threading.Thread(target=buyer_pays_quickly)
    web.start()
    jobs.run()
    web.join()
    assert answers == [None, "paid"]
    assert order(db, code).status == "paid"
    with db.connect() as conn:
        assert conn.execute(select(CO.c.status)).scalar() != "pending"


def test_unknown_and_expired_orders(client, ussd, jobs, pay_app):
    db = pay_app.extensions["soko"].db
    res = post(client, notification("1234567", "KES 360.0000", tid="ATPid_nobody"))
    assert res.status_code == 200 and res.json["outcome"] == "unknown_order"
    [row] = payment_rows(db)
    assert row.order_id is None and row.status == "flagged"
    assert post(client, notification("1234567", "KES 360.0000", tid="ATPid_nobody")).json["outcome"] == "duplicate"

    code = buy(client, ussd, method="2")
    with db.begin() as conn:
        conn.execute(update(ORD).where(ORD.c.code == code).values(expires_at=utcnow() - timedelta(seconds=1)))
    from workers.run import run_worker

    run_worker(burst=True)  # the expiry sweep
    assert order(db, code).status == "expired"
    late = post(client, notification(code, "KES 360.0000", tid="ATPid_late"))
    assert late.status_code == 200 and late.json["outcome"] == "late"
    row = order(db, code)
    assert row.status == "expired" and row.paid_minor == 0 and "late_payment" in row.flags.split()
    assert any("refund" in m for m in messages_to(db, BUYER, code))


@pytest.mark.parametrize(("value", "why"), [("KES 100.0000", "short"), ("KES 400.0000", "over"),
                                            ("UGX 360", "currency"), ("TZS 360.0000", "currency")])
def test_wrong_amount_or_currency_is_recorded_and_flagged_not_paid(client, ussd, pay_app, value, why):
    db = pay_app.extensions["soko"].db
    code = buy(client, ussd)
    res = post(client, notification(code, value, tid="ATPid_" + why))
    assert res.status_code == 200 and res.json["outcome"] == "mismatch"
    row = order(db, code)
    assert row.status == "placed" and row.paid_minor == 0 and "payment_mismatch" in row.flags.split()
    [p] = payment_rows(db, code)
    assert p.status == "flagged" and f"{p.currency} " in value
    assert any("is not paid yet" in m for m in messages_to(db, BUYER, code))


@pytest.mark.parametrize(("body", "status"), [
    (b"not json", 400),
    (b"[]", 400),
    (b'{"status": "Success", "value": "KES 1.0000"}', 400),  # no transactionId
    (b'{"transactionId": "ATPid_x", "value": "KES 1.0000"}', 400),  # no status
    (b'{"transactionId": "ATPid_x", "status": "Success", "value": "375 shillings"}', 400),
    (b'{"transactionId": "ATPid_x", "status": "Success", "value": "KES 1.005"}', 400),
    (b'{"transactionId": "ATPid_x", "status": "Success"}', 400),
    (b'{"transactionId": "ATPid_x", "status": "Success", "value": "KES 1.00", "requestMetadata": "x"}', 400),
    (b'{"transactionId": "ATPid_x", "status": "Failed"}', 200),
])
def test_malformed_notifications_get_400_and_touch_nothing(client, pay_app, body, status):
    res = client.post("/payments/africastalking", data=body, content_type="application/json")
    assert res.status_code == status, res.get_data(as_text=True)
    assert res.mimetype in ("text/plain", "application/json")
    if status == 400:
        assert payment_rows(pay_app.extensions["soko"].db) == []


def test_webhook_token(make_app, fake_providers):
    app = make_app(at_webhook_token="s3cret-token")
    client = app.test_client()
    body = notification("1234567", "KES 1.0000", tid="ATPid_tok")
    assert post(client, body).status_code == 403
    assert post(client, body, token="wrong").status_code == 403
    assert payment_rows(app.extensions["soko"].db) == []
    assert post(client, body, token="s3cret-token").status_code == 200


def test_cash_path_end_to_end(client, ussd, jobs, fake_providers, pay_app):
    db = pay_app.extensions["soko"].db
    code = buy(client, ussd, method="2")
    jobs.run()
    assert not fake_providers.requests_to("/mobile/checkout")
    agent, seller = agent_id(db), seller_id_of(db, code)
    assert "Still due: KES 160" in lifecycle.record_cash_payment(db, agent, code, "200").reply
    assert any("Still due: KES 160" in m for m in messages_to(db, BUYER, code))
    assert lifecycle.record_cash_payment(db, agent, code, "KES 160").ok
    assert not lifecycle.record_cash_payment(db, agent, code, "160").ok
    assert lifecycle.mark_sent(db, seller, code).ok
    assert lifecycle.confirm_delivery(db, agent, code).ok
    assert [s for s, _ in history(db, code)] == ["placed", "paid", "dispatched", "delivered"]


def test_pay_on_delivery_end_to_end(client, ussd, jobs, pay_app):
    db = pay_app.extensions["soko"].db
    code = buy(client, ussd, method="3", qty="1")
    with db.begin() as conn:  # the payment window passes: pay-on-delivery orders do not expire
        conn.execute(update(ORD).where(ORD.c.code == code).values(expires_at=utcnow() - timedelta(seconds=1)))
    jobs.run()
    assert order(db, code).status == "placed"
    agent, seller = agent_id(db), seller_id_of(db, code)
    assert lifecycle.mark_sent(db, seller, code).ok
    done = lifecycle.confirm_delivery(db, agent, code)
    assert done.ok and "KES 180 cash recorded" in done.reply
    row = order(db, code)
    assert row.status == "delivered" and row.paid_minor == 18000


def test_expiry_with_a_short_window(make_app, fake_providers, ussd):

    app = make_app(payment_window_minutes=1)

    from commerce import demo
    from workers import runtime

    s = app.extensions["soko"]
    with s.db.begin() as conn:
        demo.seed(conn)
    runtime.use(s)  # the app's bootstrap runtime, as a worker's
    try:
        client = app.test_client()
        before = stock(s.db, "Maize flour 2kg")
        code = buy(client, lambda **kw: type(ussd())(client, kw["phone"], kw["session_id"]), method="2")
        assert stock(s.db, "Maize flour 2kg") == before - 2
        from workers.run import run_worker

        row = order(s.db, code)
        assert timedelta(seconds=55) < row.expires_at - utcnow() <= timedelta(seconds=61)
        run_worker(burst=True)  # the sweep, before the window closes: nothing to do
        assert order(s.db, code).status == "placed"
        assert not Jobs(app).scheduled()  # no job per order waits in Redis for its expiry
        with s.db.begin() as conn:  # a minute passes
            conn.execute(update(ORD).where(ORD.c.code == code).values(expires_at=utcnow() - timedelta(seconds=1)))
        run_worker(burst=True)
        assert order(s.db, code).status == "expired"
        assert stock(s.db, "Maize flour 2kg") == before
        assert any("expired" in m for m in messages_to(s.db, BUYER, code))
        assert history(s.db, code)[-1] == ("expired", "system")
    finally:
        runtime.use(None)


def test_the_sweep_expires_orders_whose_job_was_lost(client, ussd, pay_app):
    from workers.run import run_worker

    db = pay_app.extensions["soko"].db
    code = buy(client, ussd, method="2")
    pay_app.extensions["soko"].redis.flushdb()  # Redis lost: the scheduled expiry job is gone
    with db.begin() as conn:
        conn.execute(update(ORD).where(ORD.c.code == code).values(expires_at=utcnow() - timedelta(seconds=1)))
    run_worker(burst=True)  # what `flask --app gateway worker --burst` runs: the periodic sweeps too
    assert order(db, code).status == "expired"


def test_checkout_retries_then_fails_for_good(client, ussd, jobs, fake_providers, pay_app):
    db = pay_app.extensions["soko"].db
    code = buy(client, ussd)
    fake_providers.fail_next(1, status=503)
    jobs.run(fast_forward=False)  # announced: its checkout due in a few seconds
    jobs.run(ahead=timedelta(seconds=5))  # the first attempt: refused; its retry due 15 s later
    assert len(fake_providers.requests_to("/mobile/checkout")) == 1
    assert not jobs.failed()
    jobs.run()  # the retry, once its interval has passed
    assert len(fake_providers.requests_to("/mobile/checkout")) == 2
    with db.connect() as conn:
        assert [r.status for r in conn.execute(select(CO.c.status).order_by(CO.c.id))] == ["error", "pending"]

    code2 = buy(client, ussd, session="ATUid_pay3")
    fake_providers.reset()
    fake_providers.fail_next(5, status=500)
    for _ in range(3):
        jobs.run()
    assert len(fake_providers.requests_to("/mobile/checkout")) == 3  # the first try and two retries
    [failed] = jobs.failed()
    assert failed.func_name == "workers.payments.start_checkout"
    assert "HTTP 500" in failed.latest_result().exc_string
    assert any("not available right now" in m for m in messages_to(db, BUYER, code2))
    assert order(db, code2).status == "placed"
    assert code != code2


def test_refused_checkout_and_missing_configuration(client, ussd, jobs, fake_providers, make_app, pay_app):
    db = pay_app.extensions["soko"].db
    code = buy(client, ussd)
    fake_providers.next_checkout_status = "InvalidRequest"
    jobs.run()
    assert not jobs.failed()
    assert any("did not go through" in m for m in messages_to(db, BUYER, code))
    with db.connect() as conn:
        assert conn.execute(select(CO.c.status)).scalar() == "failed"


def test_reconcile_checkouts_without_notification(client, ussd, jobs, fake_providers, pay_app):
    from workers.payments import RECONCILE_AFTER, reconcile_checkouts

    db = pay_app.extensions["soko"].db
    code = buy(client, ussd)
    jobs.run()
    assert reconcile_checkouts() == 0  # not stale yet
    with db.begin() as conn:
        conn.execute(update(CO).values(created_at=utcnow() - RECONCILE_AFTER - timedelta(seconds=1)))
    assert reconcile_checkouts() == 1
    with db.connect() as conn:
        checkout = conn.execute(select(CO)).one()
    assert checkout.status == "no_answer"
    assert any("no answer" in m for m in messages_to(db, BUYER, code))
    # The notification still comes, late: it is recorded and pays the order.
    assert post(client, notification(code, "KES 360.0000", tid=checkout.transaction_id)).json["outcome"] == "paid"
    assert reconcile_checkouts() == 0


def test_stalled_orders_get_reminders(client, ussd, pay_app):
    from workers.orders import follow_up

    db = pay_app.extensions["soko"].db
    code = buy(client, ussd, method="2")
    agent, seller = agent_id(db), seller_id_of(db, code)
    lifecycle.record_cash_payment(db, agent, code, "360")
    assert follow_up() == 0
    day_ago = utcnow() - timedelta(hours=25)
    with db.begin() as conn:
        conn.execute(update(ORD).where(ORD.c.code == code).values(updated_at=day_ago))
    assert follow_up() == 1
    assert any(m.startswith("Reminder: order " + code) for m in messages_to(db, SELLER, code))
    assert follow_up() == 0  # not again within a day
    lifecycle.mark_sent(db, seller, code)
    with db.begin() as conn:
        conn.execute(update(ORD).where(ORD.c.code == code).values(updated_at=day_ago))
    assert follow_up() == 2
    assert any("Did you get order" in m for m in messages_to(db, BUYER, code))
    assert any(f"send DELIVERED {code}" in m for m in messages_to(db, "+254722000101", code))
    with db.begin() as conn:
        conn.execute(delete(CO))


@pytest.mark.parametrize(("amount", "currency", "minor"), [
    ("375.0000", "KES", 37500), ("375.5000", "KES", 37550), ("0.0100", "KES", 1), ("0", "KES", 0),
    ("5000.0000", "UGX", 5000), ("1000.5000", "TZS", 100050),
])
def test_a_provider_amount_becomes_money_exactly(amount, currency, minor):
    from decimal import Decimal

    from commerce import money, payments

    assert payments.received_value(Decimal(amount), currency) == money.Money(minor, currency)


@pytest.mark.parametrize(("amount", "currency"), [
    ("1.005", "KES"), ("5000.5", "UGX"), ("-1", "KES"), ("1", "XYZ"), ("1e13", "KES"), ("NaN", "KES"),
])
def test_a_provider_amount_money_cannot_hold_is_refused(amount, currency):
    from decimal import Decimal

    from commerce import payments

    with pytest.raises(ValueError):
        payments.received_value(Decimal(amount), currency)
