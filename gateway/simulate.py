"""`flask --app gateway simulate <phone>`: a USSD session in the terminal, hop by hop, through the
real HTTP endpoint (Flask's test client), with `text` built the way Africa's Talking builds it."""

from __future__ import annotations

import uuid

from flask import Flask


def run(app: Flask, phone: str, stdin, stdout) -> None:
    client = app.test_client()
    session_id = f"SIM{uuid.uuid4().hex[:16]}"
    code = (app.extensions["soko"].settings.ussd_service_codes or ("*384*123#",))[0]
    inputs: list[str] = []
    while True:
        res = client.post("/ussd/africastalking", data={
            "sessionId": session_id, "serviceCode": code, "phoneNumber": phone,
            "text": "*".join(inputs), "networkCode": "99999"})
        body = res.get_data(as_text=True)
        if res.status_code != 200:
            stdout.write(f"[{res.status_code}] {body}")
            return
        stdout.write("\n" + "-" * 24 + "\n" + body[4:] + "\n" + "-" * 24 + "\n")
        if body.startswith("END"):
            return
        stdout.write("> ")
        stdout.flush()
        line = stdin.readline()
        if not line:
            return
        inputs.append(line.rstrip("\n"))
