"""End to end in a real headless Chromium: a buyer orders on the phone simulator, the operator sees it on /admin.

Debian's `chromium` (`.ci/run` installs it when missing) driven by Playwright's Python package; no
browser is downloaded. The app runs on a real HTTP server (werkzeug) in a thread. Screenshots of
each step land in tests/screenshots/ (not committed) for a human to look at.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).parent / "screenshots"
TOKEN = "browser-test-admin-token"
HOOK_TOKEN = "hook-secret-for-the-browser-test"

needs_chromium = pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                    reason="needs Debian's chromium: apt-get install -y chromium")


@pytest.fixture
def live(make_app, db_engine):
    from commerce import demo

    app = make_app(admin_token=TOKEN, at_webhook_token=HOOK_TOKEN)
    with db_engine.begin() as conn:
        demo.seed(conn)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="soko-live", daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def live_hubtel(make_app, db_engine):
    """The app with Hubtel switched on (behind its own token), served like `live`."""
    from commerce import demo

    app = make_app(admin_token=TOKEN, hubtel_enabled=True, hubtel_webhook_token="hub-secret")
    with db_engine.begin() as conn:
        demo.seed(conn)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="soko-live-hubtel", daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        context = browser.new_context(viewport={"width": 1200, "height": 860})
        context.set_default_timeout(10_000)
        yield context.new_page()
        context.close()
        browser.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def press_keys(page, keys: str) -> None:
    """Type on the handset's keypad, one button at a time."""
    for key in keys:
        page.click(f'.key[data-key="{key}"]')


def open_simulator(page, base: str) -> None:
    """The simulator sends the operator to sign in first, then back to it."""
    page.goto(base + "/simulator")
    assert page.inner_text("h1") == "Sign in"
    page.fill('input[name="token"]', TOKEN)
    page.click("text=Sign in >> nth=-1")
    page.wait_for_url(base + "/simulator")
    assert HOOK_TOKEN not in page.content()  # the page posts through /simulator/send, which adds it


def answer(page, keys: str, expect: str, by_keypad: bool = True) -> str:
    if by_keypad:
        press_keys(page, keys)
        page.click("#call")
    else:
        page.fill("#entry", keys)
        page.press("#entry", "Enter")
    page.wait_for_function("([text]) => document.getElementById('screen').textContent.includes(text)",
                           arg=[expect])
    return page.inner_text("#screen")


@needs_chromium
def test_buyer_orders_on_the_simulator_and_the_operator_sees_it(live, page):
    from playwright.sync_api import expect

    app, base = live
    open_simulator(page, base)
    expect(page.locator("#screen")).to_contain_text("Dial *384*123#")
    expect(page.locator("#inbox")).to_contain_text("No SMS for this number yet.")
    shot(page, "01-simulator-idle")

    # Dial the short code on the keypad and walk the buyer's journey, as on a handset.
    home = answer(page, "*384*123#", "Welcome to Soko")
    assert home.startswith("Welcome to Soko") and "1. Shop" in home
    assert not home.startswith("CON")  # the protocol prefix is not shown, as on a phone
    budget = page.inner_text("#budget")
    assert re.fullmatch(r"\d+/160 characters · GSM-7", budget), budget
    shot(page, "02-home-screen")
    answer(page, "1", "1. Food")
    answer(page, "1", "Maize flour 2kg")
    answer(page, "1", "In stock")
    answer(page, "1", "How many?")
    answer(page, "2", "Pickup point", by_keypad=False)  # typed on the computer's keyboard
    answer(page, "1", "How will you pay?")
    summary = answer(page, "2", "Total KES 360")
    assert "2 x Maize flour 2kg" in summary
    shot(page, "03-summary")
    done = answer(page, "1", "Order ")
    code = re.search(r"Order (\d+)", done).group(1)
    assert "KES 360" in done
    assert page.is_hidden("#entry")  # an END screen takes no input
    shot(page, "04-order-placed")

    # The seller's phone: the order notification is in its SMS pane, once the worker's drain has
    # written it (a second or two later under `make run`; here, what that job does, now).
    from commerce import orders

    db = app.extensions["soko"].db
    assert len(orders.announce(db, orders.unannounced(db))) == 3  # the receipt, the seller's and the agent's
    page.click('.person[data-phone="+254711000001"]')
    expect(page.locator("#sms-number")).to_have_text("+254711000001")
    expect(page.locator("#inbox")).to_contain_text(f"New order {code}")
    if "sms.africastalking" in app.view_functions:  # the SMS webhook, when this build has it
        page.fill("#sms-text", "HELP")
        page.click("#sms-send")
        expect(page.locator("#sms-status")).to_contain_text("Sent.")
        expect(page.locator("#inbox li.in")).to_contain_text("HELP")
    shot(page, "05-seller-inbox")

    # The operator, signed in already, finds the order.
    page.goto(base + "/admin/orders")
    expect(page.locator("h1")).to_have_text("Orders")
    row = page.locator("tr", has_text=code)
    expect(row).to_contain_text("placed")
    expect(row).to_contain_text("2 x Maize flour 2kg")
    expect(row).to_contain_text("+254712345678")
    shot(page, "06-admin-orders")
    row.locator(f"text={code}").click()
    expect(page.locator("h1")).to_contain_text(f"Order {code}")
    expect(page.locator("body")).to_contain_text("Mama Njeri Shop")
    expect(page.locator("body")).to_contain_text("Kiambu")
    shot(page, "07-admin-order")
    page.goto(base + "/admin")
    expect(page.locator("body")).to_contain_text("Latest orders")
    shot(page, "08-admin-overview")


