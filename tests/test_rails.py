"""M-Pesa and MoMo end to end: a buyer orders on USSD, the worker (burst mode, RQ's scheduler) asks
the buyer's rail (MOBILE_MONEY_ROUTES) on the local fake Daraja or MoMo, the rail's callback comes
to POST /payments/mpesa or POST/PUT /payments/momo and is checked against the rail's status query
before the order is paid; silent checkouts are polled, then flagged; refunds owed are listed and
paid out by the operator. The ledger (payments in = paid amounts + refunds owed) is checked after
every test (tests/railflow.py)."""

from __future__ import annotations

import threading
from datetime import UTC, timedelta

import pytest
from rq.job import Job
from sqlalchemy import select, update

from commerce import checkouts as rails
from commerce.models import AuditEntry, Refund, utcnow
from tests import railflow
from tests.conftest import ADMIN_TOKEN
from tests.fake_rails import client_deliver
from tests.orderkit import ORD, messages_to, order, payment_rows
from tests.railflow import GH_BUYER, KE_BUYER, MOMO_TOKEN, MPESA_TOKEN, TZ_BUYER, UG_BUYER, checkouts
from tests.test_payments import buy

rails_app, rail_jobs = railflow.rails_app, railflow.rail_jobs
RF = Refund.__table__


@pytest.fixture
def client(rails_app):
    return rails_app.test_client()


@pytest.fixture
def deliver(client):
    return client_deliver(client)


def db_of(app):
    return app.extensions["soko"].db


def order_on_ussd(client, ussd, phone, session="ATUid_r1", **kw):
    """Place a mobile-money order; returns (code, the END screen)."""
    s = ussd(phone=phone, session_id=session)
    s.dial()
    for key in ("2", kw.get("search", "Maize"), "1", "1", kw.get("qty", "2"), "1", "1"):
        s.send(key)
    end = s.send("1")
    assert end.startswith(("END Order ", "END Oda ", "END 订单")), end
    return (end.split()[2].rstrip(".") if end.startswith("END O") else end[6:13]), end


# -- M-Pesa -----------------------------------------------------------------------------------------

def test_mpesa_pays_once_the_query_confirms_the_callback(client, ussd, rail_jobs, fake_rails, rails_app, deliver):
    db = db_of(rails_app)
    code, end = order_on_ussd(client, ussd, KE_BUYER)
    assert "M-Pesa will ask for your PIN" in end
    rail_jobs.run()
    [push] = fake_rails.requests_to("/stkpush/")
    assert push["json"]["Amount"] == 360 and push["json"]["AccountReference"] == code
    assert push["json"]["CallBackURL"] == f"https://soko.example/payments/mpesa?token={MPESA_TOKEN}"
    [co] = checkouts(db)
    assert (co.rail, co.status, co.asked_minor, co.asked_currency) == ("mpesa", "pending", 36000, "KES")
    assert co.transaction_id == fake_rails.txns[co.transaction_id].reference
    # The first poll is due 30 s after the start (RQ keeps whole seconds).
    polls = {j: at for j, at in rail_jobs.scheduled().items() if j.startswith("soko-poll-")}
    assert list(polls) == [f"soko-poll-{co.id}-0"]
    assert polls[f"soko-poll-{co.id}-0"] == (co.created_at + timedelta(seconds=30)).replace(tzinfo=UTC, microsecond=0)

    [callback] = fake_rails.settle(deliver=lambda *cb: None)
    res = deliver(*callback)
    assert res.status_code == 200 and res.json == {"ResultCode": 0, "ResultDesc": "Accepted"}
    assert order(db, code).status == "placed"  # a hint, not yet the truth
    again = deliver(*callback)  # Daraja sends it again
    assert again.json == {"ResultCode": 0, "ResultDesc": "Accepted"}
    rail_jobs.run(fast_forward=False)  # the hint's status query
    assert len(fake_rails.requests_to("/stkpushquery/")) >= 1
    row = order(db, code)
    assert row.status == "paid" and row.paid_minor == 36000
    [pay] = payment_rows(db, code)
    assert (pay.reference, pay.status, pay.note) == (co.transaction_id, "success", fake_rails.txn(co.transaction_id).receipt)
    assert any("We received KES 360" in m for m in messages_to(db, KE_BUYER, code))
    rail_jobs.run()  # the scheduled poll finds nothing left to ask
    assert len(payment_rows(db, code)) == 1 and checkouts(db)[0].status == "success"


