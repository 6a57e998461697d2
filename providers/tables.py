"""What the provider folders' request tables share: the phone reading the gateway passes (near
enough), and running a table of recorded requests against a parser. No database, no Redis."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import phonenumbers
import pytest

from providers.base import BadRequest


def normalize(raw: str, region: str = "GH") -> str | None:
    """commerce.phones.normalize as the gateway passes it, near enough: local numbers read in
    `region`, only valid numbers, no letters, no extensions."""
    if any(ch.isalpha() for ch in raw) or len(raw) > 32:
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) or number.extension:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def cases(folder: Path, name: str) -> list:
    table = json.loads((folder / "testdata" / name).read_text("utf-8"))
    return [pytest.param(case, id=case["label"]) for case in table]


def check(parse, case) -> None:
    """A case either names its 400 reason (`error`) or the parsed values it must give (`expect`:
    only the fields it names; `echo` as an object)."""
    if "error" in case:
        with pytest.raises(BadRequest) as info:
            parse(case["body"])
        assert str(info.value) == case["error"]
        return
    got = asdict(parse(case["body"]))
    got["echo"] = dict(got["echo"])
    assert {k: got[k] for k in case["expect"]} == case["expect"]


def check_answer(parse, answer, case) -> None:
    """The JSON answer to a request, for a screen the engine drew (`CON …` goes on, `END …` ends)."""
    req = parse(case["body"])
    screen = case["screen"]
    assert json.loads(answer(req, screen[4:], screen.startswith("END "))) == case["answer"]
