"""The SMS commands as a seller, an agent and anyone sends them, through the Africa's Talking
webhook: the reply each gets (stored with the inbound message) and what changed."""

from __future__ import annotations

import itertools
import logging
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from commerce import catalog, codes, listings, people
from commerce.models import Agent, InboundMessage, Message, Order, Payment, Person, Product, utcnow
from tests.orderkit import BUYER, place

IN, M, P, PE, A, ORD, PAY = (InboundMessage.__table__, Message.__table__, Product.__table__, Person.__table__,
                             Agent.__table__, Order.__table__, Payment.__table__)
SELLER = "+254711000001"  # Mama Njeri Shop (demo), KES
TZ_SELLER = "+255712000004"  # Arusha Textiles, TZS
AGENT = "+254722000101"  # Grace Wanjiru, Kiambu, PIN 1234 (demo)
NEWCOMER = "+254700111222"

_ids = itertools.count(1)


@pytest.fixture
def sms(seeded):
    client = seeded.test_client()

    def send(phone: str, text: str) -> str:
        message_id = f"ATXid_{next(_ids)}"
        res = client.post("/sms/africastalking", data={"from": phone, "to": "20880", "text": text,
                                                        "date": "2024-05-10 12:00:00", "id": message_id})
        assert res.status_code == 200, res.get_data(as_text=True)
        with seeded.extensions["soko"].db.connect() as conn:
            return conn.execute(select(IN.c.reply).where(IN.c.provider_id == message_id)).scalar_one()

    return send


def db(app):
    return app.extensions["soko"].db


def product(app, pid):
    with db(app).connect() as conn:
        return conn.execute(select(P).where(P.c.id == pid)).one()


def code_in(reply: str) -> str:
    return next(w for w in reply.replace(":", " ").replace(".", " ").split() if w.isdigit() and len(w) >= 6)


# -- anyone -------------------------------------------------------------------------------------

def test_help_depends_on_who_asks(sms):
    assert "JOIN" in sms(NEWCOMER, "help") and "SELL" not in sms(NEWCOMER, "HELP")
    assert "SELL name price qty" in sms(SELLER, "  Help ") and "PAID" not in sms(SELLER, "help")
    assert "PAID order amount PIN" in sms(AGENT, "HELP")
    assert sms(NEWCOMER, "MSAADA").startswith("Soko: kuuza, tuma JIUNGE")  # a Swahili keyword, a Swahili answer


def test_unknown_text_gets_the_help_for_that_role(sms):
    assert sms(SELLER, "hello?").startswith("Sorry, Soko did not understand that. Soko seller:")
    assert sms(NEWCOMER, "").startswith("Sorry, Soko did not understand that. Soko: to sell")


def test_join_registers_a_seller_and_a_second_join_renames(seeded, sms):
    joined = sms(NEWCOMER, "JOIN  Amani   Shop")
    with db(seeded).connect() as conn:
        shop = codes.shop_code(listings.seller_of(conn, NEWCOMER).id)
    assert joined == ("Welcome to Soko, Amani Shop! List a product: SELL name price quantity, e.g. SELL Maize flour "
                      f"2kg 180 20. Your shop code is {shop}: buyers follow you with FOLLOW {shop}.")
    assert sms(NEWCOMER, "join Amani General Store").startswith("Your shop is now called Amani General Store.")
    assert sms(NEWCOMER, "JOIN").startswith("Send JOIN and your shop name")


def test_lang_changes_the_language_of_replies(seeded, sms):
    assert sms(SELLER, "LANG sw") == "Soko itakujibu kwa Kiswahili. Tuma MSAADA kuona amri zako."
    assert sms(SELLER, "ITEMS").startswith("Bidhaa zako")
    assert sms(SELLER, "lugha zh").startswith("Soko将用中文回复你")
    assert sms(SELLER, "LANG klingon").startswith("发送 LANG zh")
    with db(seeded).connect() as conn:
        assert people.language_of(conn, SELLER) == "zh"


