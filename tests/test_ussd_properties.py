"""Hypothesis: whatever a handset sends, the answer is `CON `/`END ` within the screen budget, never a
500, and no order is ever half-written."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from commerce import demo
from commerce.models import Order, OrderEvent, OrderLine
from tests.ussd_budget import assert_fits

PHONES = ["+254712345678", "+254722000555", "0712000111", "+255712345678", "+256772123456", "254733444555"]
BUDGETS = [100, 160, 182]

keys = st.sampled_from(["0", "00", "98", "1", "2", "3", "4", "5", "9", "", " ", "*", "**", "1*1"])
digits = st.text(alphabet="0123456789*#", max_size=12)
# Any unicode a handset or aggregator could pass: Chinese, emoji, control characters. Not NUL, which no
# handset sends: a request carrying one is refused whole with a 400 (tests/test_hostile_input.py).
words = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)
long_text = st.text(alphabet="ab *1€[", min_size=70, max_size=120)
inputs = st.lists(st.one_of(keys, keys, keys, digits, words, long_text), min_size=1, max_size=14)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(phone=st.sampled_from(PHONES), session=st.sampled_from(["s1", "s2", "s3"]), budget=st.sampled_from(BUDGETS),
       typed=inputs, redeliver=st.booleans())
def test_any_input_gets_a_ussd_answer_within_the_budget(apps, phone, session, budget, typed, redeliver):
    client = apps[budget].test_client()
    base = {"sessionId": session, "serviceCode": "*384*123#", "phoneNumber": phone, "networkCode": "63902"}
    sent: list[str] = []
    for value in [None, *typed]:
        if value is not None:
            sent.append(value)
        for _ in range(2 if redeliver else 1):
            res = client.post("/ussd/africastalking", data={**base, "text": "*".join(sent)})
            assert res.status_code == 200, res.get_data(as_text=True)
            assert res.mimetype == "text/plain"
            answer = res.get_data(as_text=True)
            assert_fits(answer, budget)
        if answer.startswith("END"):
            break
    with apps[budget].extensions["soko"].db.connect() as conn:
        n = [conn.execute(select(func.count()).select_from(t.__table__)).scalar() for t in (Order, OrderLine)]
        events = conn.execute(select(func.count(func.distinct(OrderEvent.__table__.c.order_id)))).scalar()
    assert n[0] == n[1] == events  # every order has its line and its history


@pytest.fixture
def apps(make_app):
    """One app per screen budget, sharing the seeded database and Redis for the whole test."""
    made = {b: make_app(ussd_max_chars=b) for b in BUDGETS}
    with made[160].extensions["soko"].db.begin() as conn:
        demo.seed(conn)
    return made
