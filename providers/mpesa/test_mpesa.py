"""M-Pesa Daraja: the table of recorded STK callbacks (testdata/stk_callbacks.json, shaped as
Daraja's documentation and public integrations show them: PROVIDERS.md §11), each parsed into a
RailResult or refused with its 400 reason; then the real client against the local fake Daraja
(tests/fake_rails.py): token cached until it expires, password and timestamp, whole-unit amount,
AccountReference, and the status query for every result code. No database, no Redis."""

from __future__ import annotations

import base64
import json
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from providers.base import RAIL_FAILED, RAIL_PAID, RAIL_PENDING, BadRequest, ProviderError
from providers.mpesa import stk
from tests import fake_rails as fr

fake_rails = fr.fake_rails  # the fixture, used by name below
TESTDATA = Path(__file__).with_name("testdata")
CALLBACK = "https://soko.example/payments/mpesa?token=t0k3n"


def cases(name: str) -> list:
    return [pytest.param(c, id=c["label"]) for c in json.loads((TESTDATA / name).read_text("utf-8"))]


def plain(value) -> dict:
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in asdict(value).items()}


@pytest.mark.parametrize("case", cases("stk_callbacks.json"))
def test_stk_callbacks(case):
    body = case["raw"].encode() if "raw" in case else json.dumps(case["json"]).encode()
    if "error" in case:
        with pytest.raises(BadRequest) as info:
            stk.parse_callback(body)
        assert str(info.value) == case["error"]
    else:
        assert plain(stk.parse_callback(body)) == case["expect"]


def test_the_acknowledgement_daraja_expects():
    assert stk.ACK == {"ResultCode": 0, "ResultDesc": "Accepted"}


def test_password_and_timestamp():
    ts = stk.timestamp(datetime(2026, 12, 1, 7, 5, 9, tzinfo=stk.NAIROBI))
    assert ts == "20261201070509"
    assert base64.b64decode(stk.password("174379", "passkey", ts)) == b"174379passkey20261201070509"


def client(fake, **kw) -> stk.DarajaClient:
    return stk.DarajaClient(fr.MPESA_KEY, fr.MPESA_SECRET, fr.MPESA_SHORTCODE, fr.MPESA_PASSKEY, CALLBACK,
                            base_url=fake.url, **kw)


def test_stk_push_as_daraja_wants_it(fake_rails):
    c = client(fake_rails)
    start = c.request_payment("+254712345678", "KE", Decimal("360.00"), "KES", "8456462")
    assert start.accepted and start.reference.startswith("ws_CO_")
    [req] = fake_rails.requests_to("/stkpush/")
    body = req["json"]
    assert body["Amount"] == 360 and body["PhoneNumber"] == body["PartyA"] == "254712345678"
    assert body["PartyB"] == body["BusinessShortCode"] == fr.MPESA_SHORTCODE
    assert body["TransactionType"] == "CustomerPayBillOnline" and body["AccountReference"] == "8456462"
    assert len(body["TransactionDesc"]) <= 13 and body["CallBackURL"] == CALLBACK
    assert req["headers"]["User-Agent"].startswith("Soko/")


def test_a_till_is_paid_with_buy_goods(fake_rails):
    client(fake_rails, till_number="5566778").request_payment("+254712345678", "KE", Decimal(10), "KES", "1")
    body = fake_rails.requests_to("/stkpush/")[0]["json"]
    assert body["TransactionType"] == "CustomerBuyGoodsOnline" and body["PartyB"] == "5566778"


def test_the_token_is_cached_until_it_expires_and_fetched_again_when_refused(fake_rails):
    c = client(fake_rails)
    for _ in range(3):
        c.request_payment("+254712345678", "KE", Decimal(10), "KES", "1")
    assert len(fake_rails.requests_to("/oauth/")) == 1
    assert fake_rails.requests_to("/oauth/")[0]["args"] == {"grant_type": "client_credentials"}
    fake_rails.revoke_tokens()  # Daraja forgot it (404.001.03): one new token, the call goes through
    assert c.request_payment("+254712345678", "KE", Decimal(10), "KES", "1").accepted
    assert len(fake_rails.requests_to("/oauth/")) == 2
    # Near its expiry (3599 s, less a minute's margin) a token is replaced before it is used.
    now = [0.0]
    c.tokens._clock = lambda: now[0]
    c.tokens.forget(c.tokens.get())
    c.tokens.get()
    before = len(fake_rails.requests_to("/oauth/"))
    now[0] = 3500.0
    c.tokens.get()
    assert len(fake_rails.requests_to("/oauth/")) == before
    now[0] = 3545.0
    c.tokens.get()
    assert len(fake_rails.requests_to("/oauth/")) == before + 1


@pytest.mark.parametrize(("amount", "currency", "phone", "code", "why"), [
    (Decimal("360.50"), "KES", "+254712345678", "1", "whole shillings"),
    (Decimal("0"), "KES", "+254712345678", "1", "whole shillings"),
    (Decimal("10"), "UGX", "+254712345678", "1", "takes KES"),
    (Decimal("10"), "KES", "+256772123456", "1", "Kenyan numbers"),
    (Decimal("10"), "KES", "+254712345678", "1234567890123", "AccountReference"),
])
def test_what_daraja_cannot_take_is_refused_before_calling(fake_rails, amount, currency, phone, code, why):
    with pytest.raises(ProviderError) as info:
        client(fake_rails).request_payment(phone, "KE", amount, currency, code)
    assert why in str(info.value) and not info.value.retryable
    assert not fake_rails.requests_to("/stkpush/")


def test_bad_credentials_say_which_settings(fake_rails):
    c = stk.DarajaClient("wrong", "wrong", fr.MPESA_SHORTCODE, fr.MPESA_PASSKEY, CALLBACK, base_url=fake_rails.url)
    with pytest.raises(ProviderError) as info:
        c.request_payment("+254712345678", "KE", Decimal(10), "KES", "1")
    assert "MPESA_CONSUMER_KEY" in str(info.value) and not info.value.retryable


def test_a_daraja_outage_is_retryable(fake_rails):
    fake_rails.start_failures = 1
    with pytest.raises(ProviderError) as info:
        client(fake_rails).request_payment("+254712345678", "KE", Decimal(10), "KES", "1")
    assert info.value.retryable and info.value.status_code == 503


@pytest.mark.parametrize(("behaviour", "state", "code"), [
    ("pay", RAIL_PAID, "0"), ("cancel", RAIL_FAILED, "1032"), ("no_answer", RAIL_FAILED, "1037"),
    ("silent", RAIL_PENDING, stk.STILL_PROCESSING),
])
def test_the_status_query_for_every_result(fake_rails, behaviour, state, code):
    c = client(fake_rails)
    start = c.request_payment("+254712345678", "KE", Decimal(10), "KES", "1")
    assert c.status(start.reference).state == RAIL_PENDING  # the payer has not answered yet
    fake_rails.payer["+254712345678"] = behaviour
    callbacks = fake_rails.settle(deliver=lambda *cb: None)
    result = c.status(start.reference)
    assert (result.state, result.code) == (state, code)
    if callbacks:  # the callback and the query agree
        assert stk.parse_callback(json.dumps(callbacks[0][2]).encode()).state == state