@pytest.mark.parametrize(("behaviour", "code"), [("cancel", "1032"), ("no_answer", "1037")])
def test_mpesa_refusals_tell_the_buyer(client, ussd, rail_jobs, fake_rails, rails_app, deliver, behaviour, code):
    db = db_of(rails_app)
    order_code, _ = order_on_ussd(client, ussd, KE_BUYER)
    rail_jobs.run()
    fake_rails.payer[KE_BUYER] = behaviour
    [callback] = fake_rails.settle(deliver=deliver)
    assert callback[2]["Body"]["stkCallback"]["ResultCode"] == int(code)
    rail_jobs.run(fast_forward=False)
    row = order(db, order_code)
    assert row.status == "placed" and row.paid_minor == 0
    [pay] = payment_rows(db, order_code)
    assert pay.status == "failed" and pay.note.startswith(code)
    assert checkouts(db)[0].status == "failed"
    assert any("did not go through" in m for m in messages_to(db, KE_BUYER, order_code))


def test_a_callback_the_query_contradicts_pays_nothing(client, ussd, rail_jobs, fake_rails, rails_app, deliver):
    """A forged 'paid' callback for a real reference: the status query says still pending."""
    db = db_of(rails_app)
    code, _ = order_on_ussd(client, ussd, KE_BUYER)
    rail_jobs.run()
    [co] = checkouts(db)
    forged = {"Body": {"stkCallback": {"MerchantRequestID": "1", "CheckoutRequestID": co.transaction_id,
                                       "ResultCode": 0, "ResultDesc": "ok", "CallbackMetadata": {"Item": [
                                           {"Name": "Amount", "Value": 360}, {"Name": "MpesaReceiptNumber", "Value": "FAKE123456"}]}}}}
    assert deliver("POST", f"/payments/mpesa?token={MPESA_TOKEN}", forged).status_code == 200
    rail_jobs.run(fast_forward=False)
    assert order(db, code).status == "placed" and payment_rows(db, code) == []


def test_a_callback_for_an_unknown_reference_changes_nothing(client, rails_app, rail_jobs, deliver):
    db = db_of(rails_app)
    body = {"Body": {"stkCallback": {"CheckoutRequestID": "ws_CO_nobody", "ResultCode": 0, "ResultDesc": "ok",
                                     "CallbackMetadata": {"Item": [{"Name": "Amount", "Value": 360},
                                                                   {"Name": "MpesaReceiptNumber", "Value": "NLJ7RT61SV"}]}}}}
    res = deliver("POST", f"/payments/mpesa?token={MPESA_TOKEN}", body)
    assert res.status_code == 200 and res.json["ResultCode"] == 0  # acknowledged: Daraja stops sending it
    momo = deliver("PUT", f"/payments/momo?token={MOMO_TOKEN}&ref=0b8f5a8c-1d2e-4f30-9a41-b5c6d7e8f901",
                   {"status": "SUCCESSFUL", "amount": "5040", "currency": "UGX", "externalId": "1"})
    assert momo.status_code == 200
    assert payment_rows(db) == [] and not rail_jobs.queues[0].count


@pytest.mark.parametrize(("path", "body"), [
    ("/payments/mpesa", b"not json"), ("/payments/mpesa", b'{"Body": {}}'),
    ("/payments/mpesa", b'{"Body": {"stkCallback": {"CheckoutRequestID": "ws_CO_1", "ResultCode": 0}}}'),
    ("/payments/momo", b'{"status": "SUCCESSFUL"}'), ("/payments/momo", b"[]"),
])
def test_malformed_callbacks_get_400_and_touch_nothing(client, rails_app, path, body):
    token = MPESA_TOKEN if "mpesa" in path else MOMO_TOKEN
    res = client.post(f"{path}?token={token}", data=body, content_type="application/json")
    assert res.status_code == 400 and res.mimetype == "text/plain"
    assert payment_rows(db_of(rails_app)) == []


def test_callback_tokens(client, rails_app):
    body = {"Body": {"stkCallback": {"CheckoutRequestID": "ws_CO_1", "ResultCode": 1032}}}
    assert client.post("/payments/mpesa", json=body).status_code == 403
    assert client.post("/payments/mpesa?token=wrong", json=body).status_code == 403
    assert client.put("/payments/momo?ref=0b8f5a8c-1d2e-4f30-9a41-b5c6d7e8f901", json={"status": "FAILED"}).status_code == 403


