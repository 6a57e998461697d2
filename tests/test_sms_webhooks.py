"""The SMS webhooks, as tables of provider requests (shapes from the providers' documentation:
/work/shared/PROVIDERS.md §2 and §4) -> HTTP status and effect."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select
from twilio.request_validator import RequestValidator

from commerce.models import InboundMessage, Message, Person
from tests.fakes import TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN

IN, M, PE = InboundMessage.__table__, Message.__table__, Person.__table__
PUBLIC = "https://soko.example"


def _count(app, table, *where):
    with app.extensions["soko"].db.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar()


def _sms_jobs(app) -> int:
    return app.extensions["soko"].jobs.q["sms"].count


# -- Africa's Talking incoming --------------------------------------------------------------------

AT_VALID = {"from": "+254711223344", "to": "20880", "text": "HELP", "date": "2024-05-10 12:34:56",
            "id": "ATXid_1", "linkId": "", "networkCode": "63902"}


def _without(data, name):
    return {k: v for k, v in data.items() if k != name}


AT_INCOMING = [
    # name, form, query, expected status, stored inbound rows, reply rows
    ("valid", AT_VALID, "", 200, 1, 1),
    ("valid, ISO date with Z and a linkId", {**AT_VALID, "date": "2024-05-10T12:34:56Z", "linkId": "SampleLinkId123"},
     "", 200, 1, 1),
    ("local number", {**AT_VALID, "from": "0711 223 344"}, "", 200, 1, 1),
    ("empty text gets help", {**AT_VALID, "text": ""}, "", 200, 1, 1),
    ("missing id", _without(AT_VALID, "id"), "", 400, 0, 0),
    ("missing from", _without(AT_VALID, "from"), "", 400, 0, 0),
    ("missing text", _without(AT_VALID, "text"), "", 400, 0, 0),
    ("missing date", _without(AT_VALID, "date"), "", 400, 0, 0),
    ("bad date", {**AT_VALID, "date": "yesterday"}, "", 400, 0, 0),
    ("bad number", {**AT_VALID, "from": "+25412"}, "", 400, 0, 0),
    ("letters for a number", {**AT_VALID, "from": "SAFARICOM"}, "", 400, 0, 0),
    ("NUL in the text", {**AT_VALID, "text": "HELP\x00"}, "", 200, 1, 1),
    ("NUL in the id", {**AT_VALID, "id": "ATXid_\x00"}, "", 400, 0, 0),
    ("text too long", {**AT_VALID, "text": "x" * 1601}, "", 400, 0, 0),
    ("bad token", AT_VALID, "?token=wrong", 403, 0, 0),
    ("missing token", AT_VALID, "", 403, 0, 0),
    ("good token", AT_VALID, "?token=s3cret", 200, 1, 1),
]


@pytest.mark.parametrize("name,data,query,status,stored,replies", AT_INCOMING, ids=[r[0] for r in AT_INCOMING])
def test_africastalking_incoming(make_app, name, data, query, status, stored, replies):
    app = make_app(at_webhook_token="s3cret" if "token" in name else None)
    res = app.test_client().post("/sms/africastalking" + query, data=data)
    assert res.status_code == status, res.get_data(as_text=True)
    assert res.mimetype == "text/plain"
    assert _count(app, IN) == stored
    assert _count(app, M, M.c.kind == "reply") == replies
    assert _sms_jobs(app) == replies  # the reply goes out through the worker
    if stored:
        with app.extensions["soko"].db.connect() as conn:
            row = conn.execute(select(IN)).one()
        assert row.from_phone == "+254711223344" and row.provider_id == "ATXid_1"
        assert row.link_id == (data["linkId"] or None)


def test_africastalking_redelivery_changes_nothing_and_sends_no_second_reply(client, app):
    join = {**AT_VALID, "text": "JOIN Amani Shop"}
    assert client.post("/sms/africastalking", data=join).status_code == 200
    again = client.post("/sms/africastalking", data={**join, "text": "JOIN Other Name"})
    assert again.status_code == 200
    assert _count(app, IN) == 1
    assert _count(app, M) == 1
    assert _sms_jobs(app) == 1
    with app.extensions["soko"].db.connect() as conn:
        assert "Amani Shop" in conn.execute(select(M.c.body)).scalar()


def test_africastalking_not_utf8_is_refused(client, app):
    res = client.post("/sms/africastalking", data=b"from=%2B254711223344&text=%FF", content_type="application/x-www-form-urlencoded")
    assert res.status_code == 400 and _count(app, IN) == 0


# -- Africa's Talking delivery reports ------------------------------------------------------------

def _sent_message(app, provider="africastalking", provider_id="ATXid_out1", status="sent"):
    with app.extensions["soko"].db.begin() as conn:
        return conn.execute(insert(M).values(to_phone="+254711223344", body="Hi", kind="notice", status=status,
                                             provider=provider, provider_id=provider_id, attempts=1)
                            ).inserted_primary_key[0]


def _status(app, mid):
    with app.extensions["soko"].db.connect() as conn:
        return conn.execute(select(M.c.status, M.c.error).where(M.c.id == mid)).one()


AT_DELIVERY = [
    # name, form, expected status, message status after, error after
    ("delivered", {"id": "ATXid_out1", "status": "Success", "phoneNumber": "+254711223344", "networkCode": "63902",
                   "retryCount": "0"}, 200, "delivered", None),
    ("buffered stays sent", {"id": "ATXid_out1", "status": "Buffered", "phoneNumber": "+254711223344"},
     200, "sent", None),
    ("failed with reason", {"id": "ATXid_out1", "status": "Failed", "failureReason": "UserInBlackList",
                            "phoneNumber": "+254711223344"}, 200, "failed", "UserInBlackList"),
    ("rejected", {"id": "ATXid_out1", "status": "Rejected", "failureReason": "InvalidLinkId"}, 200, "failed",
     "InvalidLinkId"),
    ("unknown id", {"id": "ATXid_nobody", "status": "Success"}, 400, "sent", None),
    ("unknown status", {"id": "ATXid_out1", "status": "Teleported"}, 400, "sent", None),
    ("missing id", {"status": "Success"}, 400, "sent", None),
    ("missing status", {"id": "ATXid_out1"}, 400, "sent", None),
]


@pytest.mark.parametrize("name,data,status,after,error", AT_DELIVERY, ids=[r[0] for r in AT_DELIVERY])
def test_africastalking_delivery_reports(app, client, name, data, status, after, error):
    mid = _sent_message(app)
    res = client.post("/sms/africastalking/delivery", data=data)
    assert res.status_code == status, res.get_data(as_text=True)
    assert tuple(_status(app, mid)) == (after, error)


def test_delivery_report_redelivered_or_late_does_not_move_back(app, client):
    mid = _sent_message(app)
    for state in ("Success", "Success", "Sent", "Failed"):
        assert client.post("/sms/africastalking/delivery", data={"id": "ATXid_out1", "status": state}).status_code == 200
    assert _status(app, mid).status == "delivered"


def test_delivery_report_token(make_app):
    app = make_app(at_webhook_token="s3cret")
    mid = _sent_message(app)
    data = {"id": "ATXid_out1", "status": "Success"}
    assert app.test_client().post("/sms/africastalking/delivery", data=data).status_code == 403
    assert _status(app, mid).status == "sent"
    assert app.test_client().post("/sms/africastalking/delivery?token=s3cret", data=data).status_code == 200
    assert _status(app, mid).status == "delivered"


def test_a_twilio_sid_is_not_an_africastalking_id(app, client):
    mid = _sent_message(app, provider="twilio", provider_id="SMabc")
    assert client.post("/sms/africastalking/delivery", data={"id": "SMabc", "status": "Success"}).status_code == 400
    assert _status(app, mid).status == "sent"


# -- Twilio incoming ------------------------------------------------------------------------------

TWILIO_VALID = {
    "ToCountry": "US", "ToState": "CA", "SmsMessageSid": "SM" + "a" * 32, "NumMedia": "0", "ToCity": "",
    "FromZip": "", "SmsSid": "SM" + "a" * 32, "FromState": "", "SmsStatus": "received", "FromCity": "",
    "Body": "HELP", "FromCountry": "KE", "To": "+15005550006", "ToZip": "", "NumSegments": "1",
    "MessageSid": "SM" + "a" * 32, "AccountSid": TWILIO_ACCOUNT_SID, "From": "+254711223344", "ApiVersion": "2010-04-01",
}


def _sign(url, data, token=TWILIO_AUTH_TOKEN):
    return RequestValidator(token).compute_signature(url, data)


@pytest.fixture
def twilio_app(make_app):
    return make_app(twilio_account_sid=TWILIO_ACCOUNT_SID, twilio_auth_token=TWILIO_AUTH_TOKEN,
                    twilio_from_number="+15005550006", public_url=PUBLIC)


TWILIO_INCOMING = [
    # name, form, signature (None: correct), path suffix, status, stored
    ("valid", TWILIO_VALID, None, "", 200, 1),
    ("valid with a query string", TWILIO_VALID, None, "?channel=ke", 200, 1),
    ("bad signature", TWILIO_VALID, "c2lnbmF0dXJl", "", 403, 0),
    ("signed with another token", TWILIO_VALID, "other-token", "", 403, 0),
    ("no signature", TWILIO_VALID, "", "", 403, 0),
    ("signed for another body", TWILIO_VALID, "tampered", "", 403, 0),
    ("missing MessageSid", _without(TWILIO_VALID, "MessageSid"), None, "", 400, 0),
    ("missing From", _without(TWILIO_VALID, "From"), None, "", 400, 0),
    ("missing Body", _without(TWILIO_VALID, "Body"), None, "", 400, 0),
    ("bad number", {**TWILIO_VALID, "From": "+1555"}, None, "", 400, 0),
]


@pytest.mark.parametrize("name,data,signature,query,status,stored", TWILIO_INCOMING,
                         ids=[r[0] for r in TWILIO_INCOMING])
def test_twilio_incoming(twilio_app, name, data, signature, query, status, stored):
    url = PUBLIC + "/sms/twilio" + query
    if signature is None:
        signature = _sign(url, data)
    elif signature == "other-token":
        signature = _sign(url, data, "not-our-token")
    elif signature == "tampered":
        signature = _sign(url, {**data, "Body": "PAID 1234567 100"})
    res = twilio_app.test_client().post("/sms/twilio" + query, data=data, headers={"X-Twilio-Signature": signature})
    assert res.status_code == status, res.get_data(as_text=True)
    assert _count(twilio_app, IN) == stored
    if status == 200:
        assert res.mimetype == "application/xml"
        body = res.get_data(as_text=True)
        assert body.startswith('<?xml version="1.0" encoding="UTF-8"?><Response><Message>Soko: to sell')
        # The TwiML reply is recorded, and not queued for the worker to send again.
        assert _count(twilio_app, M, M.c.status == "sent", M.c.kind == "reply") == 1
        assert _sms_jobs(twilio_app) == 0


def test_twilio_redelivery_gets_an_empty_response(twilio_app):
    client = twilio_app.test_client()
    data = {**TWILIO_VALID, "Body": "JOIN Amani Shop"}
    headers = {"X-Twilio-Signature": _sign(PUBLIC + "/sms/twilio", data)}
    first = client.post("/sms/twilio", data=data, headers=headers)
    assert "Welcome to Soko, Amani Shop" in first.get_data(as_text=True)
    second = client.post("/sms/twilio", data=data, headers=headers)
    assert second.status_code == 200
    assert second.get_data(as_text=True) == '<?xml version="1.0" encoding="UTF-8"?><Response />'
    assert _count(twilio_app, IN) == 1 and _count(twilio_app, M) == 1


def test_twilio_signature_without_public_url_uses_the_request_url(make_app):
    app = make_app(twilio_auth_token=TWILIO_AUTH_TOKEN)
    headers = {"X-Twilio-Signature": _sign("http://localhost/sms/twilio", TWILIO_VALID)}
    assert app.test_client().post("/sms/twilio", data=TWILIO_VALID, headers=headers).status_code == 200
    behind_proxy = {"X-Twilio-Signature": _sign(PUBLIC + "/sms/twilio", TWILIO_VALID)}
    assert app.test_client().post("/sms/twilio", data=TWILIO_VALID, headers=behind_proxy).status_code == 403


def test_twilio_refused_without_an_auth_token(app, client):
    headers = {"X-Twilio-Signature": _sign("http://localhost/sms/twilio", TWILIO_VALID)}
    assert client.post("/sms/twilio", data=TWILIO_VALID, headers=headers).status_code == 403


# -- Twilio status callbacks ----------------------------------------------------------------------

TWILIO_STATUS = [
    # name, form, signed, status, message status after, error after
    ("delivered", {"MessageSid": "SMout1", "MessageStatus": "delivered", "AccountSid": TWILIO_ACCOUNT_SID}, True,
     200, "delivered", None),
    ("sent stays sent", {"MessageSid": "SMout1", "MessageStatus": "sent"}, True, 200, "sent", None),
    ("undelivered", {"MessageSid": "SMout1", "MessageStatus": "undelivered", "ErrorCode": "30003"}, True,
     200, "failed", "Twilio 30003"),
    ("unknown sid", {"MessageSid": "SMnobody", "MessageStatus": "delivered"}, True, 400, "sent", None),
    ("unknown status", {"MessageSid": "SMout1", "MessageStatus": "lost_at_sea"}, True, 400, "sent", None),
    ("missing status", {"MessageSid": "SMout1"}, True, 400, "sent", None),
    ("bad signature", {"MessageSid": "SMout1", "MessageStatus": "delivered"}, False, 403, "sent", None),
]


@pytest.mark.parametrize("name,data,signed,status,after,error", TWILIO_STATUS, ids=[r[0] for r in TWILIO_STATUS])
def test_twilio_status(twilio_app, name, data, signed, status, after, error):
    mid = _sent_message(twilio_app, provider="twilio", provider_id="SMout1")
    signature = _sign(PUBLIC + "/sms/twilio/status", data) if signed else "bm9wZQ=="
    res = twilio_app.test_client().post("/sms/twilio/status", data=data, headers={"X-Twilio-Signature": signature})
    assert res.status_code == status, res.get_data(as_text=True)
    assert tuple(_status(twilio_app, mid)) == (after, error)


def test_stop_from_an_opted_in_number_is_recorded_and_confirmed(app, client):
    assert client.post("/sms/africastalking", data={**AT_VALID, "text": "stop"}).status_code == 200
    with app.extensions["soko"].db.connect() as conn:
        assert conn.execute(select(PE.c.opted_out).where(PE.c.phone == "+254711223344")).scalar() is True
        assert "no more Soko messages" in conn.execute(select(M.c.body)).scalar()


class Clock:
    """Seconds since the epoch, moved by the test."""

    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_number_sending_faster_than_a_person_gets_no_more_replies(app, client):
    from menus.sms.rate_limit import PER_MINUTE, InboundLimit

    clock = Clock(1_700_000_000.0)  # 20 s into a minute: the burst stays within it
    app.extensions["soko"].sms_limit = InboundLimit(app.extensions["soko"].redis, clock=clock)
    for i in range(PER_MINUTE + 3):
        assert client.post("/sms/africastalking", data={**AT_VALID, "id": f"ATXid_loop{i}"}).status_code == 200
        clock.now += 1
    # Every message within the allowance answered, then one "too many", then silence.
    bodies = _bodies(app, "+254711223344")
    assert len(bodies) == PER_MINUTE + 1 and bodies[-1] == "Too many messages, wait a minute."
    assert client.post("/sms/africastalking", data={**AT_VALID, "from": "+254711223355", "id": "ATXid_other"}).status_code == 200
    assert _count(app, M, M.c.to_phone == "+254711223355") == 1

    clock.now += 60  # the next minute: answered again
    assert client.post("/sms/africastalking", data={**AT_VALID, "id": "ATXid_later"}).status_code == 200
    assert len(_bodies(app, "+254711223344")) == PER_MINUTE + 2


def _bodies(app, phone: str) -> list[str]:
    with app.extensions["soko"].db.connect() as conn:
        return conn.execute(select(M.c.body).where(M.c.to_phone == phone).order_by(M.c.id)).scalars().all()


def test_an_agents_paid_and_delivered_are_never_dropped_by_the_limit(app, client):
    """A busy market minute: the agent has sent the allowance already; every PAID and DELIVERED
    after it is still recorded and answered, in the agent's language, while anything else over the
    limit gets the one "too many" answer (Kiswahili here)."""
    from commerce import demo, lifecycle
    from menus.sms.rate_limit import PER_MINUTE, InboundLimit
    from tests.orderkit import history, place, seller_id_of

    engine = app.extensions["soko"].db
    with engine.begin() as conn:
        demo.seed(conn)
        conn.execute(PE.update().where(PE.c.phone == "+254722000101").values(language="sw"))
    placed = [place(engine, method="on_delivery", quantity=1) for _ in range(3)]
    for p in placed:  # sent by the seller: at the agent's point, to be handed over
        assert lifecycle.mark_sent(engine, seller_id_of(engine, p.code), p.code).ok
    paid = [place(engine, quantity=1) for _ in range(3)]
    clock = Clock(1_700_000_000.0)
    app.extensions["soko"].sms_limit = InboundLimit(app.extensions["soko"].redis, clock=clock)
    agent = {**AT_VALID, "from": "+254722000101"}
    for i in range(PER_MINUTE):
        client.post("/sms/africastalking", data={**agent, "text": "MSAADA", "id": f"ATXid_help{i}"})
    before = len(_bodies(app, "+254722000101"))
    client.post("/sms/africastalking", data={**agent, "text": "HELP", "id": "ATXid_over"})
    for i, p in enumerate(paid):
        client.post("/sms/africastalking", data={**agent, "text": f"PAID {p.code} 180 1234", "id": f"ATXid_paid{i}"})
    for i, p in enumerate(placed):
        client.post("/sms/africastalking", data={**agent, "text": f"IMEKABIDHIWA {p.code} 1234", "id": f"ATXid_d{i}"})
    client.post("/sms/africastalking", data={**agent, "text": "HELP", "id": "ATXid_over2"})
    replies = _bodies(app, "+254722000101")[before:]
    assert replies[0] == "Ujumbe mwingi mno, subiri dakika moja."
    assert len(replies) == 1 + 6  # the one "too many", then every PAID and DELIVERED; the last HELP not
    for p in paid:
        assert history(engine, p.code)[-1][0] == "paid"
    for p in placed:
        assert history(engine, p.code)[-1][0] == "delivered"


def test_someone_not_an_agent_sending_paid_is_limited_like_anyone(app, client):
    from menus.sms.rate_limit import PER_MINUTE, InboundLimit

    clock = Clock(1_700_000_000.0)
    app.extensions["soko"].sms_limit = InboundLimit(app.extensions["soko"].redis, clock=clock)
    for i in range(PER_MINUTE + 3):
        client.post("/sms/africastalking", data={**AT_VALID, "text": "PAID 1234567 100", "id": f"ATXid_p{i}"})
    bodies = _bodies(app, "+254711223344")
    assert len(bodies) == PER_MINUTE + 1 and bodies[-1] == "Too many messages, wait a minute."
