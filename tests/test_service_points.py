"""Village service points, the agent's side (SPEC §13): the agent's USSD menu and an order placed for
a customer (with a phone and without), the customer's NO within 10 minutes and after, ARRIVED and
DELIVERED with and without SENT, the PIN on the new commands, BALANCE, and the agent's statement
after a day of orders (settled in /admin, audited, the ledger check holding)."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from commerce import agent_money, lifecycle, orders, payments
from commerce.models import Agent, AuditEntry, InboundMessage, Order, OrderEvent, Person
from tests.orderkit import agent_id, assert_ledger, history, messages_to, order, place, seller_id_of, stock

IN, ORD, E, A, PE, AU = (InboundMessage.__table__, Order.__table__, OrderEvent.__table__, Agent.__table__,
                         Person.__table__, AuditEntry.__table__)
AGENT = "+254722000101"  # Grace Wanjiru, Kiambu, PIN 1234 (demo)
PIN = "1234"
SELLER = "+254711000001"  # Mama Njeri Shop (demo)
CUSTOMER = "+254712000999"
BUYER = "+254712345678"

_ids = itertools.count(1)


@pytest.fixture
def engine(seeded):
    engine = seeded.extensions["soko"].db
    yield engine
    assert_ledger(engine)  # every test here ends with the books (orders' and agents' cash) balanced


@pytest.fixture
def sms(seeded):
    client = seeded.test_client()

    def send(phone: str, text: str) -> str:
        message_id = f"ATXid_sp{next(_ids)}"
        res = client.post("/sms/africastalking", data={"from": phone, "to": "20880", "text": text,
                                                        "date": "2024-05-10 12:00:00", "id": message_id})
        assert res.status_code == 200, res.get_data(as_text=True)
        with seeded.extensions["soko"].db.connect() as conn:
            return conn.execute(select(IN.c.reply).where(IN.c.provider_id == message_id)).scalar_one()

    return send


def _code(end_screen: str) -> str:
    words = end_screen.split()
    return words[words.index("Order") + 1]


def _assisted_order(ussd, customer: str | None, name: str = "", method: str = "2", session: str = "ATUid_agent1"):
    """The agent's journey for a customer: 2 x Maize flour 2kg (KES 360); `method` 1 mobile money,
    2 cash, 3 pay on delivery. Returns each screen, the last the END."""
    s = ussd(phone=AGENT, session_id=session)
    screens = [s.dial(), s.send("1")]
    if customer is None:
        screens += [s.send("0"), s.send(name)]
    else:
        screens.append(s.send(customer))
    screens += [s.send("1"), s.send("1"), s.send("1"), s.send("1"), s.send("2"), s.send(method), s.send("1")]
    if "Order it again?" in screens[-1]:  # the same order for this customer minutes ago: yes, another
        screens.append(s.send("1"))
    return screens


# -- the agent's menu and an order for a customer --------------------------------------------------

def test_an_agent_who_dials_gets_the_agent_menu_first_and_a_buyer_does_not(seeded, ussd):
    home = ussd(phone=AGENT).dial()
    assert home.splitlines()[1:4] == ["1. Order for a customer", "2. Pickups waiting", "3. Shop"]
    assert "6. Language" in home
    assert "Order for a customer" not in ussd(phone=BUYER, session_id="ATUid_b").dial()


def test_an_order_for_a_customer_with_a_phone_end_to_end(engine, ussd, sms):
    screens = _assisted_order(ussd, "0712 000 999")
    assert screens[1].startswith("CON Customer's phone number (0 if they have none):")
    assert screens[2].startswith("CON Order for +254712000999:") and "1. Shop" in screens[2]
    assert screens[6].startswith("CON How many?")
    assert screens[7].startswith("CON How will you pay?")  # no pickup screen: the agent's own point
    summary = screens[8]
    assert "2 x Maize flour 2kg" in summary and "Pickup: Kiambu" in summary and "For: +254712000999" in summary
    done = screens[9]
    assert done.startswith("END Order ") and "placed for +254712000999" in done and "Total KES 360" in done
    code = _code(done)
    assert f"send PAID {code}" in done

    row = order(engine, code)
    aid = agent_id(engine)
    assert (row.placed_by, row.agent_id, row.customer_name, row.payment_method) == (aid, aid, None, "cash")
    with engine.connect() as conn:
        buyer = conn.execute(select(PE.c.phone).where(PE.c.id == row.buyer_id)).scalar_one()
    assert buyer == CUSTOMER  # the customer is the order's buyer: the receipt and notices go to them
    assert history(engine, code) == [("placed", f"agent:{aid}")]

    orders.announce(engine, [row.id])  # the worker's drain
    told = messages_to(engine, CUSTOMER, code)
    assert any(f"Grace Wanjiru at Kiambu ordered for you: order {code}" in m and f"Reply NO {code} within 10 min"
               in m for m in told), told

    # The agent takes the cash and the order runs on as any other.
    assert sms(AGENT, f"PAID {code} 360 {PIN}").startswith(f"Recorded KES 360 cash for order {code}")
    assert order(engine, code).status == "paid"


def test_an_order_for_a_customer_with_no_phone_is_the_agents_with_the_customers_name(engine, ussd, sms):
    screens = _assisted_order(ussd, None, name="Mama  Wambui", method="3")
    assert screens[2].startswith("CON Customer's name:")
    assert screens[3].startswith("CON Order for Mama Wambui:")
    assert "For: Mama Wambui" in screens[9]
    done = screens[10]
    assert "placed for Mama Wambui" in done and "They pay when they collect it." in done
    code = _code(done)
    row = order(engine, code)
    with engine.connect() as conn:
        buyer = conn.execute(select(PE.c.phone).where(PE.c.id == row.buyer_id)).scalar_one()
    assert (buyer, row.customer_name, row.placed_by) == (AGENT, "Mama Wambui", agent_id(engine))
    orders.announce(engine, [row.id])
    assert not any("ordered for you" in m for m in messages_to(engine, AGENT, code))  # nobody to refuse it

    # ARRIVED: nobody to text, so the agent is asked to tell the customer, and how much to collect.
    reply = sms(AGENT, f"ARRIVED {code} {PIN}")
    assert reply.startswith(f"Order {code} marked arrived. Tell Mama Wambui to collect it. Collect KES 360.")
    assert sms(AGENT, f"DELIVERED {code} {PIN}").startswith(f"Order {code} is closed as delivered, with KES 360")


def test_the_agents_screens_refuse_a_bad_number_their_own_and_an_empty_name(seeded, ussd):
    s = ussd(phone=AGENT)
    s.dial(), s.send("1")
    assert s.send("12").startswith("CON That is not a phone number.")
    assert s.send("0722 000 101").startswith("CON That is your own number.")
    assert s.send("0").startswith("CON Customer's name:")  # 0 is an answer here, not Back
    assert s.send("x").startswith("CON Type the customer's name")
    assert s.send("00").splitlines()[1] == "1. Order for a customer"  # home is the agent's home


def test_pickups_waiting_lists_the_orders_at_the_point_by_state_paged(engine, ussd, sms):
    codes_ = [place(engine, method="on_delivery", quantity=1).code for _ in range(11)]
    paid = place(engine, method="cash").code
    sms(AGENT, f"PAID {paid} 360 {PIN}")
    sms(AGENT, f"ARRIVED {codes_[0]} {PIN}")
    s = ussd(phone=AGENT)
    s.dial()
    states = s.send("2")
    assert states.splitlines()[1:4] == ["1. arrived, to collect (1)", "2. paid (1)", "3. awaiting payment (10)"]
    pages = [s.send("3")]
    assert pages[0].splitlines()[0] == "CON awaiting payment:"
    while "98 More" in pages[-1]:  # paged to the screen's budget
        pages.append(s.send("98"))
    assert len(pages) > 1 and all(len(p) <= 160 for p in pages)

    def listed(screen):
        return [line.split()[1] for line in screen.splitlines() if line.split(". ")[0].isdigit()]

    assert [c for p in pages for c in listed(p)] == codes_[1:]  # every one, oldest first
    detail = s.send("1")
    assert detail.startswith(f"CON Order {listed(pages[-1])[0]}: awaiting payment")
    assert "Total KES 180, due KES 180" in detail and f"For: {BUYER}" in detail and "0 Back" in detail


# -- NO: the customer refuses an order placed for them --------------------------------------------

def test_no_within_ten_minutes_cancels_and_gives_the_stock_back(engine, ussd, sms):
    before = stock(engine, "Maize flour 2kg")
    code = _code(_assisted_order(ussd, CUSTOMER)[-1])
    assert stock(engine, "Maize flour 2kg") == before - 2
    assert sms(BUYER, f"NO {code}").startswith(f"There is no order {code} for you")  # someone else's
    assert sms(CUSTOMER, f"NO {code}") == f"Order {code} is cancelled. You owe nothing for it."
    assert order(engine, code).status == "cancelled"
    assert stock(engine, "Maize flour 2kg") == before
    assert history(engine, code)[-1] == ("cancelled", "buyer")
    assert any(f"Order {code} for {CUSTOMER} was cancelled by the customer" in m for m in messages_to(engine, AGENT, code))
    assert any(f"Order {code} was cancelled by the buyer" in m for m in messages_to(engine, SELLER, code))
    assert sms(CUSTOMER, f"hapana {code}") == f"Order {code} is cancelled. Nothing was changed."


def test_no_after_ten_minutes_is_refused_with_the_reason(engine, ussd, sms):
    code = _code(_assisted_order(ussd, CUSTOMER)[-1])
    placed_at = order(engine, code).created_at
    # The clock injected: at exactly ten minutes it still cancels; a second later it does not.
    late = lifecycle.cancel_by_customer(engine, CUSTOMER, code, now=placed_at + timedelta(minutes=10, seconds=1))
    assert not late.ok and late.reply == (
        f"Order {code} was placed more than 10 min ago and can no longer be cancelled by SMS. Ask Grace "
        "Wanjiru at Kiambu.")
    assert order(engine, code).status == "placed"
    # Through the webhook: the order placed 11 minutes ago.
    with engine.begin() as conn:
        conn.execute(update(ORD).where(ORD.c.code == code).values(created_at=placed_at - timedelta(minutes=11)))
    assert sms(CUSTOMER, f"NO {code}").startswith(f"Order {code} was placed more than 10 min ago")
    assert order(engine, code).status == "placed"
    with engine.begin() as conn:
        conn.execute(update(ORD).where(ORD.c.code == code).values(created_at=placed_at))
    on_time = lifecycle.cancel_by_customer(engine, CUSTOMER, code, now=placed_at + timedelta(minutes=10))
    assert on_time.ok and order(engine, code).status == "cancelled"


def test_no_is_refused_once_paid_and_for_an_order_the_buyer_placed(engine, ussd, sms):
    code = _code(_assisted_order(ussd, CUSTOMER)[-1])
    sms(AGENT, f"PAID {code} 360 {PIN}")
    assert sms(CUSTOMER, f"NO {code}").startswith(f"Order {code} is already paid or on its way")
    assert order(engine, code).status == "paid"
    own = place(engine, phone=BUYER).code
    assert sms(BUYER, f"NO {own}").startswith(f"You placed order {own} yourself")
    # NO alone declines a credit group (SPEC §15); to one in no group it says how to refuse an order.
    assert sms(CUSTOMER, "NO").endswith("To cancel an order an agent placed for you, send NO and the order code.")


# -- ARRIVED and DELIVERED, with and without SENT -------------------------------------------------

def _events(engine, code):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(E.c.status, E.c.actor, E.c.note).join(ORD, ORD.c.id == E.c.order_id)
                                               .where(ORD.c.code == code).order_by(E.c.id))]


def test_paid_sent_arrived_delivered_tells_the_buyer_to_collect(engine, sms):
    code = place(engine, method="cash").code
    aid, seller = agent_id(engine), seller_id_of(engine, code)
    sms(AGENT, f"PAID {code} 360 {PIN}")
    lifecycle.mark_sent(engine, seller, code)
    reply = sms(AGENT, f"ARRIVED {code} {PIN}")
    assert reply.startswith(f"Order {code} marked arrived; the buyer is told to collect it. When you hand it over")
    assert messages_to(engine, BUYER, code)[-1] == (
        f"Order {code} has arrived: collect it from Grace Wanjiru at Kiambu. Bring this code.")
    assert sms(AGENT, f"IMEFIKA {code} {PIN}").startswith(f"Order {code} is already marked arrived")
    assert sms(AGENT, f"DELIVERED {code} {PIN}") == f"Order {code} is closed as delivered. Thank you."
    assert _events(engine, code) == [("placed", "buyer", None), ("paid", f"agent:{aid}", f"cash:{code}:1"),
                                     ("dispatched", f"seller:{seller}", None), ("arrived", f"agent:{aid}", None),
                                     ("delivered", f"agent:{aid}", None)]


def test_arrived_without_sent_implies_the_dispatch_and_says_what_to_bring(engine, sms):
    code = place(engine, method="on_delivery").code
    aid = agent_id(engine)
    assert sms(AGENT, f"imefika {code} {PIN}").startswith(f"Order {code} marked arrived")  # IMEFIKA: arrived
    assert order(engine, code).status == "arrived"
    assert messages_to(engine, BUYER, code)[-1] == (
        f"Order {code} has arrived: collect it from Grace Wanjiru at Kiambu. Bring KES 360 and this code.")
    assert sms(AGENT, f"IMEKABIDHIWA {code} {PIN}").startswith(f"Order {code} is closed as delivered, with KES 360")
    assert _events(engine, code) == [("placed", "buyer", None), ("dispatched", f"agent:{aid}", "implied"),
                                     ("arrived", f"agent:{aid}", None), ("delivered", f"agent:{aid}", None)]


@pytest.mark.parametrize("method", ["cash", "on_delivery"])
def test_delivered_without_sent_or_arrived_is_accepted_and_the_skipped_step_implied(engine, sms, method):
    code = place(engine, method=method).code
    aid = agent_id(engine)
    if method == "cash":
        sms(AGENT, f"PAID {code} 360 {PIN}")
    assert sms(AGENT, f"NIMEKABIDHI {code} {PIN}").startswith(f"Order {code} is closed as delivered")
    paid_note = f"cash:{code}:1"
    assert _events(engine, code) == [("placed", "buyer", None), ("paid", f"agent:{aid}", paid_note),
                                     ("dispatched", f"agent:{aid}", "implied"), ("delivered", f"agent:{aid}", None)]
    assert any(f"Order {code} was handed to the buyer" in m for m in messages_to(engine, SELLER, code))


@pytest.mark.parametrize("command", ["DELIVERED", "ARRIVED"])
def test_an_unpaid_cash_order_is_still_refused_with_the_amount_due(engine, sms, command):
    code = place(engine, method="cash").code
    before = _events(engine, code)
    reply = sms(AGENT, f"{command} {code} {PIN}")
    assert f"Order {code} is not paid" in reply and "KES 360 due" in reply
    assert order(engine, code).status == "placed" and _events(engine, code) == before


# -- the PIN on the new commands ---------------------------------------------------------------------

def test_pin_rules_on_arrived_and_balance(engine, sms):
    code = place(engine, method="on_delivery").code
    assert sms(AGENT, f"ARRIVED {code}").startswith("Add your PIN at the end. Send ARRIVED")  # not counted
    assert sms(AGENT, "BALANCE").startswith("Add your PIN at the end. Send BALANCE")
    assert sms(AGENT, f"ARRIVED {code} 9999").startswith("Wrong PIN, nothing was recorded. 4 tries left")
    assert sms(AGENT, "SALIO 9999").startswith("Wrong PIN, nothing was recorded. 3 tries left")
    assert sms(AGENT, f"ARRIVED {code} 9999").startswith("Wrong PIN, nothing was recorded. 2 tries left")
    assert sms(AGENT, "BALANCE 9999").startswith("Wrong PIN, nothing was recorded. 1 tries left")
    assert sms(AGENT, "BALANCE 9999") == "Too many wrong PINs. Try again in 15 min, or ask Soko for help."
    assert sms(AGENT, f"BALANCE {PIN}").startswith("Too many wrong PINs")  # even the right one, while locked
    assert sms(AGENT, f"ARRIVED {code} {PIN}").startswith("Too many wrong PINs")
    assert order(engine, code).status == "placed"
    assert sms(BUYER, f"ARRIVED {code} {PIN}").startswith("Only Soko agents")
    assert sms(BUYER, "BALANCE").startswith("Only Soko agents")
    with engine.connect() as conn:  # the PIN is never stored
        stored = conn.execute(select(IN.c.body)).scalars().all()
    assert not [b for b in stored if PIN in b or "9999" in b]
    # After the lock, a fresh start.
    with engine.begin() as conn:
        conn.execute(update(A).values(locked_until=None, failed_pins=0))
    assert sms(AGENT, f"ARRIVED {code} {PIN}").startswith(f"Order {code} marked arrived")


# -- commission and the agent's statement -----------------------------------------------------------

def test_the_agents_statement_after_a_day_of_orders(engine, seeded, ussd, sms):
    aid = agent_id(engine)
    # The day: cash paid, sent, delivered (KES 360); pay on delivery, never sent (KES 180); an
    # assisted cash order paid, arrived, received by the customer (KES 360); a short payment still
    # open (KES 200 of 360); one cancelled by its customer; a mobile-money order elsewhere.
    a = place(engine, method="cash").code
    sms(AGENT, f"PAID {a} 360 {PIN}")
    lifecycle.mark_sent(engine, seller_id_of(engine, a), a)
    sms(AGENT, f"DELIVERED {a} {PIN}")
    b = place(engine, method="on_delivery", quantity=1).code
    sms(AGENT, f"DELIVERED {b} {PIN}")
    c = _code(_assisted_order(ussd, CUSTOMER, session="ATUid_c")[-1])
    sms(AGENT, f"PAID {c} 360 {PIN}")
    sms(AGENT, f"ARRIVED {c} {PIN}")
    assert sms(CUSTOMER, f"RECEIVED {c}").startswith("Thank you!")
    d = place(engine, method="cash").code
    sms(AGENT, f"PAID {d} 200 {PIN}")
    e = _code(_assisted_order(ussd, CUSTOMER, session="ATUid_e")[-1])
    sms(CUSTOMER, f"NO {e}")
    place(engine, method="mobile_money", village="Malindi")

    # Commission: 5% of 360 + 180 + 360 = 18 + 9 + 18 = KES 45; cash: 360 + 180 + 360 + 200 = KES 1,100.
    assert sms(AGENT, f"BALANCE {PIN}") == (
        "Cash held for sellers: KES 1,100. Commission this week: KES 45; unpaid: KES 45.")
    st = agent_money.statement(engine, aid)
    [kes] = st["balances"]
    assert (kes["cash_collected"]["amount_minor"], kes["cash_held"]["amount_minor"],
            kes["commission_earned"]["amount_minor"], kes["commission_unpaid"]["amount_minor"]) == (
        110000, 110000, 4500, 4500)
    by_code = {o["code"]: o for o in st["orders"]}
    assert {k: (v["status"], v["cash"]["amount_minor"], v["commission"]["amount_minor"], v["assisted"])
            for k, v in by_code.items()} == {
        a: ("delivered", 36000, 1800, False), b: ("delivered", 18000, 900, False),
        c: ("delivered", 36000, 1800, True), d: ("placed", 20000, 0, False), e: ("cancelled", 0, 0, True)}

    # The operator, in /admin: the statement page, then cash handed over and commission paid.
    client = _admin(seeded)
    page = client.get(f"/admin/agents/{aid}").get_data(as_text=True)
    assert "Grace Wanjiru" in page and "KES 1,100" in page and "KES 45" in page and c in page
    csrf = _csrf(page)
    too_much = client.post(f"/admin/agents/{aid}/settle", data={
        "csrf": csrf, "kind": "cash", "currency": "KES", "amount": "1,200", "reference": "R1"}, follow_redirects=True)
    assert "KES 1,200 is more than the KES 1,100 there is to settle" in too_much.get_data(as_text=True)
    no_ref = client.post(f"/admin/agents/{aid}/settle", data={
        "csrf": csrf, "kind": "cash", "currency": "KES", "amount": "100", "reference": " "}, follow_redirects=True)
    assert "reference is required" in no_ref.get_data(as_text=True)
    done = client.post(f"/admin/agents/{aid}/settle", data={
        "csrf": csrf, "kind": "cash", "currency": "KES", "amount": "1,000", "reference": "MPESA QX12"},
        follow_redirects=True)
    assert "Recorded KES 1,000 cash handed over." in done.get_data(as_text=True)
    paid = client.post(f"/admin/agents/{aid}/settle", data={
        "csrf": csrf, "kind": "commission", "currency": "KES", "amount": "45", "reference": "PAYOUT-7"},
        follow_redirects=True)
    assert "Recorded KES 45 commission paid." in paid.get_data(as_text=True)

    assert sms(AGENT, f"BALANCE {PIN}") == (
        "Cash held for sellers: KES 100. Commission this week: KES 45; unpaid: KES 0.")
    with engine.connect() as conn:
        audited = conn.execute(select(AU.c.actor, AU.c.action, AU.c.target, AU.c.detail).order_by(AU.c.id)).all()
    assert [tuple(x) for x in audited[-2:]] == [
        ("admin:web", "agent_cash_settled", f"agent:{aid}", "KES 1,000 ref MPESA QX12"),
        ("admin:web", "agent_commission_paid", f"agent:{aid}", "KES 45 ref PAYOUT-7")]
    # The ledger check (the fixture's, at the end) holds collected = settled + held; a cash entry
    # missing from the agent's books is caught.
    with engine.begin() as conn:
        assert payments.ledger_problems(conn) == []
        conn.execute(agent_money.AE.delete().where(agent_money.AE.c.kind == "cash_out"))
        assert payments.ledger_problems(conn) == []  # settled less, held more: still adds up
        conn.execute(agent_money.AE.delete().where(agent_money.AE.c.reference == f"cash:{a}:1"))
        assert payments.ledger_problems(conn) == [(f"agent:{aid} KES", 110000, 74000)]
        conn.rollback()


def test_the_statement_through_the_api(engine, seeded, sms):
    aid = agent_id(engine)
    code = place(engine, method="on_delivery", quantity=1).code
    sms(AGENT, f"DELIVERED {code} {PIN}")
    client = seeded.test_client()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    got = client.get(f"/admin/api/agents/{aid}/statement", headers=headers).get_json()
    assert got["balances"][0]["cash_held"] == {"amount_minor": 18000, "currency": "KES"}
    assert got["balances"][0]["commission_unpaid"] == {"amount_minor": 900, "currency": "KES"}
    bad = client.post(f"/admin/api/agents/{aid}/settle", headers=headers,
                      json={"kind": "cash", "amount": "abc", "currency": "KES", "reference": "R"})
    assert bad.status_code == 400 and "amount is not valid" in bad.get_json()["error"]
    assert client.post("/admin/api/agents/999/settle", headers=headers, json={
        "kind": "cash", "amount": "1", "currency": "KES", "reference": "R"}).status_code == 404
    ok = client.post(f"/admin/api/agents/{aid}/settle", headers=headers,
                     json={"kind": "commission", "amount": "9", "currency": "KES", "reference": "R2"})
    assert ok.status_code == 201 and ok.get_json()["balances"][0]["commission_unpaid"]["amount_minor"] == 0
    detail = client.get(f"/admin/api/orders/{code}", headers=headers).get_json()
    assert detail["placed_by"] is None and detail["status"] == "delivered"


def test_an_assisted_order_shows_its_agent_in_the_api_and_the_order_page(engine, seeded, ussd):
    code = _code(_assisted_order(ussd, CUSTOMER)[-1])
    client = seeded.test_client()
    detail = client.get(f"/admin/api/orders/{code}", headers={"Authorization": f"Bearer {TOKEN}"}).get_json()
    assert detail["placed_by"] == {"id": agent_id(engine), "name": "Grace Wanjiru", "village": "Kiambu"}
    assert detail["buyer"] == CUSTOMER and detail["history"][0]["by"] == f"agent:{agent_id(engine)}"
    page = _admin(seeded).get(f"/admin/orders/{code}").get_data(as_text=True)
    assert "by agent" in page and "Grace Wanjiru" in page and f"for {CUSTOMER}" in page


TOKEN = "test-admin-token-0123456789"


@pytest.fixture
def seeded(make_app):
    """The demo catalog, with the admin open (ADMIN_TOKEN set)."""
    from commerce import demo

    app = make_app(admin_token=TOKEN)
    with app.extensions["soko"].db.begin() as conn:
        demo.seed(conn)
    return app


@pytest.fixture
def ussd(seeded):
    from tests.conftest import UssdSession

    client = seeded.test_client()

    def _new(phone=BUYER, session_id="ATUid_test1", **kw):
        return UssdSession(client, phone, session_id, **kw)

    return _new


def _admin(app):
    client = app.test_client()
    client.post("/admin/login", data={"token": TOKEN, "next": "/admin"})
    return client


def _csrf(page: str) -> str:
    marker = 'name="csrf" value="'
    return page[page.index(marker) + len(marker):].split('"', 1)[0]