# -- MoMo -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_momo_request_to_pay_then_the_status_query(client, ussd, rail_jobs, fake_rails, rails_app, deliver, method):
    db = db_of(rails_app)
    code, end = order_on_ussd(client, ussd, UG_BUYER)
    assert "MTN MoMo will ask for your PIN" in end
    rail_jobs.run()
    [req] = fake_rails.requests_to("/collection/v1_0/requesttopay")
    ref = req["headers"]["X-Reference-Id"]
    assert req["headers"]["X-Target-Environment"] == "mtnuganda"
    assert req["headers"]["X-Callback-Url"] == f"https://soko.example/payments/momo?token={MOMO_TOKEN}&ref={ref}"
    assert req["json"]["amount"] == "10080" and req["json"]["currency"] == "UGX" and req["json"]["externalId"] == code
    fake_rails.momo_callback_method = method
    [callback] = fake_rails.settle(deliver=deliver)
    assert callback[0] == method
    rail_jobs.run(fast_forward=False)
    assert fake_rails.requests_to(f"/requesttopay/{ref}")  # the truth asked for
    row = order(db, code)
    assert row.status == "paid" and row.paid_minor == 10080 and row.currency == "UGX"
    [pay] = payment_rows(db, code)
    assert pay.reference == ref and pay.note == fake_rails.txn(ref).receipt


def test_momo_timeout_is_asked_about_never_asked_again(client, ussd, rail_jobs, fake_rails, rails_app):
    """MoMo answered 503: it may or may not have the request. Soko keeps its X-Reference-Id and asks;
    MoMo does not know it (404), so the checkout failed and the buyer can pay again."""
    db = db_of(rails_app)
    code, _ = order_on_ussd(client, ussd, UG_BUYER)
    fake_rails.start_failures = 1
    rail_jobs.run()
    [co] = checkouts(db)
    assert co.status == "pending" and co.transaction_id and "unclear" in co.description
    assert len(fake_rails.requests_to("/collection/v1_0/requesttopay")) == 1  # not retried
    rail_jobs.run()  # the first poll
    assert checkouts(db)[0].status == "failed"
    assert any("did not go through" in m for m in messages_to(db, UG_BUYER, code))


# -- polls, flags, routes ---------------------------------------------------------------------------

def test_without_callbacks_the_polls_find_the_payment(client, ussd, rail_jobs, fake_rails, rails_app):
    db = db_of(rails_app)
    codes = [order_on_ussd(client, ussd, KE_BUYER)[0], order_on_ussd(client, ussd, GH_BUYER, session="ATUid_r2")[0]]
    rail_jobs.run()
    fake_rails.drop_rate = 1.0  # every callback lost
    assert fake_rails.settle() == []
    rail_jobs.run()
    assert [order(db, c).status for c in codes] == ["paid", "paid"]


def test_a_silent_checkout_is_asked_three_times_then_flagged(client, ussd, rail_jobs, fake_rails, rails_app, deliver):
    db = db_of(rails_app)
    code, _ = order_on_ussd(client, ussd, KE_BUYER)
    fake_rails.payer[KE_BUYER] = "silent"
    rail_jobs.run()
    [co] = checkouts(db)
    seen = []
    for n in range(3):
        due = {j: at for j, at in rail_jobs.scheduled().items() if j.startswith("soko-poll-")}
        assert list(due) == [f"soko-poll-{co.id}-{n}"]
        seen.append(due[f"soko-poll-{co.id}-{n}"] - co.created_at.replace(tzinfo=UTC, microsecond=0))
        rail_jobs.run()
    assert [round(s.total_seconds()) for s in seen] == [30, 120, 300]
    assert len(fake_rails.requests_to("/stkpushquery/")) == 3
    co = checkouts(db)[0]
    assert co.status == "unresolved" and co.polls == 3
    row = order(db, code)
    assert row.status == "placed" and "payment_unresolved" in row.flags.split()
    # The payer answers at last and Daraja's callback comes: asked, paid, the flag comes down.
    fake_rails.payer[KE_BUYER] = "pay"
    fake_rails.settle(deliver=deliver)
    rail_jobs.run(fast_forward=False)
    row = order(db, code)
    assert row.status == "paid" and "payment_unresolved" not in row.flags.split()