def test_stop_and_start(seeded, sms):
    assert sms(SELLER, "STOP").startswith("You will get no more Soko messages")
    placed = place(db(seeded))  # the seller's new-order notice is not written while opted out
    with db(seeded).connect() as conn:
        assert conn.execute(select(M.c.to_phone).where(M.c.order_id == placed.order_id)).scalars().all() == [BUYER, AGENT]
    assert sms(SELLER, "start").startswith("Soko messages are on again")
    with db(seeded).connect() as conn:
        assert conn.execute(select(PE.c.opted_out).where(PE.c.phone == SELLER)).scalar() is False


# -- sellers ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,name,price_minor,stock", [
    ("SELL Sukuma wiki bunch 30 40", "Sukuma wiki bunch", 3000, 40),
    ("sell Gas cylinder 13kg 3,200 5", "Gas cylinder 13kg", 320000, 5),
    ("SELL Honey 500g 450.50", "Honey 500g", 45050, 1),
    ("UZA Asali 1,200.50 3", "Asali", 120050, 3),
    ("Sell: Eggs tray 420 12", "Eggs tray", 42000, 12),
])
def test_sell_lists_a_product_buyers_can_find_by_its_code(seeded, sms, text, name, price_minor, stock):
    reply = sms(SELLER, text)
    code = code_in(reply)
    pid = codes.product_id_from_code(code)
    row = product(seeded, pid)
    assert (row.name, row.price_minor, row.currency, row.stock, row.active) == (name, price_minor, "KES", stock, True)
    with db(seeded).connect() as conn:
        assert catalog.product(conn, pid).shop_name == "Mama Njeri Shop"
        assert [p.id for p in catalog.search(conn, name.split()[0], 0, 50) if p.id == pid] == [pid]
    assert f"Code {code}" in reply or f"Namba {code}" in reply


def test_sell_in_a_category_by_number_or_name(seeded, sms):
    by_number = codes.product_id_from_code(code_in(sms(SELLER, "SELL Kales 20 10 #1")))
    by_name = codes.product_id_from_code(code_in(sms(SELLER, "SELL Torch 250 #phones")))
    other = codes.product_id_from_code(code_in(sms(SELLER, "SELL Rope 10m 150 #zzz")))
    with db(seeded).connect() as conn:
        names = {pid: catalog.category_name(conn, product(seeded, pid).category_id, "en")
                 for pid in (by_number, by_name, other)}
    assert names == {by_number: "Food", by_name: "Phones & power", other: "Other"}


def test_sell_prices_in_the_sellers_own_currency(seeded, sms):
    reply = sms(TZ_SELLER, "SELL Kanga blue 15,000 4")
    assert "TZS 15,000" in reply
    assert sms(TZ_SELLER, "SELL Kanga red 15000.50 4").startswith("The price must be a number like 1200 or 1,200, in TZS.")


@pytest.mark.parametrize("text", ["SELL", "SELL Maize", "SELL 180 20", "SELL Maize flour abc", "UZA 1,20 unga"])
def test_malformed_sell_gets_its_usage(sms, text):
    assert "SELL name price quantity" in sms(SELLER, text) or "UZA jina bei idadi" in sms(SELLER, text)


def test_only_sellers_may_use_seller_commands(sms):
    for text in ("SELL Maize 180 2", "ITEMS", "PRICE 100017 20", "SENT 4829131"):
        assert sms(NEWCOMER, text).startswith("Only sellers can do that. Send JOIN")


def test_a_suspended_shop_is_refused(seeded, sms):
    from commerce.models import Seller

    with db(seeded).begin() as conn:
        conn.execute(update(Seller.__table__).values(suspended=True))
    assert sms(SELLER, "SELL Maize 180 2") == "Your shop is suspended. Please contact Soko."


