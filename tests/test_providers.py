"""The providers' outbound clients (plain HTTP for Africa's Talking, the `twilio` SDK) talking to the
local fake provider server. Their webhook parsers have tables of their own, beside them in
providers/*/test_*.py."""

from __future__ import annotations

import json
import re
import time

import pytest

from providers.africastalking.payments import AfricasTalkingPayments
from providers.africastalking.sms import AfricasTalkingSms
from providers.base import (
    CheckoutResult,
    ProviderError,
    SendResult,
    SmsProvider,
)
from providers.twilio.client import TwilioSms
from tests.fakes import (
    AT_API_KEY,
    AT_USERNAME,
    TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN,
    TWILIO_FROM_NUMBER,
    basic_auth,
    fake_providers,  # noqa: F401  (fixture)
    sms_segments,
)

NUMBERS = ["+254711000001", "+254711000002", "+255754000003"]


@pytest.fixture
def at_sms(fake_providers):  # noqa: F811
    return AfricasTalkingSms(AT_USERNAME, AT_API_KEY, sender_id="SOKO", base_url=fake_providers.url, timeout=2)


@pytest.fixture
def twilio_sms(fake_providers):  # noqa: F811
    return TwilioSms(
        TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER, base_url=fake_providers.url,
        status_callback="https://soko.example/sms/twilio/status", timeout=2,
    )


@pytest.fixture
def payments(fake_providers):  # noqa: F811
    return AfricasTalkingPayments(AT_USERNAME, AT_API_KEY, "Soko", base_url=fake_providers.url, timeout=2)


def test_providers_satisfy_the_interface(at_sms, twilio_sms):
    assert isinstance(at_sms, SmsProvider) and at_sms.max_batch >= 100
    assert isinstance(twilio_sms, SmsProvider) and twilio_sms.max_batch == 1


def test_base_urls_default_to_the_providers():
    assert AfricasTalkingSms("soko", "k").base_url == "https://api.africastalking.com/version1"
    assert AfricasTalkingSms("sandbox", "k").base_url == "https://api.sandbox.africastalking.com/version1"
    assert AfricasTalkingSms("soko", "k", base_url="http://x:1/").base_url == "http://x:1/version1"
    assert AfricasTalkingSms("soko", "k", base_url="http://x:1/version1").base_url == "http://x:1/version1"
    assert AfricasTalkingPayments("soko", "k", "P").checkout_url == (
        "https://payments.africastalking.com/mobile/checkout/request")
    assert AfricasTalkingPayments("sandbox", "k", "P").checkout_url == (
        "https://payments.sandbox.africastalking.com/mobile/checkout/request")
    assert TwilioSms("AC1", "t", "+1").base_url == "https://api.twilio.com"


# -- Africa's Talking SMS ---------------------------------------------------------------------------

def test_at_bulk_send_is_one_http_call(fake_providers, at_sms):  # noqa: F811
    results = at_sms.send("Order 1234-5 is ready", NUMBERS)

    assert len(fake_providers.requests) == 1
    req = fake_providers.requests[0]
    assert req["method"] == "POST" and req["path"] == "/version1/messaging"
    assert req["headers"]["Apikey"] == AT_API_KEY
    assert req["headers"]["Accept"] == "application/json"
    assert req["form"] == {
        "username": AT_USERNAME,
        "to": ",".join(NUMBERS),
        "message": "Order 1234-5 is ready",
        "bulkSMSMode": "1",
        "from": "SOKO",
    }
    assert [r.to for r in results] == NUMBERS
    assert all(r.ok and r.status == "Success" and r.error is None for r in results)
    assert all(re.fullmatch(r"ATXid_[0-9a-f]{32}", r.provider_id) for r in results)
    assert len({r.provider_id for r in results}) == 3


def test_at_without_sender_id_sends_no_from(fake_providers):  # noqa: F811
    sms = AfricasTalkingSms(AT_USERNAME, AT_API_KEY, base_url=fake_providers.url, enqueue=True)
    assert sms.send("hi", NUMBERS[:1])[0].ok
    form = fake_providers.requests[0]["form"]
    assert "from" not in form and form["enqueue"] == "1"


def test_at_rejected_number_is_a_permanent_per_recipient_failure(fake_providers, at_sms):  # noqa: F811
    fake_providers.reject_numbers.add(NUMBERS[1])
    results = at_sms.send("hello", NUMBERS)
    assert [r.ok for r in results] == [True, False, True]
    bad = results[1]
    assert bad == SendResult(to=NUMBERS[1], ok=False, provider_id=None, status="InvalidPhoneNumber",
                             error="InvalidPhoneNumber (statusCode 403)", retryable=False)


def test_at_malformed_number_stays_out_of_the_request(fake_providers, at_sms):  # noqa: F811
    results = at_sms.send("hello", ["0711000001", NUMBERS[0]])
    assert [(r.to, r.ok, r.status) for r in results] == [
        ("0711000001", False, "InvalidPhoneNumber"), (NUMBERS[0], True, "Success")]
    assert fake_providers.requests[0]["form"]["to"] == NUMBERS[0]