def test_the_sweep_asks_when_a_poll_job_was_lost(client, ussd, rail_jobs, fake_rails, rails_app):
    from workers.payments import reconcile_checkouts

    db = db_of(rails_app)
    code, _ = order_on_ussd(client, ussd, KE_BUYER)
    rail_jobs.run()
    fake_rails.settle(deliver=lambda *cb: None)
    redis = rails_app.extensions["soko"].redis
    for job_id in [j for j in rail_jobs.scheduled() if j.startswith("soko-poll-")]:
        Job.fetch(job_id, connection=redis).delete()  # Redis lost it
    reconcile_checkouts()
    assert order(db, code).status == "placed"  # not late yet
    with db.begin() as conn:
        conn.execute(update(railflow.CO).values(created_at=utcnow() - timedelta(minutes=3)))
    reconcile_checkouts()
    rail_jobs.run(fast_forward=False)
    assert order(db, code).status == "paid"


def test_a_callback_and_the_poll_racing_record_one_payment(client, ussd, rail_jobs, fake_rails, rails_app):
    from workers.payments import poll_checkout

    db = db_of(rails_app)
    code, _ = order_on_ussd(client, ussd, KE_BUYER)
    rail_jobs.run()
    fake_rails.settle(deliver=lambda *cb: None)
    [co] = checkouts(db)
    start = threading.Barrier(2)
    outcomes = []

    def ask(hint):
        start.wait()
        outcomes.append(poll_checkout(co.id, hint))

    threads = [threading.Thread(target=ask, args=(h,)) for h in (True, False)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o.split(":")[0] for o in outcomes if o.startswith("paid")) in (["paid", "paid"], ["paid"])
    row = order(db, code)
    assert row.status == "paid" and row.paid_minor == 36000 and len(payment_rows(db, code)) == 1


@pytest.mark.parametrize(("routes", "configured", "phone", "rail"), [
    ((("KE", "mpesa"), ("GH", "momo"), ("*", "africastalking")), {"africastalking", "mpesa", "momo"}, KE_BUYER, "mpesa"),
    ((("KE", "mpesa"), ("GH", "momo"), ("*", "africastalking")), {"africastalking", "mpesa", "momo"}, GH_BUYER, "momo"),
    ((("KE", "mpesa"), ("GH", "momo"), ("*", "africastalking")), {"africastalking", "mpesa", "momo"}, TZ_BUYER,
     "africastalking"),
    ((("KE", "mpesa"), ("*", "africastalking")), {"africastalking"}, KE_BUYER, "africastalking"),  # no M-Pesa keys
    ((("KE", "momo"), ("KE", "mpesa")), {"mpesa", "momo"}, KE_BUYER, "momo"),  # first match wins
    ((("UG", "momo"),), {"momo"}, KE_BUYER, None),  # nothing for Kenya, no Africa's Talking
    ((("UG", "momo"),), {"africastalking", "momo"}, KE_BUYER, "africastalking"),  # AT stays the default
])
def test_routes_pick_the_rail_from_the_number(routes, configured, phone, rail):
    assert rails.route(routes, configured, phone) == rail


def test_a_rail_without_credentials_is_skipped(make_app, fake_providers, fake_rails, ussd):
    """Only Africa's Talking configured: a Kenyan buyer is asked through it, and told so."""
    from tests.payflow import Jobs
    from workers import runtime

    settings = railflow.rail_settings(fake_rails, fake_providers)
    for k in [k for k in settings if k.startswith("mpesa_")]:
        settings[k] = None
    app = make_app(**settings)
    s = app.extensions["soko"]
    from commerce import demo
    with s.db.begin() as conn:
        demo.seed(conn)
    runtime.use(s)
    try:
        client = app.test_client()
        code = buy(client, lambda **kw: type(ussd())(client, kw["phone"], kw["session_id"]))
        Jobs(app).run()
        assert fake_providers.requests_to("/mobile/checkout/request") and not fake_rails.requests_to("/stkpush/")
        assert checkouts(s.db)[0].rail == "africastalking" and code
    finally:
        runtime.use(None)


# -- money that is not the order's: flagged, owed back, paid out by the operator ---------------------

