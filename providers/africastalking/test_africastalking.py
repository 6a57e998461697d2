"""Africa's Talking's webhooks as tables of recorded requests (testdata/*.json, shaped as AT's
documentation and public integrations show them: PROVIDERS.md §1-3), each parsed into its neutral
value or refused with its 400 reason. No database, no Redis, no HTTP: `pytest providers`."""

from __future__ import annotations

import json
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path

import phonenumbers
import pytest

from providers.africastalking import payments, sms, ussd
from providers.base import BadRequest

TESTDATA = Path(__file__).with_name("testdata")


def normalize(raw: str) -> str | None:
    """What the gateway passes (commerce.phones, memoized), near enough: local numbers read as
    Kenyan, only valid numbers, no letters, no extensions."""
    if any(ch.isalpha() for ch in raw) or len(raw) > 32:
        return None
    try:
        number = phonenumbers.parse(raw, "KE")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) or number.extension:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def cases(name: str) -> list:
    table = json.loads((TESTDATA / name).read_text("utf-8"))
    return [pytest.param(case, id=case["label"]) for case in table]


def plain(value) -> dict:
    """A parsed value as the table writes it: Decimals as their text."""
    return {k: str(v) if isinstance(v, Decimal) else list(v) if isinstance(v, tuple) else v
            for k, v in asdict(value).items()}


def check(parse, case, request) -> None:
    if "error" in case:
        with pytest.raises(BadRequest) as info:
            parse(request)
        assert str(info.value) == case["error"]
    else:
        assert plain(parse(request)) == case["expect"]


@pytest.mark.parametrize("case", cases("ussd_hops.json"))
def test_ussd_hops(case):
    check(lambda form: ussd.parse_hop(form, normalize), case, case["form"])


@pytest.mark.parametrize("case", cases("ussd_session_ends.json"))
def test_ussd_session_ends(case):
    check(ussd.parse_session_end, case, case["form"])


@pytest.mark.parametrize("case", cases("incoming_sms.json"))
def test_incoming_sms(case):
    check(lambda form: sms.parse_incoming(form, normalize), case, case["form"])


@pytest.mark.parametrize("case", cases("delivery_reports.json"))
def test_delivery_reports(case):
    check(sms.parse_delivery_report, case, case["form"])


@pytest.mark.parametrize("case", cases("bulk_optouts.json"))
def test_bulk_optouts(case):
    check(lambda form: sms.parse_opt_out(form, normalize), case, case["form"])


def _body(case) -> bytes:
    if "raw_hex" in case:
        return bytes.fromhex(case["raw_hex"])
    if "raw" in case:
        return case["raw"].encode()
    if "raw_nested" in case:  # {"a":{"a":…1…}}: too long to write out in the table
        return ('{"a":' * case["raw_nested"] + "1" + "}" * case["raw_nested"]).encode()
    return json.dumps(case["json"]).encode()


@pytest.mark.parametrize("case", cases("payment_notifications.json"))
def test_payment_notifications(case):
    check(payments.parse_notification, case, _body(case))


def test_the_ussd_answer_that_ends_a_session():
    assert ussd.end("Thank you") == "END Thank you"


def test_the_send_answer_when_the_whole_request_is_refused():
    # A shape AT uses when it refuses everything with a 2xx: empty Recipients.
    numbers = ["+254711000001", "+254711000002"]
    results = sms.map_recipients({"SMSMessageData": {"Message": "InvalidSenderId", "Recipients": []}}, numbers)
    assert [(r.to, r.ok, r.status, r.retryable) for r in results] == [
        (n, False, "InvalidSenderId", False) for n in numbers]


def test_the_send_answer_per_recipient():
    answer = {"SMSMessageData": {"Message": "Sent to 1/3 Total Cost: KES 0.8000", "Recipients": [
        {"statusCode": 101, "number": "+254711000001", "status": "Success", "cost": "KES 0.8000",
         "messageId": "ATXid_1"},
        {"statusCode": 405, "number": "+254711000002", "status": "InsufficientBalance", "cost": "0",
         "messageId": "None"},
        {"statusCode": 403, "number": "+254711000003", "status": "InvalidPhoneNumber", "cost": "0",
         "messageId": "None"},
    ]}}
    results = sms.map_recipients(json.dumps(answer), ["+254711000001", "+254711000002", "+254711000003"])
    assert [(r.ok, r.provider_id, r.retryable) for r in results] == [
        (True, "ATXid_1", False), (False, None, True), (False, None, False)]
    assert results[1].error == "InsufficientBalance (statusCode 405)"