def test_at_duplicates_are_sent_once(fake_providers, at_sms):  # noqa: F811
    results = at_sms.send("hello", [NUMBERS[0], NUMBERS[0]])
    assert fake_providers.requests[0]["form"]["to"] == NUMBERS[0]
    assert results[0] == results[1] and results[0].ok


def test_at_batches_above_max_batch(fake_providers, at_sms):  # noqa: F811
    at_sms.max_batch = 2
    results = at_sms.send("hello", NUMBERS)
    assert [r["form"]["to"] for r in fake_providers.requests] == [",".join(NUMBERS[:2]), NUMBERS[2]]
    assert all(r.ok for r in results)


def test_at_later_batch_failure_does_not_undo_earlier_ones(fake_providers, at_sms):  # noqa: F811
    at_sms.max_batch = 2
    fake_providers.fail_next(1, status=503, after=1)
    results = at_sms.send("hello", NUMBERS)
    # No exception: the first chunk was accepted, so raising would invite resending it.
    assert [r.ok for r in results] == [True, True, False]
    assert results[2].status == "NotSent" and results[2].retryable


def test_at_500_is_retryable(fake_providers, at_sms):  # noqa: F811
    fake_providers.fail_next(1, status=500)
    with pytest.raises(ProviderError) as info:
        at_sms.send("hello", NUMBERS)
    assert info.value.retryable and info.value.status_code == 500
    assert at_sms.send("hello", NUMBERS)[0].ok  # only one failure was injected


@pytest.mark.parametrize("status", [429, 502, 503])
def test_at_transient_statuses_are_retryable(fake_providers, at_sms, status):  # noqa: F811
    fake_providers.fail_next(1, status=status)
    with pytest.raises(ProviderError) as info:
        at_sms.send("hello", NUMBERS)
    assert info.value.retryable


def test_at_bad_credentials_are_not_retryable(fake_providers):  # noqa: F811
    sms = AfricasTalkingSms(AT_USERNAME, "wrong-key", base_url=fake_providers.url)
    with pytest.raises(ProviderError) as info:
        sms.send("hello", NUMBERS)
    assert not info.value.retryable and info.value.status_code == 401


def test_at_timeout_is_retryable_and_quick(fake_providers):  # noqa: F811
    sms = AfricasTalkingSms(AT_USERNAME, AT_API_KEY, base_url=fake_providers.url, timeout=0.3)
    fake_providers.delay(3)
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        sms.send("hello", NUMBERS)
    assert time.monotonic() - started < 2
    assert info.value.retryable


def test_at_connection_refused_is_retryable():
    sms = AfricasTalkingSms(AT_USERNAME, AT_API_KEY, base_url="http://127.0.0.1:9", timeout=0.5)
    with pytest.raises(ProviderError) as info:
        sms.send("hello", NUMBERS)
    assert info.value.retryable


# -- Twilio -------------------------------------------------------------------------------------------

def test_twilio_send(fake_providers, twilio_sms):  # noqa: F811
    results = twilio_sms.send("Habari", NUMBERS[:2])

    assert len(fake_providers.requests) == 2  # Twilio takes one recipient per call
    for req, number in zip(fake_providers.requests, NUMBERS[:2], strict=True):
        assert req["method"] == "POST"
        assert req["path"] == f"/2010-04-01/Accounts/{TWILIO_ACCOUNT_SID}/Messages.json"
        assert req["headers"]["Authorization"] == basic_auth(TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)
        assert req["auth"] == (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)
        assert req["form"] == {
            "To": number, "From": TWILIO_FROM_NUMBER, "Body": "Habari",
            "StatusCallback": "https://soko.example/sms/twilio/status",
        }
    assert [r.to for r in results] == NUMBERS[:2]
    assert all(r.ok and r.status == "queued" for r in results)
    assert all(re.fullmatch(r"SM[0-9a-f]{32}", r.provider_id) for r in results)


def test_twilio_invalid_number_is_a_result_not_an_exception(fake_providers, twilio_sms):  # noqa: F811
    fake_providers.reject_numbers.add(NUMBERS[0])
    results = twilio_sms.send("Habari", NUMBERS[:2])
    assert results[0].ok is False and results[0].retryable is False and results[0].provider_id is None
    assert "21211" in results[0].error
    assert results[1].ok


def test_twilio_500_is_retryable(fake_providers, twilio_sms):  # noqa: F811
    fake_providers.fail_next(1, status=500)
    with pytest.raises(ProviderError) as info:
        twilio_sms.send("Habari", NUMBERS[:1])
    assert info.value.retryable and info.value.status_code == 500


def test_twilio_429_is_retryable_and_bad_auth_is_not(fake_providers):  # noqa: F811
    sms = TwilioSms(TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER, base_url=fake_providers.url)
    fake_providers.fail_next(1, status=429)
    with pytest.raises(ProviderError) as info:
        sms.send("Habari", NUMBERS[:1])
    assert info.value.retryable

    wrong = TwilioSms(TWILIO_ACCOUNT_SID, "wrong", TWILIO_FROM_NUMBER, base_url=fake_providers.url)
    with pytest.raises(ProviderError) as info:
        wrong.send("Habari", NUMBERS[:1])
    assert not info.value.retryable and info.value.status_code == 401


