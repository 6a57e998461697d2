"""The buyer's whole journey through HTTP, as a handset sees it."""

import itertools
import re

import pytest
from sqlalchemy import func, select

from commerce import codes, orders
from commerce.models import Message, Order, OrderEvent, Product


def _order_code(end_screen: str) -> str:
    words = end_screen.split()
    return words[words.index("Order") + 1]


def test_shop_to_order_with_cash(seeded, ussd):
    s = ussd()
    home = s.dial()
    assert home.startswith("CON Welcome to Soko")
    assert "1. Shop" in home and "3. My orders" in home
    cats = s.send("1")
    assert "1. Food" in cats
    listing = s.send("1")
    assert "Maize flour 2kg KES 180" in listing
    product = s.send("1")
    assert "Seller: Mama Njeri Shop" in product and "In stock: 120" in product
    assert "How many?" in s.send("1")
    assert "Pickup point:" in s.send("2")
    assert "How will you pay?" in s.send("1")
    summary = s.send("2")
    assert "2 x Maize flour 2kg" in summary and "Total KES 360" in summary and "1. Confirm" in summary
    done = s.send("1")
    assert done.startswith("END Order ") and "KES 360" in done
    code = _order_code(done)

    engine = seeded.extensions["soko"].db
    with engine.connect() as conn:
        order = conn.execute(select(Order.__table__).where(Order.__table__.c.code == code)).one()
        assert order.status == "placed" and order.payment_method == "cash"
        assert order.total_minor == 36000 and order.currency == "KES"
        stock = conn.execute(select(Product.__table__.c.stock).where(Product.__table__.c.name == "Maize flour 2kg")).scalar()
        assert stock == 118
        history = conn.execute(select(OrderEvent.__table__.c.status).where(OrderEvent.__table__.c.order_id == order.id)).scalars().all()
        assert history == ["placed"]
        notes = conn.execute(select(Message.__table__.c.to_phone).where(Message.__table__.c.order_id == order.id)).scalars().all()
        assert notes == [] and not order.announced  # told by the worker, a second later (below)
    assert len(orders.announce(engine, orders.unannounced(engine))) == 3  # what the worker's drain does
    with engine.connect() as conn:
        notes = conn.execute(select(Message.__table__.c.to_phone).where(Message.__table__.c.order_id == order.id)).scalars().all()
        assert sorted(notes) == ["+254711000001", "+254712345678", "+254722000101"]  # seller, buyer, agent



def test_stock_sold_while_choosing_is_caught_at_confirm(seeded, ussd):
    """The quantity screen offers up to the stock the product screen showed; if others buy it
    meanwhile, Confirm says so, places nothing, and a smaller quantity still goes through."""
    engine = seeded.extensions["soko"].db
    s = ussd()
    s.dial()
    s.send("1"), s.send("1")
    assert "In stock: 120" in s.send("1")
    assert "How many? (1-99)" in s.send("1")
    with engine.begin() as conn:  # other buyers take all but one
        conn.execute(T_PRODUCT.update().where(T_PRODUCT.c.name == "Maize flour 2kg").values(stock=1))
    s.send("5"), s.send("1")
    assert "5 x Maize flour 2kg" in s.send("2")
    assert s.send("1").startswith("CON Sorry, not enough in stock now.")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(T_ORDER)).scalar() == 0
        assert conn.execute(select(T_PRODUCT.c.stock).where(T_PRODUCT.c.name == "Maize flour 2kg")).scalar() == 1

# -- every payment method in every language --------------------------------------------------------

T_ORDER, T_PRODUCT, T_EVENT = Order.__table__, Product.__table__, OrderEvent.__table__
LANG_CHOICE = {"en": "1", "sw": "2", "zh": "3"}
WORDS = {  # what each language's screens say at each step, as a buyer would read them
    "en": {"home": "Welcome to Soko", "qty": "How many?", "pay": "How will you pay?", "confirm": "1. Confirm",
           "placed": "Order {code} placed", "mobile_money": "PIN", "cash": "Pay cash to the agent at Kiambu",
           "on_delivery": "Pay when you collect it at Kiambu", "status": "awaiting payment"},
    "sw": {"home": "Karibu Soko", "qty": "Ngapi?", "pay": "Utalipa vipi?", "confirm": "1. Thibitisha",
           "placed": "Oda {code} imepokelewa", "mobile_money": "PIN", "cash": "Lipa taslimu kwa wakala wa Kiambu",
           "on_delivery": "Lipa ukiichukua Kiambu", "status": "inasubiri malipo"},
    "zh": {"home": "欢迎来到Soko", "qty": "数量?", "pay": "付款方式?", "confirm": "1. 确认",
           "placed": "订单{code}已下单", "mobile_money": "密码", "cash": "请到Kiambu代理处付现金",
           "on_delivery": "在Kiambu取货时付款", "status": "待付款"},
}
METHODS = {"mobile_money": "1", "cash": "2", "on_delivery": "3"}


