"""Issue 13 item 6: every malformed input of the audit gets a 4xx with a reason and changes nothing;
the payment webhook answers 503 while the database is away (so Africa's Talking tries again) and
records the payment when it is back; a newline in a request's value cannot forge a log line."""

from __future__ import annotations

import io
import json
import logging
import sqlite3

import pytest
from sqlalchemy import func, make_url, select

from commerce.models import InboundMessage, Order, Payment, UssdSessionEvent
from gateway.logs import PLAIN_FORMAT, configure
from tests.orderkit import order
from tests.payflow import notification, pay_app  # noqa: F401 - fixture
from tests.test_faults import pg_faulty_app  # noqa: F401 - fixture
from tests.test_payments import buy

PAYS = Payment.__table__


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table.__table__)).scalar()


def _post_payment(client, body: bytes):
    return client.post("/payments/africastalking", data=body, content_type="application/json")


def test_deeply_nested_payment_json_is_a_400_with_the_reason(client):
    deep = ('{"a":' * 5000 + "1" + "}" * 5000).encode()  # 30 KB: under the 64 KB limit
    res = _post_payment(client, deep)
    assert res.status_code == 400 and res.get_data(as_text=True) == "Body is nested too deeply\n"


@pytest.mark.parametrize("field", ["transactionId", "status", "description", "providerRefId", "source",
                                   "category"])
def test_a_nul_in_a_payment_field_is_a_400_naming_it(pay_app, field):  # noqa: F811
    client = pay_app.test_client()
    code = buy(client, lambda **kw: _session(client, **kw))
    body = notification(code, "KES 360.0000")
    body[field] = body[field] + "\x00"
    res = _post_payment(client, json.dumps(body).encode())
    assert res.status_code == 400 and field in res.get_data(as_text=True)
    assert _count(pay_app.extensions["soko"].db, Payment) == 0
    # The provider's clean retry is recorded as usual.
    assert _post_payment(client, json.dumps(notification(code, "KES 360.0000")).encode()).status_code == 200
    assert order(pay_app.extensions["soko"].db, code).status == "paid"


def _session(client, phone="+254712345678", session_id="ATUid_pay1"):
    from tests.conftest import UssdSession

    return UssdSession(client, phone, session_id)


@pytest.mark.parametrize("field", ["sessionId", "text", "serviceCode"])
def test_a_nul_in_a_ussd_hop_is_a_400(seeded, client, field):
    hop = {"sessionId": "ATUid_nul", "serviceCode": "*384*123#", "phoneNumber": "+254712345678", "text": "1"}
    hop[field] += "\x00"
    res = client.post("/ussd/africastalking", data=hop)
    assert res.status_code == 400 and "NUL" in res.get_data(as_text=True)


@pytest.mark.parametrize("field", ["sessionId", "phoneNumber", "input", "errorMessage"])
def test_a_nul_in_a_ussd_session_end_is_a_400(seeded, client, field):
    event = {"sessionId": "ATUid_nul", "status": "Failed", "phoneNumber": "+254712345678", "input": "1*2",
             "errorMessage": "timeout"}
    event[field] += "\x00"
    res = client.post("/ussd/africastalking/events", data=event)
    assert res.status_code == 400 and "NUL" in res.get_data(as_text=True)
    assert _count(seeded.extensions["soko"].db, UssdSessionEvent) == 0


def test_a_nul_in_an_sms_id_is_a_400(seeded, client):
    sms = {"from": "+254711223344", "to": "20880", "text": "HELP", "date": "2024-05-10 12:34:56", "id": "ATXid_\x00"}
    res = client.post("/sms/africastalking", data=sms)
    assert res.status_code == 400 and "NUL" in res.get_data(as_text=True)
    assert _count(seeded.extensions["soko"].db, InboundMessage) == 0


# -- the database away ----------------------------------------------------------------------------

def test_payments_answer_503_while_sqlite_is_locked_and_record_the_retry(pay_app, database_url):  # noqa: F811
    if not database_url.startswith("sqlite"):
        pytest.skip("the SQLite lock case; PostgreSQL's is below")
    client = pay_app.test_client()
    db = pay_app.extensions["soko"].db
    code = buy(client, lambda **kw: _session(client, **kw))
    body = json.dumps(notification(code, "KES 360.0000")).encode()
    locker = sqlite3.connect(make_url(database_url).database, timeout=0.1, isolation_level=None)
    try:
        locker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock and does not let go
        res = _post_payment(client, body)
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert res.status_code == 503 and res.get_data(as_text=True) == "Database unavailable, retry later\n"
    assert _count(db, Payment) == 0
    res = _post_payment(client, body)  # Africa's Talking's retry, a minute later
    assert res.status_code == 200 and res.get_json()["outcome"] == "paid"
    assert order(db, code).status == "paid"


def test_payments_answer_503_while_postgresql_is_away(pg_faulty_app, db_engine):  # noqa: F811
    app, proxy = pg_faulty_app
    client = app.test_client()
    code = buy(client, lambda **kw: _session(client, **kw))
    body = json.dumps(notification(code, "KES 360.0000")).encode()
    proxy.cut()
    res = _post_payment(client, body)
    assert res.status_code == 503 and res.get_data(as_text=True) == "Database unavailable, retry later\n"
    proxy.restore()
    res = _post_payment(client, body)
    assert res.status_code == 200 and res.get_json()["outcome"] == "paid"
    with db_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(PAYS)).scalar() == 1


# -- logs -----------------------------------------------------------------------------------------

def test_a_newline_in_a_transaction_id_cannot_forge_a_log_line(seeded, client):
    """Development's plain format: the forged 'paid' line stays inside the real one."""
    root = logging.getLogger()
    saved = root.handlers[:]
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter(PLAIN_FORMAT))
    root.handlers[:] = [handler]
    try:
        configure(production=False)
        forged = "ATPid_x\n2026-01-01 10:00:00,000 WARNING soko.payments payment ATPid_y: paid"
        body = notification("1234567", "KES 360.0000", tid="ATPid_x")
        body["transactionId"] = forged
        res = _post_payment(client, json.dumps(body).encode())
        assert res.status_code == 200 and res.get_json()["outcome"] == "unknown_order"
    finally:
        root.handlers[:] = saved
    lines = [line for line in out.getvalue().splitlines() if "soko.payments" in line]
    assert len(lines) == 1, lines
    assert lines[0].endswith("payment ATPid_x\\n2026-01-01 10:00:00,000 WARNING soko.payments payment ATPid_y: "
                             "paid: unknown_order")
    assert _count(seeded.extensions["soko"].db, Order) == 0