def test_twilio_timeout_is_retryable_and_quick(fake_providers):  # noqa: F811
    sms = TwilioSms(TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER,
                    base_url=fake_providers.url, timeout=0.3)
    fake_providers.delay(3)
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        sms.send("Habari", NUMBERS[:1])
    assert time.monotonic() - started < 2
    assert info.value.retryable


def test_twilio_failure_after_an_accepted_message_is_per_recipient(fake_providers, twilio_sms):  # noqa: F811
    fake_providers.fail_next(1, status=503, after=1)
    results = twilio_sms.send("Habari", NUMBERS)
    assert [r.ok for r in results] == [True, False, False]
    assert all(r.status == "NotSent" and r.retryable for r in results[1:])
    assert len(fake_providers.requests) == 2  # stopped after the failure


def test_twilio_ignores_edge_env_when_base_url_is_set(fake_providers, monkeypatch):  # noqa: F811
    monkeypatch.setenv("TWILIO_EDGE", "sydney")
    sms = TwilioSms(TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER, base_url=fake_providers.url)
    assert sms.send("Habari", NUMBERS[:1])[0].ok


def test_fake_counts_segments():
    assert sms_segments("a" * 160) == 1 and sms_segments("a" * 161) == 2
    assert sms_segments("€" * 80) == 1 and sms_segments("ẹ" * 71) == 2


# -- Africa's Talking mobile checkout -----------------------------------------------------------------

def test_checkout_request(fake_providers, payments):  # noqa: F811
    result = payments.checkout("+254711000001", "KES", "375.50", "12345")

    assert isinstance(result, CheckoutResult)
    assert result.status == "PendingConfirmation" and result.description == "Waiting for user input"
    assert result.accepted
    assert re.fullmatch(r"ATPid_[0-9a-f]{32}", result.transaction_id)
    (req,) = fake_providers.requests
    assert req["method"] == "POST" and req["path"] == "/mobile/checkout/request"
    assert req["headers"]["Apikey"] == AT_API_KEY
    assert req["headers"]["Accept"] == "application/json"
    assert req["headers"]["Content-Type"] == "application/json"
    assert req["json"] == {
        "username": AT_USERNAME, "productName": "Soko", "phoneNumber": "+254711000001",
        "currencyCode": "KES", "amount": 375.5, "metadata": {"orderCode": "12345"},
    }
    assert '"amount": 375.5' in req["body"]


def test_checkout_sends_provider_channel_and_whole_amounts(fake_providers, payments):  # noqa: F811
    payments.checkout("+254711000001", "KES", "100", "1", provider_channel="525900")
    body = json.loads(fake_providers.requests[0]["body"])
    assert body["providerChannel"] == "525900" and body["amount"] == 100


def test_checkout_other_status_is_returned(fake_providers, payments):  # noqa: F811
    fake_providers.next_checkout_status = "NotSupported"
    result = payments.checkout("+254711000001", "KES", "10", None)
    assert result == CheckoutResult(status="NotSupported", transaction_id=None, description="Checkout NotSupported")


def test_checkout_500_is_retryable(fake_providers, payments):  # noqa: F811
    fake_providers.fail_next(1, status=500)
    with pytest.raises(ProviderError) as info:
        payments.checkout("+254711000001", "KES", "10", "1")
    assert info.value.retryable and info.value.status_code == 500


def test_checkout_400_is_not_retryable(fake_providers, payments):  # noqa: F811
    fake_providers.reject_numbers.add("+254711000001")
    with pytest.raises(ProviderError) as info:
        payments.checkout("+254711000001", "KES", "10", "1")
    assert not info.value.retryable and info.value.status_code == 400


def test_checkout_timeout_is_retryable_and_quick(fake_providers):  # noqa: F811
    payments = AfricasTalkingPayments(AT_USERNAME, AT_API_KEY, "Soko", base_url=fake_providers.url, timeout=0.3)
    fake_providers.delay(3)
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        payments.checkout("+254711000001", "KES", "10", "1")
    assert time.monotonic() - started < 2
    assert info.value.retryable


@pytest.mark.parametrize("phone, currency, amount, order_code", [
    ("0711000001", "KES", "10", None),
    ("+254711000001", "kes", "10", None),
    ("+254711000001", "KES", "10.5.1", None),
    ("+254711000001", "KES", "0", None),
    ("+254711000001", "KES", "-1", None),
    ("+254711000001", "KES", "0.00", None),
    ("+254711000001", "KES", "10", 1),
])
def test_checkout_refuses_bad_input_without_calling(fake_providers, payments, phone, currency, amount, order_code):  # noqa: F811
    with pytest.raises(ProviderError) as info:
        payments.checkout(phone, currency, amount, order_code)
    assert not info.value.retryable
    assert fake_providers.requests == []
