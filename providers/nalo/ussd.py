"""Nalo Solutions' USSD hop (PROVIDERS.md §10, SPEC §11): a JSON POST per hop, answered in JSON.

Request: `USERID`, `MSISDN` (`233…`), `USERDATA`, `MSGTYPE` (true: a new session, and `USERDATA`
is then the whole dial string; false: `USERDATA` is the latest input), `NETWORK`, `SESSIONID`.
Answer: `{"USERID", "MSISDN", "MSG": <screen>, "MSGTYPE": true (go on) | false (end)}`.
Sessions are keyed by `SESSIONID`, never by phone. Nalo numbers no hops and sends no end notice.
"""

from __future__ import annotations

import orjson

from providers import jsonhop
from providers.base import HOP_INPUT, HOP_START, Normalize, UssdRequest

NAME = "nalo"


def parse_hop(body, normalize: Normalize) -> UssdRequest:
    d = jsonhop.fields(body)
    session_id = jsonhop.text(d, "SESSIONID")
    user_id = jsonhop.text(d, "USERID")
    msisdn = jsonhop.text(d, "MSISDN")
    start = jsonhop.flag(d, "MSGTYPE")
    data = jsonhop.text(d, "USERDATA", required=False, limit=jsonhop.MAX_INPUT) or ""
    network = jsonhop.text(d, "NETWORK", required=False)
    dial = data if start and data.startswith("*") else None
    return UssdRequest(
        session_id=session_id, phone=jsonhop.phone(msisdn, "MSISDN", normalize),
        service_code="", text="" if start else data, latest=True, kind=HOP_START if start else HOP_INPUT,
        dial=dial, operator=network.lower() if network else None,
        echo=(("USERID", user_id), ("MSISDN", msisdn)))


def answer(req: UssdRequest, screen: str, end: bool) -> bytes:
    return orjson.dumps({**dict(req.echo), "MSG": screen, "MSGTYPE": not end})
