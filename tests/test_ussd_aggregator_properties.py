"""Hypothesis: any sequence of inputs gives the same screens through every aggregator's adapter
as through Africa's Talking — the same journey, translated (the whole path for AT, the latest
input and a hop number for the others) — and every answer is valid JSON of its provider's shape,
within the character budget.

Five handsets (AT, Hubtel, Arkesel, Nalo, Beem), each its own Kenyan number, take the same inputs
in lock step: each hop goes to every handset before the next hop, so each sees the same stock and
the same catalog. Only order codes differ (random per order), so they are masked before comparing.
An empty first input is left out: Africa's Talking's path is then "" as on the dial, the same
text as a redelivered first hop, so AT cannot tell the two apart (the others can).
Redelivered hops go to AT, Hubtel and Beem (the others number no hops: a second post is a new key
press there, README "USSD aggregators")."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from commerce import demo
from commerce.models import Product
from tests.aggregators import NAMES, NUMBERS_HOPS, request_body, screen_of
from tests.ussd_budget import assert_fits

BUDGETS = [100, 160]
PHONES = {"africastalking": "+254712000001", "hubtel": "+254712000002", "arkesel": "+254712000003",
          "nalo": "+254712000004", "beem": "+254712000005"}
CODE = "*384*123#"

keys = st.sampled_from(["0", "00", "98", "1", "2", "3", "4", "5", "9", "", "*", "1*1", "maize"])
digits = st.text(alphabet="0123456789*#", max_size=12)
words = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
long_text = st.text(alphabet="ab*1€[", min_size=81, max_size=90)  # past the 80 a handset may send
inputs = st.lists(st.one_of(keys, keys, keys, digits, words, long_text), min_size=1, max_size=10)
_sessions = itertools.count()


def masked(screen: str) -> str:
    return re.sub(r"\b\d{7}\b", "<order>", screen)  # order codes: random, one per order


class AtHandset:
    def __init__(self, client, sid):
        self.client, self.sid, self.sent = client, sid, []

    def hop(self, value, budget):
        if value is not None:
            self.sent.append(value)
        return self._post(budget)

    def again(self, budget):
        return self._post(budget)

    def _post(self, budget):
        res = self.client.post("/ussd/africastalking", data={
            "sessionId": self.sid, "serviceCode": CODE, "phoneNumber": PHONES["africastalking"],
            "text": "*".join(self.sent)})
        assert res.status_code == 200 and res.mimetype == "text/plain"
        answer = res.get_data(as_text=True)
        assert_fits(answer, budget)
        return answer


class JsonHandset:
    def __init__(self, client, name, sid):
        self.client, self.name, self.sid, self.n, self.body = client, name, sid, 0, None

    def hop(self, value, budget):
        self.n += 1
        self.body = request_body(self.name, session_id=self.sid, phone=PHONES[self.name], code=CODE,
                                 kind="start" if value is None else "input", text=value or "", hop=self.n)
        return self._post(budget)

    def again(self, budget):
        return self._post(budget)

    def _post(self, budget):
        res = self.client.post(f"/ussd/{self.name}", json=self.body)
        assert res.status_code == 200, res.get_data(as_text=True)
        assert res.mimetype == "application/json"
        answer = screen_of(self.name, res.get_json(), self.body)  # exactly the provider's keys
        assert_fits(answer, budget)  # the screen as a handset shows it, CON/END counted as AT's
        return answer


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(budget=st.sampled_from(BUDGETS), typed=inputs.filter(lambda xs: xs[0] != ""), redeliver=st.lists(st.booleans(), min_size=11, max_size=11))
def test_every_aggregator_shows_the_same_screens_as_africas_talking(apps, budget, typed, redeliver):
    client = apps[budget].test_client()
    n = next(_sessions)
    at = AtHandset(client, f"ATUid_p{n}")
    others = [JsonHandset(client, name, f"p{n}-{name}") for name in NAMES]
    for i, value in enumerate([None, *typed]):
        expected = at.hop(value, budget)
        for h in others:
            assert masked(h.hop(value, budget)) == masked(expected), (h.name, i, value)
        if redeliver[i] and value is not None:
            assert at.again(budget) == expected
            for h in others:
                if h.name in NUMBERS_HOPS:
                    assert masked(h.again(budget)) == masked(expected), (h.name, "redelivered", i)
        if expected.startswith("END"):
            break


@pytest.fixture
def apps(make_app):
    on = {f"{name}_enabled": True for name in NAMES}
    made = {b: make_app(ussd_max_chars=b, **on) for b in BUDGETS}
    engine = made[160].extensions["soko"].db
    with engine.begin() as conn:
        demo.seed(conn)
        conn.execute(update(Product.__table__).values(stock=100_000))  # five buyers never run a product out
    return made
