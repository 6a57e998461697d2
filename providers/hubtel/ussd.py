"""Hubtel's USSD hop (PROVIDERS.md §10, SPEC §11): a JSON POST per hop, answered in JSON.

Request: `Type` (Initiation | Response | Release | Timeout, samples write it in either case),
`Mobile` (`233…`, no `+`), `SessionId`, `ServiceCode`, `Message` (the whole dial string on
Initiation, then only the latest input), `Operator`, `Sequence` (the hop's number), `ClientState`.
Answer: `{"Type": "Response" | "Release", "Message": <screen>, "ClientState": ""}`.
"""

from __future__ import annotations

import orjson

from providers import jsonhop
from providers.base import HOP_INPUT, HOP_RELEASE, HOP_START, HOP_TIMEOUT, BadRequest, Normalize, UssdRequest

NAME = "hubtel"
TYPES = {"initiation": HOP_START, "response": HOP_INPUT, "release": HOP_RELEASE, "timeout": HOP_TIMEOUT}


def parse_hop(body, normalize: Normalize) -> UssdRequest:
    d = jsonhop.fields(body)
    kind = TYPES.get(jsonhop.text(d, "Type").lower())
    if kind is None:
        raise BadRequest("Type must be Initiation, Response, Release or Timeout")
    session_id = jsonhop.text(d, "SessionId")
    phone = jsonhop.phone(jsonhop.text(d, "Mobile"), "Mobile", normalize)
    message = jsonhop.text(d, "Message", required=False, limit=jsonhop.MAX_INPUT) or ""
    operator = jsonhop.text(d, "Operator", required=False)
    start = kind == HOP_START
    return UssdRequest(
        session_id=session_id, phone=phone, service_code=jsonhop.service_code(jsonhop.text(d, "ServiceCode", required=False)),
        text="" if start else message, latest=True, kind=kind, hop_id=jsonhop.whole(d, "Sequence"),
        dial=message if start and message.startswith("*") else None,
        operator=operator.lower() if operator else None)


def answer(req: UssdRequest, screen: str, end: bool) -> bytes:
    return orjson.dumps({"Type": "Release" if end else "Response", "Message": screen, "ClientState": ""})
