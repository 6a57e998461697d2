"""Handsets speaking each latest-input aggregator's JSON (SPEC §11), for the webhook tests, the
property test and the browser test's checks: a session sends only the latest input, numbers its
hops where the aggregator does, and reads the JSON answer back as `CON …` / `END …` after checking
it has exactly the provider's shape."""

from __future__ import annotations

import json

NAMES = ("hubtel", "arkesel", "nalo", "beem")
NUMBERS_HOPS = {"hubtel", "beem"}  # the others give no hop number: a redelivery cannot be told apart

# The keys each answer must have, and nothing else.
SHAPES = {
    "hubtel": {"Type", "Message", "ClientState"},
    "arkesel": {"sessionID", "userID", "msisdn", "message", "continueSession"},
    "nalo": {"USERID", "MSISDN", "MSG", "MSGTYPE"},
    "beem": {"msisdn", "operator", "session_id", "command", "payload"},
}


def request_body(name: str, *, session_id: str, phone: str, code: str, kind: str, text: str, hop: int,
                 dial: str | None = None) -> dict:
    """One hop as `name` sends it. kind: start, input, release or timeout; `dial` on start."""
    msisdn = phone.lstrip("+")
    if name == "hubtel":
        types = {"start": "Initiation", "input": "Response", "release": "Release", "timeout": "Timeout"}
        return {"Type": types[kind], "Mobile": msisdn, "SessionId": session_id, "ServiceCode": code,
                "Message": (dial or code) if kind == "start" else text, "Operator": "mtn", "Sequence": hop,
                "ClientState": ""}
    if name == "arkesel":
        return {"sessionID": session_id, "userID": "SOKO", "newSession": kind == "start", "msisdn": msisdn,
                "userData": code if kind == "start" else text, "network": "MTN"}
    if name == "nalo":
        return {"USERID": "soko", "MSISDN": msisdn, "USERDATA": (dial or code) if kind == "start" else text,
                "MSGTYPE": kind == "start", "NETWORK": "MTN", "SESSIONID": session_id}
    if name == "beem":
        commands = {"start": "initiate", "input": "continue", "release": "terminate", "timeout": "terminate"}
        return {"command": commands[kind], "msisdn": msisdn, "operator": "vodacom", "session_id": session_id,
                "payload": {"request_id": hop, "response": "" if kind == "start" else text}}
    raise ValueError(name)


def screen_of(name: str, answer: dict, request: dict) -> str:
    """The answer as `CON …` / `END …`, after checking its shape and what it echoes."""
    assert set(answer) == SHAPES[name], answer
    if name == "hubtel":
        assert answer["Type"] in ("Response", "Release") and answer["ClientState"] == ""
        return ("CON " if answer["Type"] == "Response" else "END ") + answer["Message"]
    if name == "arkesel":
        assert [answer[k] for k in ("sessionID", "userID", "msisdn")] == \
            [request[k] for k in ("sessionID", "userID", "msisdn")]
        assert isinstance(answer["continueSession"], bool)
        return ("CON " if answer["continueSession"] else "END ") + answer["message"]
    if name == "nalo":
        assert (answer["USERID"], answer["MSISDN"]) == (request["USERID"], request["MSISDN"])
        assert isinstance(answer["MSGTYPE"], bool)
        return ("CON " if answer["MSGTYPE"] else "END ") + answer["MSG"]
    assert [answer[k] for k in ("msisdn", "operator", "session_id")] == \
        [request[k] for k in ("msisdn", "operator", "session_id")]
    assert answer["command"] in ("continue", "terminate")
    assert set(answer["payload"]) == {"request_id", "request"}
    assert answer["payload"]["request_id"] == request["payload"]["request_id"]
    return ("CON " if answer["command"] == "continue" else "END ") + answer["payload"]["request"]


class JsonSession:
    """One handset's session through aggregator `name` (the app must have it enabled)."""

    def __init__(self, client, name: str, phone: str, session_id: str = "sess-1", code: str = "*384*123#",
                 token: str | None = None):
        self.client, self.name, self.phone, self.session_id, self.code = client, name, phone, session_id, code
        self.url = f"/ussd/{name}" + (f"?token={token}" if token else "")
        self.hop, self.last_body, self.last = 0, None, None

    def post(self, body) -> object:
        return self.client.post(self.url, data=json.dumps(body), content_type="application/json")

    def _go(self, body: dict) -> str:
        res = self.post(body)
        assert res.status_code == 200, res.get_data(as_text=True)
        assert res.mimetype == "application/json"
        self.last_body, self.last = body, screen_of(self.name, res.get_json(), body)
        return self.last

    def _body(self, kind: str, text: str = "", dial: str | None = None) -> dict:
        return request_body(self.name, session_id=self.session_id, phone=self.phone, code=self.code, kind=kind,
                            text=text, hop=self.hop, dial=dial)

    def dial(self, dial: str | None = None) -> str:
        self.hop = 1
        return self._go(self._body("start", dial=dial))

    def send(self, value: str) -> str:
        self.hop += 1
        return self._go(self._body("input", value))

    def resend(self) -> str:
        """The last hop again, as a redelivery would post it."""
        return self._go(self.last_body)

    def end(self, kind: str = "release") -> dict:
        self.hop += 1
        res = self.post(self._body(kind))
        assert res.status_code == 200, res.get_data(as_text=True)
        return res.get_json()
