"""The order lifecycle through the service functions the SMS commands call: SENT, PAID, DELIVERED,
RECEIVED, and expiry; every change in the history with who made it; illegal moves refused."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from commerce import lifecycle
from commerce.models import utcnow
from tests.orderkit import (
    BUYER,
    ORD,
    agent_id,
    assert_ledger,
    history,
    messages_to,
    order,
    payment_rows,
    place,
    seller_id_of,
    stock,
)

AGENT_PHONE = "+254722000101"  # Grace Wanjiru, Kiambu
SELLER_PHONE = "+254711000001"  # Mama Njeri Shop


@pytest.fixture
def engine(seeded):
    engine = seeded.extensions["soko"].db
    yield engine
    assert_ledger(engine)


def test_cash_in_full_then_sent_then_delivered(engine):
    placed = place(engine, method="cash")  # 2 x 180 = KES 360
    code, agent, seller = placed.code, agent_id(engine), seller_id_of(engine, placed.code)

    refused = lifecycle.mark_sent(engine, seller, code)
    assert not refused.ok and "not paid yet" in refused.reply and "KES 360" in refused.reply

    paid = lifecycle.record_cash_payment(engine, agent, code, "360")
    assert paid.ok and "Paid in full" in paid.reply and paid.message_ids
    assert order(engine, code).status == "paid"
    assert any("SENT " + code in m for m in messages_to(engine, SELLER_PHONE, code))

    again = lifecycle.record_cash_payment(engine, agent, code, "360")
    assert not again.ok and "already paid" in again.reply

    # (A DELIVERED before SENT is accepted now, SPEC §13: tests/test_service_points.py.)
    sent = lifecycle.mark_sent(engine, seller, code)
    assert sent.ok and "marked sent" in sent.reply
    assert any("on its way" in m for m in messages_to(engine, BUYER, code))
    assert not lifecycle.mark_sent(engine, seller, code).ok

    done = lifecycle.confirm_delivery(engine, agent, code)
    assert done.ok and "delivered" in done.reply
    assert order(engine, code).status == "delivered"
    assert history(engine, code) == [("placed", "buyer"), ("paid", f"agent:{agent}"),
                                     ("dispatched", f"seller:{seller}"), ("delivered", f"agent:{agent}")]
    assert not lifecycle.confirm_delivery(engine, agent, code).ok


def test_short_cash_leaves_balance_and_says_so(engine):
    code = place(engine, method="cash").code
    agent = agent_id(engine)
    short = lifecycle.record_cash_payment(engine, agent, code, "200")
    assert short.ok and "Still due: KES 160" in short.reply
    assert any("Still due: KES 160" in m for m in messages_to(engine, BUYER, code))
    row = order(engine, code)
    assert row.status == "placed" and row.paid_minor == 20000
    rest = lifecycle.record_cash_payment(engine, agent, code, "1,60")
    assert not rest.ok  # "1,60" is no amount
    rest = lifecycle.record_cash_payment(engine, agent, code, "160")
    assert rest.ok and order(engine, code).status == "paid"
    assert [p.reference for p in payment_rows(engine, code)] == [f"cash:{code}:1", f"cash:{code}:2"]


def test_overpayment_is_flagged(engine):
    code = place(engine, method="cash").code
    over = lifecycle.record_cash_payment(engine, agent_id(engine), code, "500")
    assert over.ok and "KES 140 more than due" in over.reply
    row = order(engine, code)
    assert row.status == "paid" and row.paid_minor == 50000 and "overpaid" in row.flags.split()


def test_only_the_pickup_agent_and_the_seller_of_the_order(engine):
    code = place(engine, method="cash").code
    other_agent = agent_id(engine, "Malindi")
    refused = lifecycle.record_cash_payment(engine, other_agent, code, "360")
    assert not refused.ok and "no order" in refused.reply
    other_seller = seller_id_of(engine, place(engine, product="Torch with batteries", quantity=1).code)
    assert not lifecycle.mark_sent(engine, other_seller, code).ok
    bad = lifecycle.mark_sent(engine, other_seller, code[:-1] + str((int(code[-1]) + 1) % 10))
    assert not bad.ok and "not an order code" in bad.reply
    assert order(engine, code).paid_minor == 0


def test_pay_on_delivery_closes_with_the_cash(engine):
    code = place(engine, method="on_delivery", quantity=1).code  # KES 180
    agent, seller = agent_id(engine), seller_id_of(engine, code)
    sent = lifecycle.mark_sent(engine, seller, code)
    assert sent.ok
    assert any("Pay KES 180 when you collect" in m for m in messages_to(engine, BUYER, code))
    assert any("Collect KES 180" in m for m in messages_to(engine, AGENT_PHONE, code))
    receipt = lifecycle.confirm_receipt(engine, BUYER, code)
    assert not receipt.ok and "pay KES 180" in receipt.reply
    done = lifecycle.confirm_delivery(engine, agent, code)
    assert done.ok and "KES 180 cash recorded" in done.reply
    row = order(engine, code)
    assert row.status == "delivered" and row.paid_minor == 18000
    assert [p.method for p in payment_rows(engine, code)] == ["cash"]


def test_buyer_confirms_receipt(engine):
    code = place(engine, method="cash").code
    agent, seller = agent_id(engine), seller_id_of(engine, code)
    lifecycle.record_cash_payment(engine, agent, code, "360")
    lifecycle.mark_sent(engine, seller, code)
    assert not lifecycle.confirm_receipt(engine, "+254700000999", code).ok
    got = lifecycle.confirm_receipt(engine, BUYER, code)
    assert got.ok and history(engine, code)[-1] == ("delivered", "buyer")


def test_replies_in_the_actors_language(engine):
    from commerce import people

    code = place(engine, method="cash").code
    with engine.begin() as conn:
        people.set_language(conn, AGENT_PHONE, "sw")
    short = lifecycle.record_cash_payment(engine, agent_id(engine), code, "100")
    assert "Bado inadaiwa: KES 260" in short.reply


def test_expiry_releases_stock_and_tells_everyone(engine):
    before = stock(engine, "Maize flour 2kg")
    placed = place(engine, method="mobile_money")
    assert stock(engine, "Maize flour 2kg") == before - 2
    early = lifecycle.expire_order(engine, placed.order_id)
    assert not early.ok and order(engine, placed.code).status == "placed"
    with engine.begin() as conn:
        conn.execute(update(ORD).where(ORD.c.id == placed.order_id).values(expires_at=utcnow() - timedelta(seconds=1)))
    done = lifecycle.expire_order(engine, placed.order_id)
    assert done.ok and len(done.message_ids) == 3
    assert order(engine, placed.code).status == "expired"
    assert stock(engine, "Maize flour 2kg") == before
    assert any("expired" in m for m in messages_to(engine, BUYER, placed.code))
    assert not lifecycle.expire_order(engine, placed.order_id).ok  # twice: nothing more
    assert stock(engine, "Maize flour 2kg") == before
    late = lifecycle.record_cash_payment(engine, agent_id(engine), placed.code, "360")
    assert not late.ok and "give the cash back" in late.reply