def test_a_wrong_amount_is_flagged_and_owed_back(client, ussd, rail_jobs, fake_rails, rails_app, deliver):
    db = db_of(rails_app)
    code, _ = order_on_ussd(client, ussd, KE_BUYER)
    rail_jobs.run()
    fake_rails.payer[KE_BUYER] = "misreport"  # Daraja's callback names KES 359
    fake_rails.settle(deliver=deliver)
    rail_jobs.run(fast_forward=False)
    row = order(db, code)
    assert row.status == "placed" and row.paid_minor == 0 and "payment_mismatch" in row.flags.split()
    [pay] = payment_rows(db, code)
    assert (pay.status, pay.amount_minor) == ("flagged", 35900)
    with db.connect() as conn:
        [refund] = conn.execute(select(RF)).all()
    assert (refund.reason, refund.amount_minor, refund.rail, refund.status) == ("payment_mismatch", 35900, "mpesa", "owed")


def test_momo_in_another_currency_is_flagged_never_counted(client, ussd, rail_jobs, fake_rails, rails_app, deliver):
    db = db_of(rails_app)
    code, _ = order_on_ussd(client, ussd, UG_BUYER)
    rail_jobs.run()
    [txn] = fake_rails.txns.values()
    txn.currency = "EUR"  # what MoMo says was paid is not what was asked
    fake_rails.settle(deliver=deliver)
    rail_jobs.run(fast_forward=False)
    row = order(db, code)
    assert row.paid_minor == 0 and "payment_mismatch" in row.flags.split()


def test_late_success_on_an_expired_order_is_a_refund_the_operator_pays_out(make_app, fake_providers, fake_rails,
                                                                            ussd):
    from commerce import demo
    from tests.payflow import Jobs
    from workers import runtime

    app = make_app(admin_token=ADMIN_TOKEN, **railflow.rail_settings(fake_rails, fake_providers))
    s = app.extensions["soko"]
    with s.db.begin() as conn:
        demo.seed(conn)
    runtime.use(s)
    try:
        client = app.test_client()
        jobs = Jobs(app)
        code, _ = order_on_ussd(client, lambda **kw: type(ussd())(client, kw["phone"], kw["session_id"]), KE_BUYER)
        jobs.run()
        with s.db.begin() as conn:  # the window passes before the payer answers
            conn.execute(update(ORD).where(ORD.c.code == code).values(expires_at=utcnow() - timedelta(seconds=1)))
        from workers.orders import sweep_expired

        assert sweep_expired() == 1  # the worker's expiry sweep (every 30 s)
        jobs.run()
        assert order(s.db, code).status == "expired"
        fake_rails.settle(deliver=client_deliver(client))
        jobs.run(fast_forward=False)
        row = order(s.db, code)
        assert row.status == "expired" and row.paid_minor == 0 and "late_payment" in row.flags.split()
        assert any("refund" in m for m in messages_to(s.db, KE_BUYER, code))

        auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        listed = client.get("/admin/api/refunds?status=owed", headers=auth).json
        [refund] = listed["refunds"]
        [co] = checkouts(s.db)
        assert refund["order"] == code and refund["reason"] == "late_payment" and refund["rail"] == "mpesa"
        assert refund["amount"] == {"amount_minor": 36000, "currency": "KES"} and refund["payee"] == KE_BUYER
        assert refund["reference"] == fake_rails.txn(co.transaction_id).receipt
        assert listed["owed"] == {"KES": 36000}
        assert client.get("/admin/api/refunds?status=nope", headers=auth).status_code == 400
        url = f"/admin/api/refunds/{refund['id']}/paid"
        assert client.post(url, json={}, headers=auth).status_code == 400
        done = client.post(url, json={"reference": "MPESA-REV-QX12"}, headers=auth)
        assert done.status_code == 200 and done.json["status"] == "paid_out"
        assert done.json["paid_out_reference"] == "MPESA-REV-QX12" and done.json["paid_out_by"] == "admin:api"
        assert client.post(url, json={"reference": "again"}, headers=auth).status_code == 409
        assert client.post("/admin/api/refunds/9999/paid", json={"reference": "x"}, headers=auth).status_code == 404
        with s.db.connect() as conn:
            audit = conn.execute(select(AuditEntry.__table__).where(AuditEntry.__table__.c.action == "refund_paid_out")).all()
        assert [(a.actor, a.target) for a in audit] == [("admin:api", f"refund:{refund['id']}")]
        assert client.get("/admin/api/refunds?status=owed", headers=auth).json["owed"] == {}
        # The page lists it too.
        client.post("/admin/login", data={"token": ADMIN_TOKEN})
        page = client.get("/admin/refunds?status=paid_out")
        assert page.status_code == 200 and "MPESA-REV-QX12" in page.get_data(as_text=True)
    finally:
        runtime.use(None)
    from tests.orderkit import assert_ledger
    assert_ledger(s.db)


