"""Arkesel's USSD hops as a table of recorded requests (testdata/ussd_hops.json, shaped as
PROVIDERS.md §10 and SPEC §11 show them), each parsed into the neutral UssdRequest or refused with
its 400 reason; and the JSON answers (testdata/ussd_answers.json). No database, no Redis, no HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest

from providers import tables
from providers.arkesel import ussd

HERE = Path(__file__).parent


def parse(body):
    return ussd.parse_hop(body, tables.normalize)


@pytest.mark.parametrize("case", tables.cases(HERE, "ussd_hops.json"))
def test_ussd_hops(case):
    tables.check(parse, case)


@pytest.mark.parametrize("case", tables.cases(HERE, "ussd_answers.json"))
def test_ussd_answers(case):
    tables.check_answer(parse, ussd.answer, case)