def _db(app):
    return app.extensions["soko"].db


def _stock(app, name):
    with _db(app).connect() as conn:
        return conn.execute(select(T_PRODUCT.c.stock).where(T_PRODUCT.c.name == name)).scalar()


def _forget_sessions(app):
    """Drop every USSD session from Redis: what survives is what the database remembers."""
    r = app.extensions["soko"].redis
    for key in r.scan_iter("u:*"):
        r.delete(key)


@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize("lang", list(LANG_CHOICE))
def test_order_with_each_payment_method_in_each_language(seeded, ussd, lang, method):
    phone = "+2547120000" + str(10 + list(LANG_CHOICE).index(lang) * 3 + list(METHODS).index(method))
    w = WORDS[lang]
    s = ussd(phone=phone, session_id=f"lang-{lang}-{method}")
    assert s.dial().startswith("CON Welcome to Soko")
    assert "1. English\n2. Kiswahili\n3. 中文" in s.send("4")
    home = s.send(LANG_CHOICE[lang])
    assert home.startswith("CON " + w["home"]), home

    # A later session, with Redis forgotten: the language is remembered for this phone.
    _forget_sessions(seeded)
    s = ussd(phone=phone, session_id=f"lang-{lang}-{method}-2")
    assert s.dial().startswith("CON " + w["home"])
    s.send("1")
    s.send("1")
    assert "Maize flour 2kg" in s.send("1")
    assert s.send("1").startswith("CON " + w["qty"])
    s.send("2")
    assert s.send("1").startswith("CON " + w["pay"])
    summary = s.send(METHODS[method])
    assert "2 x Maize flour 2kg" in summary and "360" in summary and w["confirm"] in summary, summary
    done = s.send("1")
    code = re.search(r"\d{7}", done).group()
    assert codes.is_valid(code)
    assert done.startswith("END " + w["placed"].format(code=code)), done
    assert w[method] in done, done

    with _db(seeded).connect() as conn:
        order = conn.execute(select(T_ORDER).where(T_ORDER.c.code == code)).one()
    assert (order.status, order.payment_method, order.total_minor, order.currency) == ("placed", method, 36000, "KES")
    assert _stock(seeded, "Maize flour 2kg") == 118

    # My orders, in the buyer's language, shows it with its status.
    s = ussd(phone=phone, session_id=f"lang-{lang}-{method}-3")
    s.dial()
    mine = s.send("3")
    assert f"1. {code} {w['status']}" in mine, mine


def test_a_cross_border_buyer_sees_and_pays_their_own_currency(seeded, ussd):
    s = ussd(phone="+255712345678", session_id="tz")
    s.dial()
    s.send("1")
    listing = s.send("1")
    assert "Maize flour 2kg TSh" in listing or "Maize flour 2kg TZS" in listing, listing
    for step in ("1", "1", "1", "1", "2"):
        s.send(step)
    assert "KES 180" in s.last  # the seller's own price beside the buyer's total
    done = s.send("1")
    assert done.startswith("END Order ")
    with _db(seeded).connect() as conn:
        order = conn.execute(select(T_ORDER)).one()
    assert (order.total_minor, order.currency, order.seller_total_minor, order.seller_currency) == \
        (360000, "TZS", 18000, "KES")


# -- search ----------------------------------------------------------------------------------------

def test_search_by_words(seeded, ussd):
    s = ussd()
    s.dial()
    assert s.send("2").startswith("CON Type a product name or code:")
    results = s.send("maize")
    assert results.startswith("CON Results for 'maize':")
    assert "Maize flour 2kg KES 180" in results and "Maize seed 2kg KES 650" in results
    assert s.send("2").startswith("CON Maize seed 2kg")
    s.send("0")
    s.send("0")
    assert s.send("MAIZE   seed").count("\n1. ") == 1  # every word must match, any case
    s.send("0")
    nothing = s.send("zzzz")
    assert nothing.startswith("CON Nothing found. Try another word.\nType a product name or code:")


