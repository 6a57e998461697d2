"""Twilio's webhooks as tables of recorded requests (testdata/*.json, shaped as Twilio's
documentation shows them: PROVIDERS.md §4), each parsed into its neutral value or refused with its
400 reason; and the signature check against recorded signatures. No database, no Redis, no HTTP."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import phonenumbers
import pytest

from providers.base import BadRequest
from providers.twilio import webhook

TESTDATA = Path(__file__).with_name("testdata")


def normalize(raw: str) -> str | None:
    """What the gateway passes (commerce.phones, memoized), near enough."""
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


def check(parse, case) -> None:
    if "error" in case:
        with pytest.raises(BadRequest) as info:
            parse(case["form"])
        assert str(info.value) == case["error"]
    else:
        assert asdict(parse(case["form"])) == case["expect"]


@pytest.mark.parametrize("case", cases("incoming.json"))
def test_incoming(case):
    check(lambda form: webhook.parse_incoming(form, normalize), case)


@pytest.mark.parametrize("case", cases("status.json"))
def test_status_callbacks(case):
    check(webhook.parse_status, case)


@pytest.mark.parametrize("case", cases("signatures.json"))
def test_signatures(case):
    assert webhook.valid_signature(case["url"], case["params"], case["signature"], case["auth_token"]) is case["valid"]


def test_twiml_answers():
    assert webhook.twiml("Soko: hi & bye") == (
        '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Soko: hi &amp; bye</Message></Response>')
    assert webhook.twiml(None) == '<?xml version="1.0" encoding="UTF-8"?><Response />'
    assert webhook.twiml("") == '<?xml version="1.0" encoding="UTF-8"?><Response />'
