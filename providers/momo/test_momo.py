"""MTN MoMo Collections: the table of recorded callbacks (testdata/callbacks.json, the status
query's body as MTN's documentation shows it: PROVIDERS.md §11), each parsed into a RailResult or
refused with its 400 reason; then the real client against the local fake MoMo (tests/fake_rails.py):
token, a new UUID X-Reference-Id per attempt, X-Target-Environment by country, X-Callback-Url naming
the attempt, Soko's User-Agent, and GET requesttopay/{referenceId} for every status. No database."""

from __future__ import annotations

import json
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from providers.base import RAIL_FAILED, RAIL_PAID, RAIL_PENDING, BadRequest, ProviderError
from providers.momo import collection
from tests import fake_rails as fr

fake_rails = fr.fake_rails  # the fixture, used by name below
TESTDATA = Path(__file__).with_name("testdata")
CALLBACK = "https://soko.example/payments/momo?token=t0k3n"
ENVIRONMENTS = {"GH": "mtnghana", "UG": "mtnuganda"}


def cases(name: str) -> list:
    return [pytest.param(c, id=c["label"]) for c in json.loads((TESTDATA / name).read_text("utf-8"))]


def plain(value) -> dict:
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in asdict(value).items()}


@pytest.mark.parametrize("case", cases("callbacks.json"))
def test_callbacks(case):
    body = case["raw"].encode() if "raw" in case else json.dumps(case["json"]).encode()
    if "error" in case:
        with pytest.raises(BadRequest) as info:
            collection.parse_callback(body, case["url_ref"])
        assert str(info.value) == case["error"]
    else:
        assert plain(collection.parse_callback(body, case["url_ref"])) == case["expect"]


def client(fake, **kw) -> collection.MomoCollection:
    return collection.MomoCollection(fr.MOMO_SUBSCRIPTION_KEY, fr.MOMO_API_USER, fr.MOMO_API_KEY, ENVIRONMENTS,
                                     callback_url=CALLBACK, base_url=fake.url, **kw)


def test_request_to_pay_as_momo_wants_it(fake_rails):
    c = client(fake_rails)
    first = c.request_payment("+256772123456", "UG", Decimal("1500"), "UGX", "8456462")
    second = c.request_payment("+233241234567", "GH", Decimal("12.50"), "GHS", "8456462")
    assert first.accepted and second.accepted and first.reference != second.reference
    a, b = fake_rails.requests_to("/requesttopay")
    assert a["headers"]["X-Reference-Id"] == first.reference and b["headers"]["X-Reference-Id"] == second.reference
    assert (a["headers"]["X-Target-Environment"], b["headers"]["X-Target-Environment"]) == ("mtnuganda", "mtnghana")
    assert a["headers"]["X-Callback-Url"] == f"{CALLBACK}&ref={first.reference}"
    assert a["headers"]["Ocp-Apim-Subscription-Key"] == fr.MOMO_SUBSCRIPTION_KEY
    assert a["headers"]["User-Agent"].startswith("Soko/")
    assert a["json"] == {"amount": "1500", "currency": "UGX", "externalId": "8456462",
                         "payer": {"partyIdType": "MSISDN", "partyId": "256772123456"},
                         "payerMessage": "Soko order 8456462", "payeeNote": "Order 8456462"}
    assert b["json"]["amount"] == "12.50"
    [token] = fake_rails.requests_to("/collection/token/")
    assert token["method"] == "POST" and token["headers"]["Authorization"].startswith("Basic ")


def test_the_gateway_refuses_python_requests_user_agent(fake_rails):
    """Why the client sends its own User-Agent: the same call with requests' default is refused."""
    c = client(fake_rails)
    c.request_payment("+256772123456", "UG", Decimal(1), "UGX", "1")
    token = c.tokens.get()
    res = requests.get(f"{fake_rails.url}/collection/v1_0/requesttopay/{fake_rails.requests[-1]['headers']['X-Reference-Id']}",
                       headers={"Authorization": f"Bearer {token}", "X-Target-Environment": "mtnuganda",
                                "Ocp-Apim-Subscription-Key": fr.MOMO_SUBSCRIPTION_KEY}, timeout=5)
    assert res.status_code == 403


def test_a_country_without_an_environment_is_refused(fake_rails):
    with pytest.raises(ProviderError) as info:
        client(fake_rails).request_payment("+254712345678", "KE", Decimal(1), "KES", "1")
    assert "MOMO_TARGET_ENVIRONMENT" in str(info.value) and not info.value.retryable


def test_an_outage_keeps_the_reference_for_the_status_query(fake_rails):
    fake_rails.start_failures = 1
    with pytest.raises(ProviderError) as info:
        client(fake_rails).request_payment("+256772123456", "UG", Decimal(1), "UGX", "1")
    assert info.value.retryable and collection.is_reference(info.value.reference)


def test_a_refused_token_is_fetched_again(fake_rails):
    c = client(fake_rails)
    c.request_payment("+256772123456", "UG", Decimal(1), "UGX", "1")
    fake_rails.revoke_tokens()
    assert c.request_payment("+256772123456", "UG", Decimal(1), "UGX", "1").accepted
    assert len(fake_rails.requests_to("/collection/token/")) == 2


@pytest.mark.parametrize(("behaviour", "state", "code"), [
    ("pay", RAIL_PAID, "SUCCESSFUL"), ("cancel", RAIL_FAILED, "FAILED APPROVAL_REJECTED"),
    ("no_answer", RAIL_FAILED, "FAILED EXPIRED"), ("silent", RAIL_PENDING, "PENDING"),
])
def test_the_status_query_for_every_status(fake_rails, behaviour, state, code):
    c = client(fake_rails)
    start = c.request_payment("+256772123456", "UG", Decimal("1500"), "UGX", "8456462")
    assert c.status(start.reference, "UG").state == RAIL_PENDING
    fake_rails.payer["+256772123456"] = behaviour
    callbacks = fake_rails.settle(deliver=lambda *cb: None)
    result = c.status(start.reference, "UG")
    assert (result.state, result.code) == (state, code)
    if state == RAIL_PAID:
        assert (result.amount, result.currency, result.order_code) == (Decimal(1500), "UGX", "8456462")
        assert result.receipt and result.payer == "+256772123456"
    if callbacks:  # the callback says what the query says
        method, url, body = callbacks[0]
        assert method == "PUT" and url.endswith(start.reference)
        assert collection.parse_callback(json.dumps(body).encode(), start.reference) == result


def test_a_request_momo_never_took_is_failed(fake_rails):
    c = client(fake_rails)
    c.request_payment("+256772123456", "UG", Decimal(1), "UGX", "1")  # a token
    result = c.status("0b8f5a8c-1d2e-4f30-9a41-b5c6d7e8f901", "UG")
    assert result.state == RAIL_FAILED and "RESOURCE_NOT_FOUND" in result.code
