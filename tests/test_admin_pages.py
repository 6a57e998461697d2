"""The /admin pages: sign-in with the token, the views with search and paging, actions with CSRF."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from commerce.models import Order, Seller
from tests.test_admin_api import TOKEN, place


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


@pytest.fixture
def browser(admin_app):
    """A test client signed in through the login form, with the page's CSRF token at hand."""
    client = admin_app.test_client()
    res = client.post("/admin/login", data={"token": TOKEN, "next": "/admin"})
    assert res.status_code == 302 and res.headers["Location"] == "/admin"
    client.csrf = _csrf(client.get("/admin").get_data(as_text=True))
    return client


def test_closed_without_the_setting(make_app):
    res = make_app(admin_token=None).test_client().get("/admin")
    assert res.status_code == 401 and "Admin is closed" in res.get_data(as_text=True)


def test_sign_in_once_with_the_token(admin_app):
    client = admin_app.test_client()
    res = client.get("/admin/orders?status=paid")
    assert res.status_code == 302 and res.headers["Location"].startswith("/admin/login?next=")
    res = client.post("/admin/login", data={"token": "wrong", "next": "/admin/orders"})
    assert res.status_code == 401 and "not the admin token" in res.get_data(as_text=True)
    res = client.post("/admin/login", data={"token": TOKEN, "next": "/admin/orders?status=paid"})
    assert res.status_code == 302 and res.headers["Location"] == "/admin/orders?status=paid"
    cookie = res.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/admin/orders").status_code == 200
    # An offsite `next` is ignored.
    res = client.post("/admin/login", data={"token": TOKEN, "next": "https://evil.example/"})
    assert res.headers["Location"] in ("/admin", "/admin/")
    csrf = _csrf(client.get("/admin").get_data(as_text=True))
    assert client.post("/admin/logout", data={"csrf": csrf}).status_code == 302
    assert client.get("/admin").status_code == 302


def test_a_changed_token_signs_browsers_out(admin_app, make_app):
    client = admin_app.test_client()
    client.post("/admin/login", data={"token": TOKEN})
    cookie = client.get_cookie("session")
    other = make_app(admin_token="another-token-0123456789").test_client()
    other.set_cookie("session", cookie.value)
    assert other.get("/admin").status_code == 302


def test_wrong_tokens_are_limited_but_the_operator_is_never_locked_out(admin_app):
    """Ten wrong tokens from one address: the eleventh wrong one gets 429, the right one still
    signs in from that very address."""
    client = admin_app.test_client()
    for _ in range(10):
        assert client.post("/admin/login", data={"token": "guess"}).status_code == 401
    res = client.post("/admin/login", data={"token": "guess"})
    assert res.status_code == 429 and "Wait five minutes" in res.get_data(as_text=True)
    res = admin_app.test_client().post("/admin/login", data={"token": TOKEN, "next": "/admin/orders"})
    assert res.status_code == 302 and res.headers["Location"] == "/admin/orders"
    assert client.post("/admin/login", data={"token": "guess"}).status_code == 429  # still counted


def test_signing_out_ends_the_session_on_the_server(browser, db_engine):
    """A cookie copied before signing out (another tab, a stolen copy) stops working at once, for
    pages and for actions."""
    code = place(db_engine)
    copied = browser.get_cookie("session").value
    thief = browser.application.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/admin/orders").status_code == 200  # the same session, while it lasts
    assert browser.post("/admin/logout", data={"csrf": browser.csrf}).status_code == 302
    res = thief.get("/admin/orders")
    assert res.status_code == 302 and res.headers["Location"].startswith("/admin/login")
    res = thief.post(f"/admin/orders/{code}/cancel", data={"reason": "after logout", "csrf": browser.csrf})
    assert res.status_code == 302 and res.headers["Location"].startswith("/admin/login")
    with db_engine.connect() as conn:
        assert conn.execute(select(Order.__table__.c.status).where(Order.__table__.c.code == code)).scalar() == "placed"