@needs_chromium
def test_an_agent_orders_for_a_customer_who_refuses_it_by_sms(live, page):
    """SPEC §13 on the simulator: the agent's button, the agent's menu, an order for a customer with
    the agent's village as pickup; the customer's SMS pane, and their NO."""
    from playwright.sync_api import expect

    app, base = live
    open_simulator(page, base)
    page.click('.person[data-phone="+254722000101"]')  # Agent · Grace Wanjiru, Kiambu
    expect(page.locator("#sms-number")).to_have_text("+254722000101")
    assert "ARRIVED" in page.get_attribute("#sms-text", "placeholder")
    home = answer(page, "*384*123#", "Order for a customer")
    assert "2. Pickups waiting" in home and "3. Shop" in home
    shot(page, "10-agent-menu")
    answer(page, "1", "Customer's phone number")
    answer(page, "0712000999", "Order for +254712000999", by_keypad=False)
    answer(page, "1", "1. Food")
    answer(page, "1", "Maize flour 2kg")
    answer(page, "1", "In stock")
    answer(page, "1", "How many?")
    answer(page, "2", "How will you pay?")  # no pickup screen: the agent's own village
    summary = answer(page, "2", "For: +254712000999")
    assert "Pickup: Kiambu" in summary and "Total KES 360" in summary
    done = answer(page, "1", "placed for")
    code = re.search(r"Order (\d+)", done).group(1)
    shot(page, "11-agent-order-placed")

    from commerce import orders

    db = app.extensions["soko"].db
    orders.announce(db, orders.unannounced(db))  # the worker's drain
    page.fill("#phone", "+254712000999")
    page.dispatch_event("#phone", "change")
    expect(page.locator("#inbox")).to_contain_text(f"Reply NO {code} within 10 min")
    page.fill("#sms-text", f"NO {code}")
    page.click("#sms-send")
    expect(page.locator("#inbox")).to_contain_text(f"Order {code} is cancelled.")
    shot(page, "12-customer-said-no")


@needs_chromium
def test_hanging_up_ends_the_session_and_a_new_dial_starts_afresh(live, page):
    _, base = live
    open_simulator(page, base)
    answer(page, "*384*123#", "Welcome to Soko")
    answer(page, "1", "1. Food")
    page.click("#hangup")
    page.wait_for_function("() => document.getElementById('screen').textContent.includes('Session cancelled')")
    # The dropped session can be resumed, as the engine offers on the next dial.
    again = answer(page, "*384*123#", "Continue")
    assert "Continue" in again
    shot(page, "09-resume-offer")