def test_search_by_product_code_and_a_mistyped_code_is_refused(seeded, ussd):
    with _db(seeded).connect() as conn:
        pid = conn.execute(select(T_PRODUCT.c.id).where(T_PRODUCT.c.name == "Rice 1kg")).scalar()
    code = codes.product_code(pid)
    s = ussd()
    s.dial()
    s.send("2")
    assert s.send(code).startswith("CON Rice 1kg\nKES 190")
    assert f"#{code}" in s.last  # the product screen shows the code to tell a friend
    s.send("0")
    wrong = [code[:i] + d + code[i + 1:] for i in range(len(code)) for d in "0123456789" if d != code[i]]
    wrong += [code[:i] + code[i + 1] + code[i] + code[i + 2:] for i in range(len(code) - 1) if code[i] != code[i + 1]]
    for typo in wrong:
        answer = s.send(typo)
        assert answer.startswith("CON That code is not valid. Check the digits and try again.\n"
                                 "Type a product name or code:"), (typo, answer)
    assert s.send(code[:3] + " " + code[3:]).startswith("CON Rice 1kg")  # spaces typed in a code are fine


# -- My orders: cancel -----------------------------------------------------------------------------

def _place(seeded, ussd, session_id, method="2", qty="3"):
    s = ussd(session_id=session_id)
    s.dial()
    for step in ("1", "1", "2", "1", qty, "1", method):  # rice
        s.send(step)
    done = s.send("1")
    return re.search(r"\d{7}", done).group()


def _history(app, code):
    with _db(app).connect() as conn:
        oid = conn.execute(select(T_ORDER.c.id).where(T_ORDER.c.code == code)).scalar()
        return conn.execute(select(T_EVENT.c.status, T_EVENT.c.actor).where(T_EVENT.c.order_id == oid)
                            .order_by(T_EVENT.c.id)).all()


def test_cancelling_an_open_order_releases_its_stock_and_records_it(seeded, ussd):
    code = _place(seeded, ussd, "buy")
    assert _stock(seeded, "Rice 1kg") == 77
    s = ussd(session_id="cancel")
    s.dial()
    s.send("3")
    detail = s.send("1")
    assert detail.startswith(f"CON Order {code}: awaiting payment\n3 x Rice 1kg\nTotal KES 570\nPickup: Kiambu")
    assert "1. Cancel order" in detail
    assert s.send("1").startswith(f"CON Cancel order {code}?\n1. Yes\n2. No")
    done = s.send("1")
    assert done == f"END Order {code} is cancelled."
    assert s.resend() == done  # a redelivered Yes changes nothing twice
    assert _stock(seeded, "Rice 1kg") == 80
    assert [status for status, _ in _history(seeded, code)] == ["placed", "cancelled"]
    assert _history(seeded, code)[-1].actor == "buyer"

    # The list now says cancelled, and the order offers no cancel any more.
    s = ussd(session_id="again")
    s.dial()
    assert f"1. {code} cancelled" in s.send("3")
    assert "Cancel order" not in s.send("1")


def test_an_order_cannot_be_cancelled_twice(seeded, ussd):
    code = _place(seeded, ussd, "buy")
    s = ussd(session_id="one")
    s.dial()
    s.send("3")
    s.send("1")
    s.send("1")
    assert s.send("2").startswith(f"CON Order {code}: awaiting payment")  # "No" goes back to the order
    s.send("1")
    assert s.send("1") == f"END Order {code} is cancelled."
    assert _stock(seeded, "Rice 1kg") == 80
    with _db(seeded).connect() as conn:
        oid = conn.execute(select(T_ORDER.c.id).where(T_ORDER.c.code == code)).scalar()
    # the service refuses a second cancel (a stale screen, another channel): nothing moves twice
    done, _, ids = orders.cancel_by_buyer(_db(seeded), "+254712345678", oid)
    assert (done, ids) == (False, [])
    assert _stock(seeded, "Rice 1kg") == 80  # released once
    assert [status for status, _ in _history(seeded, code)] == ["placed", "cancelled"]


def test_someone_else_cannot_see_or_cancel_my_order(seeded, ussd):
    _place(seeded, ussd, "buy")
    other = ussd(phone="+254799000111", session_id="other")
    other.dial()
    assert other.send("3").startswith("CON You have no orders yet.")
    with _db(seeded).connect() as conn:
        oid = conn.execute(select(func.max(T_ORDER.c.id))).scalar()
    assert orders.cancel_by_buyer(_db(seeded), "+254799000111", oid)[0] is False
    assert _stock(seeded, "Rice 1kg") == 77