def test_price_stock_remove_own_products_only(seeded, sms):
    code = code_in(sms(SELLER, "SELL Mangoes 5kg 400 10"))
    assert sms(SELLER, f"PRICE {code} 1,250") == f"Mangoes 5kg ({code}) now costs KES 1,250. Orders already placed keep their price."
    # A Swahili keyword, a code typed with a dash; the reply stays in the seller's language.
    assert sms(SELLER, f"bei {code[:3]}-{code[3:]} 450").startswith(f"Mangoes 5kg ({code}) now costs KES 450")
    assert sms(SELLER, f"STOCK {code} 25") == f"Mangoes 5kg ({code}) now has 25 in stock."
    pid = codes.product_id_from_code(code)
    assert (product(seeded, pid).price_minor, product(seeded, pid).stock) == (45000, 25)

    someone_elses = codes.product_code(1)  # Maize flour, but another number sends it
    assert sms(TZ_SELLER, f"PRICE {someone_elses} 1").startswith(f"{someone_elses} is not one of your product codes")
    # Two adjacent differing digits swapped (the code comes from the database's id: on PostgreSQL its
    # sequence may give two equal digits where a fixed position was swapped, and no change at all).
    i = next(i for i in range(len(code) - 1) if code[i] != code[i + 1])
    transposed = code[:i] + code[i + 1] + code[i] + code[i + 2:]
    assert transposed != code
    assert sms(SELLER, f"STOCK {transposed} 1").startswith(f"{transposed} is not one of your product codes")
    assert sms(SELLER, f"STOCK {code} 1000001").startswith("The quantity must be a whole number up to 100,000")

    assert sms(SELLER, f"REMOVE {code}").startswith(f"Mangoes 5kg ({code}) is off sale.")
    assert product(seeded, pid).active is False
    assert sms(SELLER, f"PRICE {code} 500").startswith(f"{code} is not one of your product codes")


def test_items_and_orders_page_through(seeded, sms):
    first = sms(SELLER, "ITEMS")
    assert first.startswith("Your items (code name price stock):") and first.endswith("More: ITEMS 2")
    assert "Padlock KES 280 x30" in first
    second = sms(SELLER, "ITEMS 2")
    assert second.splitlines()[1] not in first
    assert sms(SELLER, "ITEMS 99") == "No page 99. Send ITEMS for the first page."

    assert sms(SELLER, "ORDERS").startswith("You have no open orders.")
    placed = place(db(seeded), quantity=3)
    assert sms(SELLER, "ODA") == f"Open orders:\n{placed.code} 3x Maize flour 2kg: awaiting payment"
    sms(SELLER, "LANG sw")
    assert sms(SELLER, "ORDERS") == f"Oda zilizo wazi:\n{placed.code} 3x Maize flour 2kg: inasubiri malipo"


# -- agents ---------------------------------------------------------------------------------------

def _lock_state(app):
    with db(app).connect() as conn:
        return conn.execute(select(A.c.failed_pins, A.c.locked_until).join(PE, PE.c.id == A.c.person_id)
                            .where(PE.c.phone == AGENT)).one()


def _payments(app, code):
    with db(app).connect() as conn:
        return conn.execute(select(PAY.c.amount_minor).join(ORD, ORD.c.id == PAY.c.order_id)
                            .where(ORD.c.code == code)).scalars().all()


def test_paid_then_sent_then_delivered_by_sms(seeded, sms):
    placed = place(db(seeded))  # cash, KES 360, at Kiambu
    code = placed.code
    assert "not paid" in sms(SELLER, f"SENT {code}")
    assert sms(AGENT, f"PAID {code} 360 1234").startswith(f"Recorded KES 360 cash for order {code}. Paid in full.")
    assert sms(SELLER, f"IMETUMWA {code}") == f"Order {code} marked sent. The buyer and the agent at Kiambu are told."
    assert "delivered" in sms(AGENT, f"DELIVERED {code} 1234").lower()
    with db(seeded).connect() as conn:
        assert conn.execute(select(ORD.c.status).where(ORD.c.code == code)).scalar() == "delivered"
    assert _payments(seeded, code) == [36000]


def test_paid_amount_may_be_written_with_separators(seeded, sms):
    placed = place(db(seeded), product="Solar lamp", quantity=1)  # KES 1,500
    assert "Paid in full" in sms(AGENT, f"PAID {placed.code} 1 500 1234")
    placed = place(db(seeded), product="Solar lamp", quantity=1)
    assert "Paid in full" in sms(AGENT, f"paid {placed.code} 1,500 1234")


def test_only_registered_agents_confirm_cash_or_delivery(seeded, sms):
    placed = place(db(seeded))
    for text in (f"PAID {placed.code} 360 1234", f"DELIVERED {placed.code} 1234"):
        assert sms(SELLER, text).startswith("Only Soko agents can confirm cash or delivery.")
    assert _payments(seeded, placed.code) == []


