"""The admin JSON API: closed without its token, every filter, bad parameters, actions recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from commerce import orders
from commerce.models import Agent, AuditEntry, Message, Order, OrderEvent, Payment, Product, Seller, utcnow
from tests.conftest import ADMIN_TOKEN as TOKEN

BUYER = "+254712345678"
TZ_BUYER = "+255754123456"


@pytest.fixture
def api(admin_app):
    client = admin_app.test_client()

    class Api:
        def get(self, path, **kw):
            return client.get("/admin/api" + path, headers={"Authorization": f"Bearer {TOKEN}"}, **kw)

        def post(self, path, **kw):
            return client.post("/admin/api" + path, headers={"Authorization": f"Bearer {TOKEN}"}, **kw)

    return Api()


def _ids(engine, product: str, village: str) -> tuple[int, int]:
    with engine.connect() as conn:
        pid = conn.execute(select(Product.__table__.c.id).where(Product.__table__.c.name == product)).scalar_one()
        aid = conn.execute(select(Agent.__table__.c.id).where(Agent.__table__.c.village == village)).scalar_one()
    return pid, aid


def place(engine, phone=BUYER, product="Maize flour 2kg", qty=2, village="Kiambu", method="cash") -> str:
    pid, aid = _ids(engine, product, village)
    placed = orders.place_order(engine, phone=phone, product_id=pid, quantity=qty, agent_id=aid, method=method,
                                request_key=None, payment_window_minutes=60)
    assert placed.ok, placed.error
    orders.announce(engine, [placed.order_id])  # as the worker's drain does a second later
    return placed.code


def test_closed_without_the_setting(make_app):
    client = make_app(admin_token=None).test_client()
    res = client.get("/admin/api/orders", headers={"Authorization": "Bearer anything"})
    assert res.status_code == 401
    assert "ADMIN_TOKEN" in res.get_json()["error"]


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x"])
def test_refused_without_the_right_token(admin_app, header):
    client = admin_app.test_client()
    headers = {"Authorization": header} if header else {}
    for path in ("/admin/api/orders", "/admin/api/stats", "/admin/api/sellers"):
        res = client.get(path, headers=headers)
        assert res.status_code == 401, path
        assert res.headers["WWW-Authenticate"].startswith("Bearer")
        assert res.is_json and res.get_json()["error"]
    res = client.post("/admin/api/sellers/1/suspend", headers=headers)
    assert res.status_code == 401


def test_order_reads_as_the_spec_says(admin_app, api, db_engine):
    code = place(db_engine)
    res = api.get(f"/orders/{code}")
    assert res.status_code == 200
    o = res.get_json()
    assert o["code"] == code and o["status"] == "placed" and o["payment_method"] == "cash"
    assert o["total"] == {"amount_minor": 36000, "currency": "KES"}
    assert o["seller_total"] == {"amount_minor": 36000, "currency": "KES"}
    assert o["rate"] == "1"
    assert o["paid"] == {"amount_minor": 0, "currency": "KES"} and o["due"] == {"amount_minor": 36000, "currency": "KES"}
    assert o["payments"] == [] and o["flags"] == []
    assert [(h["status"], h["by"]) for h in o["history"]] == [("placed", "buyer")]
    assert o["buyer"] == BUYER
    assert o["seller"]["shop_name"] == "Mama Njeri Shop" and o["agent"]["village"] == "Kiambu"
    assert o["lines"] == [{"product_code": o["lines"][0]["product_code"], "name": "Maize flour 2kg", "quantity": 2,
                           "unit_price": {"amount_minor": 18000, "currency": "KES"},
                           "total": {"amount_minor": 36000, "currency": "KES"}}]
    assert sorted(m["to"] for m in o["messages"]) == ["+254711000001", BUYER, "+254722000101"]  # receipt too
    assert set(o["messages"][0]) >= {"to", "body", "status", "provider_id", "created_at"}


def test_cross_border_order_keeps_both_amounts_and_payments(admin_app, api, db_engine):
    code = place(db_engine, phone=TZ_BUYER, product="Sugar 1kg", qty=1, village="Malindi", method="mobile_money")
    with db_engine.begin() as conn:
        oid = conn.execute(select(Order.__table__.c.id).where(Order.__table__.c.code == code)).scalar_one()
        conn.execute(Payment.__table__.insert().values(order_id=oid, method="mobile_money", amount_minor=100000,
                                                       currency="TZS", reference="ATPid_1", status="success"))
        conn.execute(update(Order.__table__).where(Order.__table__.c.id == oid).values(paid_minor=100000))
    o = api.get(f"/orders/{code}").get_json()
    assert o["total"] == {"amount_minor": 420000, "currency": "TZS"}  # KES 210 at 20 TZS a shilling
    assert o["seller_total"] == {"amount_minor": 21000, "currency": "KES"} and o["rate"] == "20"
    assert o["paid"]["amount_minor"] == 100000 and o["due"] == {"amount_minor": 320000, "currency": "TZS"}
    assert o["payments"] == [{"method": "mobile_money", "amount_minor": 100000, "currency": "TZS",
                              "reference": "ATPid_1", "status": "success", "note": None,
                              "at": o["payments"][0]["at"]}]


def test_order_not_found_and_bad_code(api, db_engine):
    assert api.get("/orders/1234567").status_code in (400, 404)
    res = api.get("/orders/12x")
    assert res.status_code == 400 and "not an order code" in res.get_json()["error"]
    from commerce import codes

    missing = codes.with_check("999999")
    res = api.get(f"/orders/{missing}")
    assert res.status_code == 404 and res.get_json()["error"] == f"No order {missing}"


def test_every_order_filter(admin_app, api, db_engine):
    a = place(db_engine)  # Mama Njeri (seller 1), Kiambu, cash
    b = place(db_engine, product="Solar lamp", qty=1, village="Malindi", method="mobile_money")
    c = place(db_engine, phone="+254733111222", product="Panga", qty=1, village="Kiambu", method="on_delivery")
    with db_engine.begin() as conn:
        t = Order.__table__
        conn.execute(update(t).where(t.c.code == b).values(status="paid", flags="payment_mismatch"))
        conn.execute(update(t).where(t.c.code == c).values(created_at=utcnow() - timedelta(days=3)))
        sellers = dict(conn.execute(select(Seller.__table__.c.shop_name, Seller.__table__.c.id)).all())
        agents = dict(conn.execute(select(Agent.__table__.c.village, Agent.__table__.c.id)).all())

    def codes_for(query):
        res = api.get("/orders" + query)
        assert res.status_code == 200, res.get_json()
        return sorted(o["code"] for o in res.get_json()["orders"])

    assert codes_for("") == sorted([a, b, c])
    assert codes_for("?status=paid") == [b]
    assert codes_for("?status=placed") == sorted([a, c])
    assert codes_for(f"?seller={sellers['Nuru Electronics']}") == [b]
    assert codes_for(f"?agent={agents['Kiambu']}") == sorted([a, c])
    assert codes_for("?method=on_delivery") == [c]
    assert codes_for("?flagged=1") == [b]
    today = utcnow().date()
    assert codes_for(f"?date={today.isoformat()}") == sorted([a, b])
    three_days_ago = (today - timedelta(days=3)).isoformat()
    assert codes_for(f"?date={three_days_ago}") == [c]
    assert codes_for(f"?from={three_days_ago}&to={today.isoformat()}") == sorted([a, b, c])
    assert codes_for(f"?to={(today - timedelta(days=1)).isoformat()}") == [c]
    assert codes_for(f"?q={a}") == [a]
    assert codes_for("?q=0733111222") == [c]  # the buyer's number, as people write it
    assert codes_for(f"?status=placed&agent={agents['Kiambu']}&method=cash") == [a]


def test_orders_are_paged_newest_first(admin_app, api, db_engine):
    made = [place(db_engine, qty=1) for _ in range(5)]
    first = api.get("/orders?per_page=2").get_json()
    assert first["total"] == 5 and first["pages"] == 3 and first["page"] == 1 and first["per_page"] == 2
    assert [o["code"] for o in first["orders"]] == made[::-1][:2]
    last = api.get("/orders?per_page=2&page=3").get_json()
    assert [o["code"] for o in last["orders"]] == [made[0]]
    assert last["orders"][0]["summary"] == "1 x Maize flour 2kg"
    assert api.get("/orders?per_page=2&page=9").get_json()["orders"] == []


@pytest.mark.parametrize("query, says", [
    ("?status=lost", "status must be one of placed, paid, dispatched, arrived, delivered, cancelled, expired"),
    ("?seller=abc", "seller must be a whole number"),
    ("?agent=-1", "agent must be a whole number"),
    ("?method=cheque", "method must be one of mobile_money, cash, on_delivery"),
    ("?date=31/03/2026", "date must be a date like 2026-03-31"),
    ("?from=2026-02-30", "from must be a date like 2026-03-31"),
    ("?date=2026-03-01&from=2026-03-01", "either date, or from and to"),
    ("?from=2026-03-02&to=2026-03-01", "to must not be before from"),
    ("?to=9999-12-31", "to must be a date from 2000 to 2999"),  # the day after would overflow
    ("?date=9999-12-31", "date must be a date from 2000 to 2999"),
    ("?from=0001-01-01", "from must be a date from 2000 to 2999"),
    ("?page=0", "page must be a whole number from 1"),
    ("?per_page=1000", "per_page must be a whole number from 1 to 100"),
    ("?q=not-a-number", "q must be a phone number"),
    ("?sort=code", "unknown parameter 'sort'"),
])
def test_bad_order_parameters_answer_400_with_the_reason(api, query, says):
    res = api.get("/orders" + query)
    assert res.status_code == 400
    assert says in res.get_json()["error"]


def test_messages_by_recipient(admin_app, api, db_engine):
    place(db_engine)
    res = api.get("/messages?to=0711000001")  # the seller, written the local way
    assert res.status_code == 200
    body = res.get_json()
    assert body["total"] == 1
    m = body["messages"][0]
    assert m["to"] == "+254711000001" and m["body"].startswith("New order ") and m["status"] == "pending"
    assert m["provider_id"] is None and m["created_at"].endswith("Z")
    assert api.get("/messages").get_json()["total"] == 3  # receipt, seller, agent
    assert api.get("/messages?status=pending&to=%2B254722000101").get_json()["total"] == 1
    assert api.get("/messages?status=sent").get_json()["total"] == 0
    res = api.get("/messages?to=hello")
    assert res.status_code == 400 and "to must be a phone number" in res.get_json()["error"]
    assert api.get("/messages?status=no%20such").status_code == 400


def test_sellers_and_agents(admin_app, api, db_engine):
    place(db_engine)
    sellers = api.get("/sellers").get_json()
    assert sellers["total"] == 5
    njeri = next(s for s in sellers["sellers"] if s["shop_name"] == "Mama Njeri Shop")
    assert njeri["phone"] == "+254711000001" and njeri["currency"] == "KES" and njeri["open_orders"] == 1
    assert njeri["products"] > 10 and njeri["suspended"] is False
    assert [s["shop_name"] for s in api.get("/sellers?q=agrovet").get_json()["sellers"]] == ["Kibet Agrovet"]
    agents = api.get("/agents").get_json()
    assert agents["total"] == 4
    assert set(agents["agents"][0]) >= {"id", "name", "village", "phone", "has_pin", "suspended", "locked"}
    assert [a["village"] for a in api.get("/agents?q=malindi").get_json()["agents"]] == ["Malindi"]
    assert api.get("/agents?per_page=0").status_code == 400


def test_stats(admin_app, api, db_engine):
    place(db_engine)  # KES 360, placed: not a sale yet
    paid = place(db_engine, product="Sugar 1kg", qty=1, method="mobile_money")
    tz = place(db_engine, phone=TZ_BUYER, product="Sugar 1kg", qty=1, village="Malindi")
    with db_engine.begin() as conn:
        t = Order.__table__
        conn.execute(update(t).where(t.c.code.in_([paid, tz])).values(status="paid"))
        conn.execute(Payment.__table__.insert().values(
            order_id=conn.execute(select(t.c.id).where(t.c.code == paid)).scalar(), method="mobile_money",
            amount_minor=21000, currency="KES", reference="ATPid_9", status="success"))
    s = api.get("/stats?days=7").get_json()
    assert s["orders"]["total"] == 3
    assert s["orders"]["by_status"] == {"placed": 1, "paid": 2, "dispatched": 0, "arrived": 0, "delivered": 0, "cancelled": 0,
                                        "expired": 0}
    assert s["sales"] == {"KES": {"orders": 1, "amount_minor": 21000}, "TZS": {"orders": 1, "amount_minor": 420000}}
    days = s["sales_per_day"]["by_currency"]["KES"]
    assert len(days) == 7 and days[-1] == {"date": utcnow().date().isoformat(), "amount_minor": 21000}
    assert sum(d["amount_minor"] for d in days[:-1]) == 0
    assert s["payment_mix"]["orders_by_method"] == {"cash": 2, "mobile_money": 1}
    assert s["payment_mix"]["payments"] == [{"method": "mobile_money", "status": "success", "currency": "KES",
                                             "count": 1, "amount_minor": 21000}]
    assert api.get("/stats?days=0").status_code == 400
    assert api.get("/stats?days=abc").status_code == 400


def _audit(engine) -> list[tuple]:
    with engine.connect() as conn:
        t = AuditEntry.__table__
        return [tuple(r) for r in conn.execute(select(t.c.actor, t.c.action, t.c.target, t.c.detail).order_by(t.c.id))]


def test_cancel_an_order_with_a_reason(admin_app, api, db_engine):
    code = place(db_engine, qty=3)
    with db_engine.connect() as conn:
        before = conn.execute(select(Product.__table__.c.stock).where(Product.__table__.c.name == "Maize flour 2kg")).scalar()
    assert api.post(f"/orders/{code}/cancel", json={}).status_code == 400
    assert "reason is required" in api.post(f"/orders/{code}/cancel", json={"reason": "  "}).get_json()["error"]
    assert api.post(f"/orders/{code}/cancel", json=["x"]).status_code == 400

    res = api.post(f"/orders/{code}/cancel", json={"reason": "Seller is out of stock"})
    assert res.status_code == 200
    o = res.get_json()
    assert o["status"] == "cancelled"
    assert o["history"][-1]["status"] == "cancelled" and o["history"][-1]["by"] == "admin:api"
    assert o["history"][-1]["note"] == "Seller is out of stock"
    with db_engine.connect() as conn:
        after = conn.execute(select(Product.__table__.c.stock).where(Product.__table__.c.name == "Maize flour 2kg")).scalar()
        told = conn.execute(select(Message.__table__.c.to_phone, Message.__table__.c.body)
                            .where(Message.__table__.c.kind == "order_cancelled")).all()
    assert after == before + 3
    assert sorted(p for p, _ in told) == sorted([BUYER, "+254711000001"])
    assert all("Seller is out of stock" in body and code in body for _, body in told)
    assert _audit(db_engine) == [("admin:api", "cancel_order", f"order:{code}", "Seller is out of stock")]

    again = api.post(f"/orders/{code}/cancel", json={"reason": "twice"})
    assert again.status_code == 409 and "is cancelled" in again.get_json()["error"]
    with db_engine.connect() as conn:
        events = conn.execute(select(OrderEvent.__table__.c.status)).scalars().all()
        after_again = conn.execute(select(Product.__table__.c.stock).where(Product.__table__.c.name == "Maize flour 2kg")).scalar()
    assert events.count("cancelled") == 1 and after_again == after


def test_cancelling_a_paid_order_flags_the_refund(admin_app, api, db_engine):
    code = place(db_engine)
    with db_engine.begin() as conn:
        conn.execute(update(Order.__table__).where(Order.__table__.c.code == code).values(status="paid", paid_minor=36000))
    o = api.post(f"/orders/{code}/cancel", data={"reason": "Buyer moved away"}).get_json()
    assert o["status"] == "cancelled" and o["flags"] == ["refund_due"]
    buyer_note = next(m for m in o["messages"] if m["to"] == BUYER and "placed" not in m["body"])
    assert "refunded" in buyer_note["body"]


def test_add_and_suspend_agents_and_sellers(admin_app, api, db_engine):
    res = api.post("/agents", json={"phone": "0722 000 199", "name": "Amina Yusuf", "village": "Lamu", "pin": "4321"})
    assert res.status_code == 201
    agent = res.get_json()
    assert agent["phone"] == "+254722000199" and agent["village"] == "Lamu" and agent["has_pin"] is True
    for body, says in (({"phone": "nope", "name": "A", "village": "B"}, "phone must be a phone number"),
                       ({"phone": "0722000198", "village": "B"}, "name is required"),
                       ({"phone": "0722000198", "name": "A", "village": "B", "pin": "12"}, "pin must be 4 to 8 digits"),
                       ({"phone": "0722000198", "name": "A" * 61, "village": "B"}, "at most 60")):
        bad = api.post("/agents", json=body)
        assert bad.status_code == 400 and says in bad.get_json()["error"], body

    res = api.post(f"/agents/{agent['id']}/suspend", json={"reason": "Point closed"})
    assert res.get_json() == {"id": agent["id"], "suspended": True, "changed": True}
    assert api.post(f"/agents/{agent['id']}/suspend").get_json()["changed"] is False
    assert api.get("/agents?q=lamu").get_json()["agents"][0]["suspended"] is True
    assert api.post(f"/agents/{agent['id']}/reinstate").get_json()["suspended"] is False
    assert api.post("/agents/9999/suspend").status_code == 404

    with db_engine.connect() as conn:
        kibet = conn.execute(select(Seller.__table__.c.id).where(Seller.__table__.c.shop_name == "Kibet Agrovet")).scalar()
    assert api.post(f"/sellers/{kibet}/suspend", json={"reason": "Fake goods"}).get_json()["changed"] is True
    assert api.get("/sellers?q=kibet").get_json()["sellers"][0]["suspended"] is True
    # A suspended seller's goods cannot be ordered.
    pid, aid = _ids(db_engine, "Panga", "Kiambu")
    assert orders.place_order(db_engine, phone=BUYER, product_id=pid, quantity=1, agent_id=aid, method="cash",
                              request_key=None, payment_window_minutes=60).error == "unavailable"

    assert _audit(db_engine) == [
        ("admin:api", "add_agent", f"agent:{agent['id']}", "Amina Yusuf at Lamu with a PIN"),
        ("admin:api", "suspend_agent", f"agent:{agent['id']}", "Point closed"),
        ("admin:api", "reinstate_agent", f"agent:{agent['id']}", None),
        ("admin:api", "suspend_seller", f"seller:{kibet}", "Fake goods"),
    ]
    entries = api.get("/audit").get_json()
    assert entries["total"] == 4 and entries["entries"][0]["action"] == "suspend_seller"


def test_failed_jobs_listed_and_requeued(admin_app, api, db_engine):
    from rq import Queue, SimpleWorker

    s = admin_app.extensions["soko"]
    q = Queue("orders", connection=s.redis)
    job = q.enqueue("workers.no_such_module.job", 42)
    SimpleWorker([q], connection=s.redis).work(burst=True)
    failed = api.get("/jobs/failed").get_json()["jobs"]
    assert [(j["queue"], j["id"]) for j in failed] == [("orders", job.id)]
    assert "no_such_module" in failed[0]["call"] and failed[0]["error"]
    assert api.post(f"/jobs/orders/{job.id}/requeue").status_code == 200
    assert q.job_ids == [job.id]
    assert api.get("/jobs/failed").get_json()["jobs"] == []
    assert api.post(f"/jobs/orders/{job.id}/requeue").status_code == 404
    assert api.post(f"/jobs/nosuch/{job.id}/requeue").status_code == 404
    assert _audit(db_engine)[-1][:2] == ("admin:api", "requeue_job")