def test_overview_shows_stats_and_the_sales_chart(browser, db_engine):
    code = place(db_engine)
    with db_engine.begin() as conn:
        conn.execute(update(Order.__table__).where(Order.__table__.c.code == code).values(status="paid"))
    html = browser.get("/admin").get_data(as_text=True)
    assert "Overview" in html and code in html
    assert "KES 360" in html  # sales
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in html
    assert re.search(r'<rect [^>]*class="bar"><title>\d{4}-\d\d-\d\d: KES 360</title>', html)
    assert "sms: 0 waiting" in html
    assert browser.get("/admin?days=9999").status_code == 400
    res = browser.get("/admin/orders?to=9999-12-31")  # the last day there is: once a 500
    assert res.status_code == 400 and "to must be a date from 2000 to 2999" in res.get_data(as_text=True)


def test_orders_search_filters_and_paging(browser, db_engine):
    codes = [place(db_engine, qty=1) for _ in range(23)]
    other = place(db_engine, phone="+254733111222", product="Panga", qty=1)
    html = browser.get("/admin/orders").get_data(as_text=True)
    assert "Page 1 of 2 (24 in all)" in html and other in html and codes[0] not in html
    html = browser.get("/admin/orders?page=2").get_data(as_text=True)
    assert codes[0] in html and 'rel="prev"' in html
    html = browser.get("/admin/orders?q=0733111222").get_data(as_text=True)
    assert other in html and codes[-1] not in html
    html = browser.get(f"/admin/orders?q={codes[5]}").get_data(as_text=True)
    assert codes[5] in html and "1 in all" in html
    res = browser.get("/admin/orders?status=lost")
    assert res.status_code == 400 and "status must be one of" in res.get_data(as_text=True)


def test_order_page_and_cancel_with_a_reason(browser, db_engine):
    code = place(db_engine)
    html = browser.get(f"/admin/orders/{code}").get_data(as_text=True)
    assert f"Order {code}" in html and "Maize flour 2kg" in html and "Cancel order" in html
    assert "+254711000001" in html  # the seller's notification is listed
    assert browser.post(f"/admin/orders/{code}/cancel", data={"reason": "x"}).status_code == 400  # no CSRF
    res = browser.post(f"/admin/orders/{code}/cancel", data={"reason": "Duplicate order", "csrf": browser.csrf},
                       follow_redirects=True)
    html = res.get_data(as_text=True)
    assert "cancelled; stock released" in html and "Duplicate order" in html and "admin:web" in html
    assert "Cancel order" not in html
    assert browser.get("/admin/orders/1234").status_code == 404


def test_sellers_agents_messages_payments_audit(browser, db_engine):
    place(db_engine)
    with db_engine.connect() as conn:
        kibet = conn.execute(select(Seller.__table__.c.id).where(Seller.__table__.c.shop_name == "Kibet Agrovet")).scalar()
    html = browser.get("/admin/sellers?q=kibet").get_data(as_text=True)
    assert "Kibet Agrovet" in html and "Mama Njeri" not in html
    html = browser.post(f"/admin/sellers/{kibet}/suspend", data={"csrf": browser.csrf},
                        follow_redirects=True).get_data(as_text=True)
    assert f"Seller {kibet} suspended." in html and "Reinstate" in html

    html = browser.post("/admin/agents", data={"csrf": browser.csrf, "phone": "0722000199", "name": "Amina",
                                               "village": "Lamu", "pin": ""}, follow_redirects=True).get_data(as_text=True)
    assert "Amina at Lamu is a pickup point now" in html and "+254722000199" in html
    html = browser.post("/admin/agents", data={"csrf": browser.csrf, "phone": "nope", "name": "A", "village": "B"},
                        follow_redirects=True).get_data(as_text=True)
    assert "phone number is not valid" in html

    html = browser.get("/admin/messages?to=0711000001").get_data(as_text=True)
    assert "New order" in html and "1 in all" in html
    assert browser.get("/admin/messages?to=abc").status_code == 400
    assert "No payments yet." in browser.get("/admin/payments").get_data(as_text=True)
    html = browser.get("/admin/audit").get_data(as_text=True)
    assert "suspend seller" in html and "add agent" in html


