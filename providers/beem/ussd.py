"""Beem Africa's USSD hop (PROVIDERS.md §10, SPEC §11): a JSON POST per hop, answered in JSON.

Request: `command` (initiate | continue | terminate), `msisdn` (`255…`), `operator` (vodacom,
tigo, airtel, halotel, ttcl), `session_id`, `payload.request_id` (the hop's number),
`payload.response` (the latest input). Answer: `{"msisdn", "operator", "session_id", "command":
"continue" | "terminate", "payload": {"request_id", "request": <screen>}}`, always with the session id.
"""

from __future__ import annotations

import orjson

from providers import jsonhop
from providers.base import HOP_INPUT, HOP_RELEASE, HOP_START, BadRequest, Normalize, UssdRequest

NAME = "beem"
COMMANDS = {"initiate": HOP_START, "continue": HOP_INPUT, "terminate": HOP_RELEASE}


def parse_hop(body, normalize: Normalize) -> UssdRequest:
    d = jsonhop.fields(body)
    kind = COMMANDS.get(jsonhop.text(d, "command").lower())
    if kind is None:
        raise BadRequest("command must be initiate, continue or terminate")
    session_id = jsonhop.text(d, "session_id")
    msisdn = jsonhop.text(d, "msisdn")
    operator = jsonhop.text(d, "operator", required=False) or ""
    payload = d.get("payload")
    if payload is None:
        payload = {}
    p = jsonhop.fields(payload) if isinstance(payload, dict) else None
    if p is None:
        raise BadRequest("payload must be an object")
    request_id = jsonhop.whole(p, "request_id")
    response = jsonhop.text(p, "response", required=False, limit=jsonhop.MAX_INPUT) or ""
    return UssdRequest(
        session_id=session_id, phone=jsonhop.phone(msisdn, "msisdn", normalize), service_code="",
        text="" if kind == HOP_START else response, latest=True, kind=kind, hop_id=request_id,
        operator=operator.lower() or None,
        echo=(("msisdn", msisdn), ("operator", operator), ("session_id", session_id),
              ("request_id", request_id if request_id is None else int(request_id))))


def answer(req: UssdRequest, screen: str, end: bool) -> bytes:
    echo = dict(req.echo)
    return orjson.dumps({"msisdn": echo["msisdn"], "operator": echo["operator"], "session_id": echo["session_id"],
                         "command": "terminate" if end else "continue",
                         "payload": {"request_id": echo["request_id"], "request": screen}})
