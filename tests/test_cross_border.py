"""Buyers and sellers in different currencies: prices shown in the buyer's currency, the rate
locked into the order, payment and cash in the buyer's currency, the seller told in theirs; the
operator's `rates` command; no rate, no order. Seller and agent act by SMS through the webhook."""

from itertools import count

from sqlalchemy import delete, select

from commerce.models import Message, Rate
from tests import payflow
from tests.orderkit import TZ_BUYER, messages_to, order, payment_rows, stock
from tests.payflow import notification
from tests.test_payments import buy, post

pay_app, jobs = payflow.pay_app, payflow.jobs
TZ_SELLER, AGENT = "+255712000004", "+254722000101"  # Arusha Textiles; Grace Wanjiru at Kiambu
_ids = count(1)


def sms(client, sender: str, text: str) -> str:
    """An SMS to Soko through Africa's Talking's webhook; returns the reply Soko queued."""
    sid = f"ATXid_in{next(_ids)}"
    res = client.post("/sms/africastalking", data={"from": sender, "to": "12345", "text": text,
                                                   "date": "2024-05-10 12:34:56", "id": sid, "linkId": ""})
    assert res.status_code == 200, res.get_data(as_text=True)
    db = client.application.extensions["soko"].db
    with db.connect() as conn:
        return conn.execute(select(Message.__table__.c.body).where(Message.__table__.c.to_phone == sender,
                                                                   Message.__table__.c.kind == "reply")
                            .order_by(Message.__table__.c.id.desc())).scalars().first()


def test_kenyan_buyer_tanzanian_seller_end_to_end(pay_app, jobs, ussd, fake_providers):
    client, db = pay_app.test_client(), pay_app.extensions["soko"].db
    s = ussd(session_id="ATUid_cb0")
    s.dial()
    s.send("2")
    assert "Kanga pair KES 600" in s.send("Kanga")  # TZS 12,000 at 1 TZS = 0.05 KES
    s.send("1")
    s.send("1")
    s.send("2")
    s.send("1")
    summary = s.send("1")
    assert "Total KES 1,200" in summary and "TZS 24,000" in summary
    code = s.send("1").split()[2].rstrip(".")
    row = order(db, code)
    assert (row.total_minor, row.currency, row.seller_total_minor, row.seller_currency, row.rate) == \
        (120000, "KES", 2400000, "TZS", "0.05")
    jobs.run(fast_forward=False)  # the new order's drain: its notices, the checkout not due yet
    assert any("TZS 24,000" in m for m in messages_to(db, TZ_SELLER, code))

    # The operator changes the rate: the placed order keeps its own.
    cli = pay_app.test_cli_runner()
    result = cli.invoke(args=["rates", "set", "tzs", "KES", "0.06"])
    assert result.exit_code == 0 and "1 TZS = 0.06 KES" in result.output
    assert "1 TZS = 0.06 KES" in cli.invoke(args=["rates", "list"]).output
    assert order(db, code).total_minor == 120000
    fresh = ussd(session_id="ATUid_cb1")
    fresh.dial()
    fresh.send("2")
    assert "Kanga pair KES 720" in fresh.send("Kanga")

    jobs.run()
    [req] = fake_providers.requests_to("/mobile/checkout")
    assert req["json"]["currencyCode"] == "KES" and req["json"]["amount"] == 1200
    assert post(client, notification(code, "KES 1200.0000", tid="ATPid_cb")).json["outcome"] == "paid"
    assert any("is paid (TZS 24,000)" in m for m in messages_to(db, TZ_SELLER, code))

    assert "marked sent" in sms(client, TZ_SELLER, f"sent {code}")
    assert "closed as delivered" in sms(client, AGENT, f"DELIVERED {code} 1234")
    assert order(db, code).status == "delivered"


def test_tanzanian_buyer_pays_whole_shillings(pay_app, ussd):
    """KES 180 x 2 at 1 KES = 20.123 TZS is TZS 7,244.28 exactly; people pay TZS 7,244."""
    client, db = pay_app.test_client(), pay_app.extensions["soko"].db
    assert pay_app.test_cli_runner().invoke(args=["rates", "set", "KES", "TZS", "20.123"]).exit_code == 0
    code = buy(client, ussd, method="2", phone=TZ_BUYER, session="ATUid_tz")
    row = order(db, code)
    assert (row.total_minor, row.currency) == (724428, "TZS")
    short = sms(client, AGENT, f"PAID {code} 7,000 1234")
    assert "Still due: TZS 244" in short
    full = sms(client, AGENT, f"PAID {code} 244 1234")
    assert "Paid in full" in full
    row = order(db, code)
    assert row.status == "paid" and row.paid_minor == 724400 and row.flags == ""
    assert "already paid" in sms(client, AGENT, f"PAID {code} 1 1234")
    assert [p.amount_minor for p in payment_rows(db, code)] == [700000, 24400]


def test_tanzanian_mobile_money_for_the_rounded_total(pay_app, jobs, ussd, fake_providers):
    client, db = pay_app.test_client(), pay_app.extensions["soko"].db
    pay_app.test_cli_runner().invoke(args=["rates", "set", "KES", "TZS", "20.123"])
    code = buy(client, ussd, phone=TZ_BUYER, session="ATUid_tzm")
    jobs.run()
    [req] = fake_providers.requests_to("/mobile/checkout")
    assert req["json"]["currencyCode"] == "TZS" and req["json"]["amount"] == 7244
    assert post(client, notification(code, "TZS 7244.0000", tid="ATPid_tz")).json["outcome"] == "paid"
    assert order(db, code).paid_minor == 724400


def test_no_rate_no_order(pay_app, ussd):
    db = pay_app.extensions["soko"].db
    R = Rate.__table__
    with db.begin() as conn:
        conn.execute(delete(R).where(R.c.from_currency == "TZS", R.c.to_currency == "KES"))
    before = stock(db, "Kanga pair")
    s = ussd(session_id="ATUid_norate")
    s.dial()
    s.send("2")
    s.send("Kanga")
    s.send("1")
    s.send("1")
    s.send("1")
    s.send("1")
    summary = s.send("1")
    assert "cannot be paid in KES yet" in summary and "Confirm" not in summary
    s.send("1")
    with db.connect() as conn:
        assert conn.execute(select(Message.__table__.c.id)).first() is None
    assert stock(db, "Kanga pair") == before


def test_rates_command_refuses_bad_input(pay_app):
    cli = pay_app.test_cli_runner()
    for args, why in ((["KES", "XYZ", "1"], "ISO 4217"), (["KES", "KES", "1"], "must differ"),
                      (["TZS", "KES", "abc"], "number"), (["TZS", "KES", "--", "-1"], "positive"),
                      (["TZS", "KES", "0"], "positive")):
        result = cli.invoke(args=["rates", "set", *args])
        assert result.exit_code != 0 and why in result.output, result.output