def test_cancelling_a_paid_order_owes_its_payment_back(client, ussd, rail_jobs, fake_rails, rails_app, deliver):
    from commerce import admin

    db = db_of(rails_app)
    code, _ = order_on_ussd(client, ussd, UG_BUYER)
    rail_jobs.run()
    fake_rails.settle(deliver=deliver)
    rail_jobs.run(fast_forward=False)
    assert order(db, code).status == "paid"
    assert admin.cancel_order(db, code, "seller out of stock").ok
    with db.connect() as conn:
        [refund] = conn.execute(select(RF)).all()
    [co] = checkouts(db)
    assert (refund.reason, refund.amount_minor, refund.currency, refund.rail) == ("cancelled_paid", 10080, "UGX", "momo")
    assert refund.reference == fake_rails.txn(co.transaction_id).receipt


@pytest.mark.parametrize(("choice", "phone", "says"), [
    ("2", KE_BUYER, "M-Pesa itakuomba PIN yako."), ("3", UG_BUYER, "MTN MoMo将请您输入密码。"),
    ("3", TZ_BUYER, "请留意手机钱包密码提示。"),  # Africa's Talking: no brand to name
])
def test_the_end_screen_names_the_rail_in_the_buyers_language(client, ussd, rails_app, choice, phone, says):
    s = ussd(phone=phone, session_id="ATUid_lang")
    s.dial()
    s.send("4")
    s.send(choice)
    code, end = order_on_ussd(client, ussd, phone, session="ATUid_l2")
    assert end.endswith(says) and code in end


# -- settings ---------------------------------------------------------------------------------------

MPESA_ENV = {"MPESA_CONSUMER_KEY": "k", "MPESA_CONSUMER_SECRET": "s", "MPESA_SHORTCODE": "174379", "MPESA_PASSKEY": "p"}
MOMO_ENV = {"MOMO_SUBSCRIPTION_KEY": "k", "MOMO_API_USER": "u", "MOMO_API_KEY": "a"}


@pytest.mark.parametrize(("env", "says"), [
    ({"MOBILE_MONEY_ROUTES": "KE=mpesa"}, "MOBILE_MONEY_ROUTES must look like KE:mpesa"),
    ({"MOBILE_MONEY_ROUTES": "KE:paypal"}, "MOBILE_MONEY_ROUTES names 'paypal'"),
    ({"MPESA_CONSUMER_KEY": "k"}, "M-Pesa is half configured: set MPESA_CONSUMER_SECRET, MPESA_SHORTCODE, MPESA_PASSKEY"),
    (MPESA_ENV, "PUBLIC_URL is required when M-Pesa is configured"),
    ({**MPESA_ENV, "PUBLIC_URL": "https://x", "MPESA_SHORTCODE": "12ab"}, "MPESA_SHORTCODE must be 5 to 8 digits"),
    ({**MPESA_ENV, "PUBLIC_URL": "https://x", "MPESA_API_URL": "ftp://x"}, "MPESA_API_URL must start with"),
    ({"MOMO_API_USER": "u"}, "MoMo is half configured"),
    (MOMO_ENV, "MOMO_TARGET_ENVIRONMENT is required when MoMo is configured"),
    ({**MOMO_ENV, "MOMO_TARGET_ENVIRONMENT": "Ghana"}, "MOMO_TARGET_ENVIRONMENT must look like"),
])
def test_rail_settings_refused_with_one_line_naming_them(env, says):
    from config import SettingsError, load_settings

    with pytest.raises(SettingsError) as info:
        load_settings(env)
    assert str(info.value).startswith(says) and "\n" not in str(info.value)


def test_rail_settings_read():
    from config import load_settings

    s = load_settings({**MPESA_ENV, **MOMO_ENV, "PUBLIC_URL": "https://soko.example",
                       "MOMO_TARGET_ENVIRONMENT": "GH:mtnghana,UG:mtnuganda", "MOBILE_MONEY_ROUTES": "UG:momo,*:mpesa"})
    assert s.mpesa_configured and s.momo_configured
    assert s.momo_target_environments == (("GH", "mtnghana"), ("UG", "mtnuganda"))
    assert s.mobile_money_routes == (("UG", "momo"), ("*", "mpesa"))
    assert load_settings({}).mobile_money_routes[-1] == ("*", "africastalking")
