"""Arkesel's USSD hop (PROVIDERS.md §10, SPEC §11): a JSON POST per hop, answered in JSON.

Request: `sessionID`, `userID` (the Arkesel account's), `newSession` (true on the first hop),
`msisdn` (`233…`), `userData` (the latest input; the dial string's extra digits are not passed),
`network`. Answer: `{"sessionID", "userID", "msisdn", "message": <screen>, "continueSession": bool}`.
Arkesel numbers no hops and sends no end-of-session notice.
"""

from __future__ import annotations

import orjson

from providers import jsonhop
from providers.base import HOP_INPUT, HOP_START, Normalize, UssdRequest

NAME = "arkesel"


def parse_hop(body, normalize: Normalize) -> UssdRequest:
    d = jsonhop.fields(body)
    session_id = jsonhop.text(d, "sessionID")
    user_id = jsonhop.text(d, "userID")
    msisdn = jsonhop.text(d, "msisdn")
    start = jsonhop.flag(d, "newSession")
    user_data = jsonhop.text(d, "userData", required=False, limit=jsonhop.MAX_INPUT) or ""
    network = jsonhop.text(d, "network", required=False)
    return UssdRequest(
        session_id=session_id, phone=jsonhop.phone(msisdn, "msisdn", normalize), service_code="",
        text="" if start else user_data, latest=True, kind=HOP_START if start else HOP_INPUT,
        operator=network.lower() if network else None,
        echo=(("sessionID", session_id), ("userID", user_id), ("msisdn", msisdn)))


def answer(req: UssdRequest, screen: str, end: bool) -> bytes:
    return orjson.dumps({**dict(req.echo), "message": screen, "continueSession": not end})