@needs_chromium
def test_a_ghanaian_buyer_orders_through_hubtel_on_the_simulator(live_hubtel, page, db_engine):
    from playwright.sync_api import expect
    from sqlalchemy import select

    from commerce.models import Order, UssdSessionEvent

    _, base = live_hubtel
    open_simulator(page, base)
    assert "hub-secret" not in page.content()  # Hubtel's token is added on the server too
    assert page.locator("#aggregator option").all_inner_texts() == ["Africa's Talking", "Hubtel"]
    page.select_option("#aggregator", "hubtel")
    expect(page.locator("#phone")).to_have_value("+233241234567")  # a number of Hubtel's country
    expect(page.locator("#net")).to_have_text("MTN GH")
    home = answer(page, "*384*123#", "Welcome to Soko")
    assert "1. Shop" in home
    answer(page, "1", "1. Food")
    listing = answer(page, "1", "Maize flour 2kg GHS 18")
    assert "98 More" in listing
    answer(page, "98", "0 Back")  # the next page, within the budget
    answer(page, "0", "Maize flour 2kg GHS 18")
    answer(page, "1", "In stock")
    answer(page, "1", "How many?")
    answer(page, "x", "Enter a number in the range shown.", by_keypad=False)  # re-prompted
    answer(page, "2", "Pickup point", by_keypad=False)
    answer(page, "1", "How will you pay?")
    summary = answer(page, "2", "Total GHS 36")
    assert "2 x Maize flour 2kg" in summary
    shot(page, "10-hubtel-summary")
    done = answer(page, "1", "Order ")
    assert "GHS 36" in done and page.is_hidden("#entry")
    shot(page, "11-hubtel-order-placed")
    orders_t = Order.__table__
    with db_engine.connect() as conn:
        placed = conn.execute(select(orders_t.c.currency, orders_t.c.total_minor, orders_t.c.seller_currency)).all()
    assert [tuple(p) for p in placed] == [("GHS", 3600, "KES")]  # one order, in cedis, from a Kenyan seller

    # Hanging up mid-session sends Hubtel's Release: the drop-off is recorded with its screen.
    page.click("#call")  # back to idle after the END screen
    answer(page, "*384*123#", "Welcome to Soko")
    assert "awaiting payment" in answer(page, "3", "Your orders:")  # My orders lists it
    page.click("#hangup")
    page.wait_for_function("() => document.getElementById('screen').textContent.includes('Session cancelled')")
    EV = UssdSessionEvent.__table__  # noqa: N806
    for _ in range(50):
        with db_engine.connect() as conn:
            row = conn.execute(select(EV.c.aggregator, EV.c.last_screen, EV.c.status)).first()
        if row is not None:
            break
        page.wait_for_timeout(100)
    assert tuple(row) == ("hubtel", "O", "incomplete")


def test_simulator_is_off_when_disabled(make_app):
    client = make_app(simulator_enabled=False, admin_token=TOKEN).test_client()
    assert client.get("/simulator").status_code == 404
    assert client.get("/simulator/inbox?phone=%2B254712345678").status_code == 404


def test_simulator_is_never_served_in_production(make_app):
    """load_settings refuses SIMULATOR_ENABLED in production (tests/test_config.py); an app built
    from production settings in code does not route it either."""
    client = make_app(env="production", simulator_enabled=True, admin_token=TOKEN).test_client()
    for path in ("/simulator", "/simulator/inbox?phone=%2B254712345678"):
        assert client.get(path).status_code == 404
    assert client.post("/simulator/send/ussd/africastalking").status_code == 404


def _signed_in(client):
    assert client.post("/admin/login", data={"token": TOKEN, "next": "/simulator"}).headers["Location"] == "/simulator"
    html = client.get("/simulator").get_data(as_text=True)
    client.csrf = re.search(r'"csrf": "([^"]+)"', html).group(1)
    return client


@pytest.fixture
def sim(make_app, seeded):
    """A signed-in browser's client of an app whose Africa's Talking webhooks need a token."""
    return _signed_in(make_app(admin_token=TOKEN, at_webhook_token=HOOK_TOKEN).test_client())


HOP = {"sessionId": "ATUid_sim_1", "serviceCode": "*384*123#", "phoneNumber": "+254712345678", "text": ""}


def test_without_the_admin_sign_in_the_simulator_gives_nothing(make_app, seeded):
    client = make_app(admin_token=TOKEN, at_webhook_token=HOOK_TOKEN).test_client()
    res = client.get("/simulator")
    assert res.status_code == 302 and res.headers["Location"] == "/admin/login?next=/simulator"
    res = client.get("/simulator/inbox?phone=%2B254711000001")
    assert res.status_code == 401 and res.get_json() == {"error": "Sign in at /admin/login first"}
    res = client.post("/simulator/send/ussd/africastalking", data=HOP)
    assert res.status_code == 401 and not res.get_data(as_text=True).startswith("CON")
    closed = make_app(admin_token=None).test_client().get("/simulator")
    assert closed.status_code == 401 and "set ADMIN_TOKEN" in closed.get_data(as_text=True)