def test_failed_jobs_with_a_retry_button(browser, admin_app):
    from rq import Queue, SimpleWorker

    s = admin_app.extensions["soko"]
    q = Queue("sms", connection=s.redis)
    job = q.enqueue("workers.no_such_module.send", [1])
    SimpleWorker([q], connection=s.redis).work(burst=True)
    html = browser.get("/admin/jobs").get_data(as_text=True)
    assert job.id in html and "sms: 0 waiting, 1 failed" in html and ">Retry</button>" in html
    html = browser.post(f"/admin/jobs/sms/{job.id}/requeue", data={"csrf": browser.csrf},
                        follow_redirects=True).get_data(as_text=True)
    assert f"Job {job.id} is back on the sms queue." in html and "No failed jobs." in html
    assert q.job_ids == [job.id]


def test_ussd_drop_off_per_aggregator_and_screen(browser, db_engine):
    from commerce import ussd_events

    for i, (agg, status, screen) in enumerate([("hubtel", "incomplete", "Y"), ("hubtel", "incomplete", "Y"),
                                               ("hubtel", "incomplete", "Q"), ("hubtel", "completed", "D"),
                                               ("africastalking", "incomplete", "C"), ("beem", "failed", None)]):
        ussd_events.record_session_end(db_engine, f"{agg}:{i}", "+233241234567", status, None, 3, None, None,
                                       aggregator=agg, last_screen=screen)
    html = browser.get("/admin/ussd").get_data(as_text=True)
    rows = re.findall(r"<tr><td>(\w+)</td><td>([^<]+)</td><td class=\"num\">(\d+)</td><td class=\"num\">(\d+)%</td></tr>",
                      html)
    assert rows == [("hubtel", "Summary", "2", "50"), ("africastalking", "Categories", "1", "100"),
                    ("beem", "unknown", "1", "100"), ("hubtel", "Quantity", "1", "25")]
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 3  # one chart per aggregator
    assert "<title>Summary: 2</title>" in html
    assert browser.get("/admin/ussd?days=0").status_code == 400

def test_an_unconfirmed_message_can_be_resent_deliberately(browser, admin_app, db_engine):
    """A message whose worker died during the provider call is `unconfirmed`: the messages page
    offers Resend (and says why it might arrive twice); resending puts it back to `pending` with
    its send job queued and an audit row; the API does the same and refuses any other status."""
    from rq import Queue

    from commerce.models import AuditEntry, Message

    m = Message.__table__
    with db_engine.begin() as conn:
        mid = conn.execute(m.insert().values(to_phone="+254712000111", body="Order 123456 is paid", kind="notice",
                                             status="unconfirmed", attempts=1)).inserted_primary_key[0]
        sent = conn.execute(m.insert().values(to_phone="+254712000111", body="Hello", kind="notice",
                                              status="sent", attempts=1)).inserted_primary_key[0]
    page = browser.get("/admin/messages?status=unconfirmed").get_data(as_text=True)
    assert f"/admin/messages/{mid}/resend" in page and "may or may not have gone out" in page
    assert f"/admin/messages/{sent}/resend" not in browser.get("/admin/messages").get_data(as_text=True)
    assert browser.post(f"/admin/messages/{mid}/resend").status_code == 400  # no CSRF token: nothing moves
    res = browser.post(f"/admin/messages/{mid}/resend", data={"csrf": browser.csrf}, follow_redirects=True)
    assert "is queued again" in res.get_data(as_text=True)
    with db_engine.connect() as conn:
        assert conn.execute(select(m.c.status).where(m.c.id == mid)).scalar() == "pending"
        audit = conn.execute(select(AuditEntry.__table__.c.actor, AuditEntry.__table__.c.action,
                                    AuditEntry.__table__.c.target)).all()
    assert ("admin:web", "resend_message", f"message:{mid}") in [tuple(a) for a in audit]
    sms = Queue("sms", connection=admin_app.extensions["soko"].redis)
    assert [j.args for j in sms.get_jobs()] == [([mid],)]

    api = admin_app.test_client()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert api.post(f"/admin/api/messages/{mid}/resend", headers=auth).status_code == 409  # pending now
    assert api.post(f"/admin/api/messages/{sent}/resend", headers=auth).get_json()["error"].endswith(
        "only an unconfirmed message can be resent")
    assert api.post("/admin/api/messages/999999/resend", headers=auth).status_code == 404
    with db_engine.begin() as conn:
        conn.execute(update(m).where(m.c.id == mid).values(status="unconfirmed"))
    assert api.post(f"/admin/api/messages/{mid}/resend", headers=auth).get_json() == {"resent": mid,
                                                                                        "status": "pending"}