def test_a_mistyped_order_code_is_refused_before_the_pin_counts(seeded, sms):
    placed = place(db(seeded))
    wrong = placed.code[:-1] + str((int(placed.code[-1]) + 1) % 10)
    assert sms(AGENT, f"PAID {wrong} 360 9999") == f"{wrong} is not an order code. Check the digits and send again."
    assert _lock_state(seeded).failed_pins == 0


def test_five_wrong_pins_lock_the_agent_for_15_minutes(seeded, sms, caplog):
    placed = place(db(seeded))
    code = placed.code
    right, wrong = "58302719", "97531864"  # long, so no phone number or order code contains them
    with db(seeded).begin() as conn:
        people.add_agent(conn, AGENT, "Grace Wanjiru", "Kiambu", pin=right)
    caplog.set_level(logging.DEBUG)
    assert sms(AGENT, f"PAID {code} 360").startswith("Add your PIN at the end.")  # not counted
    for left in (4, 3, 2, 1):
        assert sms(AGENT, f"PAID {code} 360 {wrong}") == (
            f"Wrong PIN, nothing was recorded. {left} tries left before a 15 minute lock.")
    assert sms(AGENT, f"PAID {code} 360 {wrong}") == "Too many wrong PINs. Try again in 15 min, or ask Soko for help."
    assert sms(AGENT, f"PAID {code} 360 {right}").startswith("Too many wrong PINs")  # even the right PIN, while locked
    assert sms(AGENT, f"DELIVERED {code} {right}").startswith("Too many wrong PINs")
    assert _payments(seeded, code) == []

    with db(seeded).begin() as conn:  # 15 minutes later
        conn.execute(update(A).values(locked_until=utcnow() - timedelta(seconds=1)))
    assert sms(AGENT, f"PAID {code} 360 {right}").startswith(f"Recorded KES 360 cash for order {code}")
    assert _lock_state(seeded) == (0, None)

    # A PIN is never echoed, stored or logged.
    with db(seeded).connect() as conn:
        bodies = conn.execute(select(IN.c.body, IN.c.reply)).all()
        outbound = conn.execute(select(M.c.body)).scalars().all()
    for pin in (right, wrong):
        assert [b for b in bodies if pin in (b.body + " " + (b.reply or ""))] == []
        assert [b for b in outbound if pin in b] == []
        assert pin not in caplog.text
    assert f"PAID {code} 360 ****" in [b for b, _ in bodies]


def test_a_right_pin_clears_the_wrong_ones(seeded, sms):
    placed = place(db(seeded))
    sms(AGENT, f"PAID {placed.code} 360 0000")
    sms(AGENT, f"PAID {placed.code} 360 0001")
    assert _lock_state(seeded).failed_pins == 2
    assert "Paid in full" in sms(AGENT, f"PAID {placed.code} 360 1234")
    assert _lock_state(seeded).failed_pins == 0


def test_an_agent_without_a_pin_needs_none(seeded, sms):
    with db(seeded).begin() as conn:
        people.add_agent(conn, NEWCOMER, "Amina", "Kiambu")
        agent_id = conn.execute(select(A.c.id).join(PE, PE.c.id == A.c.person_id).where(PE.c.phone == NEWCOMER)).scalar()
    from tests.orderkit import orders, product_id

    placed = orders.place_order(db(seeded), phone="+254712345678", product_id=product_id(db(seeded), "Salt 500g"),
                                quantity=1, agent_id=agent_id, method="cash", request_key=None,
                                payment_window_minutes=60)
    assert "Paid in full" in sms(NEWCOMER, f"PAID {placed.code} 40")


def test_the_buyer_confirms_receipt(seeded, sms):
    placed = place(db(seeded))
    sms(AGENT, f"PAID {placed.code} 360 1234")
    sms(SELLER, f"SENT {placed.code}")
    sms("+254712345678", f"RECEIVED {placed.code}")
    with db(seeded).connect() as conn:
        assert conn.execute(select(ORD.c.status).where(ORD.c.code == placed.code)).scalar() == "delivered"