def test_the_page_carries_no_token_and_its_posts_reach_the_real_webhooks(sim):
    html = sim.get("/simulator").get_data(as_text=True)
    assert HOOK_TOKEN not in html and "token=" not in html
    assert '"ussdUrl": "/simulator/send/ussd/africastalking"' in html
    res = sim.post("/simulator/send/ussd/africastalking", data=HOP, headers={"X-CSRF-Token": sim.csrf})
    assert res.status_code == 200 and res.get_data(as_text=True).startswith("CON Welcome to Soko")
    # The webhook itself still wants its token: the simulator added it on the server.
    assert sim.post("/ussd/africastalking", data=HOP).status_code == 403
    # An SMS as a seller, and its reply in the seller's inbox.
    sms = {"from": "+254711000001", "to": "20880", "text": "ITEMS", "date": "2026-01-01 10:00:00", "id": "sim-9"}
    res = sim.post("/simulator/send/sms/africastalking", data=sms, headers={"X-CSRF-Token": sim.csrf})
    assert res.status_code == 200
    inbox = sim.get("/simulator/inbox?phone=%2B254711000001").get_json()["messages"]
    assert [m["direction"] for m in inbox] == ["in", "out"] and inbox[0]["body"] == "ITEMS"


def test_a_post_without_the_pages_csrf_token_or_to_another_path_is_refused(sim):
    res = sim.post("/simulator/send/ussd/africastalking", data=HOP)
    assert res.status_code == 403 and "X-CSRF-Token" in res.get_data(as_text=True)
    res = sim.post("/simulator/send/ussd/africastalking", data=HOP, headers={"X-CSRF-Token": "forged"})
    assert res.status_code == 403
    for target in ("payments/africastalking", "admin/api/orders", "ussd/../admin/logout"):
        res = sim.post(f"/simulator/send/{target}", data=b"{}", headers={"X-CSRF-Token": sim.csrf})
        assert res.status_code == 404, target


def test_signing_out_closes_the_simulator_for_a_copied_cookie(sim, make_app):
    cookie = sim.get_cookie("session").value
    csrf = re.search(r'name="csrf" value="([^"]+)"', sim.get("/admin").get_data(as_text=True)).group(1)
    assert sim.post("/admin/logout", data={"csrf": csrf}).status_code == 302
    sim.set_cookie("session", cookie)  # the cookie as it was before signing out
    res = sim.post("/simulator/send/ussd/africastalking", data=HOP, headers={"X-CSRF-Token": sim.csrf})
    assert res.status_code == 401


def test_inbox_lists_a_numbers_messages_oldest_first(sim, db_engine):
    from sqlalchemy import insert

    from commerce.models import InboundMessage, Message, utcnow

    now = utcnow()
    with db_engine.begin() as conn:
        conn.execute(insert(InboundMessage.__table__).values(provider="africastalking", provider_id="sim-1",
                                                             from_phone="+254711000001", to="20880", body="ITEMS",
                                                             received_at=now))
        conn.execute(insert(Message.__table__).values(to_phone="+254711000001", body="Your items: none", kind="reply",
                                                      status="sent", attempts=1, created_at=now))
        conn.execute(insert(Message.__table__).values(to_phone="+254722000101", body="not this number",
                                                      kind="notice", status="pending", attempts=0))
    res = sim.get("/simulator/inbox?phone=0711000001")
    assert res.status_code == 200
    body = res.get_json()
    assert body["phone"] == "+254711000001"
    assert [(m["direction"], m["body"]) for m in body["messages"]] == [("in", "ITEMS"), ("out", "Your items: none")]
    assert body["messages"][1]["status"] == "sent"
    bad = sim.get("/simulator/inbox?phone=hello")
    assert bad.status_code == 400 and "phone number" in bad.get_json()["error"]


def test_simulator_page_carries_the_settings(make_app, seeded):
    client = _signed_in(make_app(ussd_max_chars=182, admin_token=TOKEN).test_client())
    text = client.get("/simulator").get_data(as_text=True)
    assert '"maxChars": 182' in text and '"serviceCode": "*384*123#"' in text
    assert "Seller \u00b7 Mama Njeri Shop" in text or "Seller · Mama Njeri Shop" in text