# -- listings come from each process's cache: every change a buyer could see reaches them ----------

def _seller_product(app, name):
    with _db(app).connect() as conn:
        row = conn.execute(select(T_PRODUCT.c.id, T_PRODUCT.c.seller_id).where(T_PRODUCT.c.name == name)).one()
    return row.id, row.seller_id


_NEW_BUYERS = itertools.count(400)


def _food(ussd, session_id, phone=None):
    """A new buyer's Food listing (a new number each time: no offer to resume a session)."""
    s = ussd(phone=phone or f"+254712000{next(_NEW_BUYERS)}", session_id=session_id)
    s.dial()
    s.send("1")
    return s, s.send("1")


def test_the_listing_shows_a_new_price_and_hides_what_sold_out_at_once(seeded, ussd):
    from commerce import listings

    pid, seller = _seller_product(seeded, "Rice 1kg")
    assert "Rice 1kg KES 190" in _food(ussd, "before")[1]
    with _db(seeded).begin() as conn:  # the seller's PRICE command
        listings.set_price(conn, seller, pid, 20500)
    assert "Rice 1kg KES 205" in _food(ussd, "repriced")[1]

    with _db(seeded).begin() as conn:  # the seller's STOCK command: 2 left
        listings.set_stock(conn, seller, pid, 2)
    s, listing = _food(ussd, "last two", phone="+254712000301")
    s.send(str(re.search(r"(\d)\. Rice 1kg", listing).group(1)))
    s.send("1"), s.send("2"), s.send("1"), s.send("2")
    assert s.send("1").startswith("END Order ")  # an order takes the last two
    listing = _food(ussd, "sold out")[1]
    assert "Rice" not in listing and "Maize flour 2kg KES 180" in listing

    s = ussd(phone="+254712000301", session_id="cancel")  # the buyer cancels: the rice is back
    s.dial(), s.send("3"), s.send("1"), s.send("1")
    assert s.send("1").endswith("is cancelled.")
    assert "Rice 1kg KES 205" in _food(ussd, "back")[1]


def test_a_price_changed_after_the_summary_is_not_charged_unseen(seeded, ussd):
    """The order is placed at the total the summary showed or not at all: a new price gets a hint
    and the summary again, with the new total, and Confirm then places it at that total."""
    from commerce import listings

    pid, seller = _seller_product(seeded, "Maize flour 2kg")
    s = ussd()
    s.dial(), s.send("1"), s.send("1"), s.send("1"), s.send("1"), s.send("2"), s.send("1")
    assert "Total KES 360" in s.send("2")
    with _db(seeded).begin() as conn:
        listings.set_price(conn, seller, pid, 20000)
    again = s.send("1")
    assert again.startswith("CON The price has just changed.") and "Total KES 400" in again
    with _db(seeded).connect() as conn:
        assert conn.execute(select(func.count()).select_from(T_ORDER)).scalar() == 0
    done = s.send("1")
    assert done.startswith("END Order ") and "KES 400" in done
    with _db(seeded).connect() as conn:
        assert conn.execute(select(T_ORDER.c.total_minor)).scalars().all() == [40000]


def _whole_food_listing(ussd, session_id) -> str:
    s, page = _food(ussd, session_id)
    pages = [page]
    while "98 More" in page:
        page = s.send("98")
        pages.append(page)
    return "\n".join(pages)


def test_a_suspended_sellers_goods_leave_the_listing_and_search_until_reinstated(seeded, ussd):
    from commerce import admin

    _, gulu = _seller_product(seeded, "Millet 5kg")
    assert "Millet 5kg" in _whole_food_listing(ussd, "listed")
    admin.set_seller_suspended(_db(seeded), gulu, True, "Fake goods")
    listing = _whole_food_listing(ussd, "suspended")
    assert "Millet" not in listing and "Groundnuts" not in listing and "Salt 500g" in listing
    s = ussd(phone="+254712000399", session_id="search")
    s.dial(), s.send("2")
    assert s.send("millet").startswith("CON Nothing found. Try another word.")
    admin.set_seller_suspended(_db(seeded), gulu, False)
    assert "Millet 5kg" in _whole_food_listing(ussd, "reinstated")
