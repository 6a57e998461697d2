"""`POST /ussd/africastalking`: a table of Africa's Talking requests and the answer each gets.

Requests are shaped as Africa's Talking documents them (PROVIDERS.md §1): a form-encoded POST with
`sessionId`, `serviceCode`, `phoneNumber`, `text` and, usually, `networkCode`. A bad request gets a
plain-text 400 (or 403/405/413) and changes nothing; a valid hop we will not serve gets `END` and a
reason, and changes nothing either.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from commerce.models import Base

URL = "/ussd/africastalking"
CODE = "*384*123#"
FORM = "application/x-www-form-urlencoded"


def hop(**fields) -> dict[str, str]:
    base = {"sessionId": "ATUid_0a1b2c3d4e5f", "serviceCode": CODE, "phoneNumber": "+254712345678",
            "networkCode": "63902", "text": ""}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def encoded(**fields) -> bytes:
    return urlencode(hop(**fields)).encode()


# (id, body, content type, query string, expected status, expected start of the body)
TABLE = [
    ("first hop", encoded(), FORM, "", 200, "CON Welcome to Soko\n1. Shop"),
    ("first hop without networkCode", encoded(networkCode=None), FORM, "", 200, "CON Welcome to Soko"),
    ("sandbox network and extra fields", urlencode(hop(networkCode="99999")).encode() + b"&foo=bar", FORM, "",
     200, "CON Welcome to Soko"),
    ("local phone number", encoded(phoneNumber="0712345678"), FORM, "", 200, "CON Welcome to Soko"),
    ("multipart form", None, "multipart", "", 200, "CON Welcome to Soko"),
    ("missing sessionId", encoded(sessionId=None), FORM, "", 400, "Missing field: sessionId"),
    ("blank sessionId", encoded(sessionId="  "), FORM, "", 400, "Missing field: sessionId"),
    ("missing phoneNumber", encoded(phoneNumber=None), FORM, "", 400, "Missing field: phoneNumber"),
    ("missing serviceCode", encoded(serviceCode=None), FORM, "", 400, "Missing field: serviceCode"),
    ("missing everything", b"", FORM, "", 400, "Missing field: sessionId, serviceCode, phoneNumber"),
    ("phone is words", encoded(phoneNumber="hello"), FORM, "", 400, "phoneNumber is not a valid phone number"),
    ("phone too short", encoded(phoneNumber="+25471"), FORM, "", 400, "phoneNumber is not a valid phone number"),
    ("phone no such country", encoded(phoneNumber="+999123456789"), FORM, "", 400,
     "phoneNumber is not a valid phone number"),
    ("phone with an extension", encoded(phoneNumber="+254712345678 ext 5"), FORM, "", 400,
     "phoneNumber is not a valid phone number"),
    ("sessionId too long", encoded(sessionId="x" * 101), FORM, "", 400, "sessionId is too long"),
    ("unknown serviceCode", encoded(serviceCode="*999#"), FORM, "", 200,
     "END This service (*999#) is not offered here."),
    ("over-long text", encoded(text="1*" * 600), FORM, "", 200, "END Your input was too long. Please dial again."),
    ("not UTF-8", b"sessionId=ATUid_1&serviceCode=%2A384%2A123%23&phoneNumber=%2B254712345678&text=caf\xe9",
     FORM, "", 400, "Body is not valid UTF-8"),
    ("percent-escaped bytes not UTF-8", encoded() + b"&text=%FF%FE", FORM, "", 400, "Body is not valid UTF-8"),
    ("JSON instead of a form", b'{"sessionId": "x"}', "application/json", "", 400,
     "Send the fields as application/x-www-form-urlencoded"),
    ("100 KB body", encoded(text="1" * 100_000), FORM, "", 413, ""),
    ("thousands of fields", b"&".join(b"f%d=1" % i for i in range(5000)), FORM, "", 400, "Too many form fields"),
]


def counts(app) -> dict[str, int]:
    with app.extensions["soko"].db.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar()
                for t in Base.metadata.sorted_tables}


def post(client, body, content_type, query=""):
    if content_type == "multipart":
        return client.post(URL + query, data=hop(), content_type="multipart/form-data")
    return client.post(URL + query, data=body, content_type=content_type)


def assert_plain(res):
    assert res.mimetype == "text/plain", res.headers
    text = res.get_data(as_text=True).lower()
    assert "<html" not in text and "<!doctype" not in text and "<p>" not in text


@pytest.mark.parametrize(("name", "body", "content_type", "query", "status", "start"), TABLE,
                         ids=[row[0] for row in TABLE])
def test_africastalking_requests(app, client, name, body, content_type, query, status, start):
    before = counts(app)
    res = post(client, body, content_type, query)
    assert res.status_code == status, res.get_data(as_text=True)
    assert_plain(res)
    assert res.get_data(as_text=True).startswith(start)
    if status != 200 or start.startswith("END"):
        # refused, or a hop we do not serve: no session in Redis, no row anywhere
        assert app.extensions["soko"].redis.dbsize() == 0
        assert counts(app) == before
    if status >= 400:
        assert res.get_data(as_text=True).strip(), "a refusal says why"


def test_a_later_hop_continues_the_session(seeded, client):
    assert client.post(URL, data=hop(text="")).get_data(as_text=True).startswith("CON Welcome")
    res = client.post(URL, data=hop(text="1"))
    assert res.status_code == 200 and res.get_data(as_text=True).startswith("CON Choose a category:\n1. Food")
    res = client.post(URL, data=hop(text="1*1"))
    assert res.get_data(as_text=True).startswith("CON Food:\n1. Maize flour 2kg KES 180")


def test_an_over_long_input_in_one_hop_is_refused_politely(seeded, client):
    client.post(URL, data=hop(text=""))
    client.post(URL, data=hop(text="2"))
    res = client.post(URL, data=hop(text="2*" + "rice " * 20))
    assert res.get_data(as_text=True).startswith("CON Too long, try again.\nType a product name or code:")


def test_get_is_405_in_plain_text(app, client):
    res = client.get(URL)
    assert res.status_code == 405
    assert_plain(res)
    assert app.extensions["soko"].redis.dbsize() == 0


@pytest.mark.parametrize(("query", "status"), [("", 403), ("?token=wrong", 403), ("?token=", 403),
                                               ("?token=s3cret-T0ken", 200)])
def test_the_webhook_token_when_one_is_set(make_app, query, status):
    app = make_app(at_webhook_token="s3cret-T0ken")
    before = counts(app)
    res = app.test_client().post(URL + query, data=hop())
    assert res.status_code == status
    assert_plain(res)
    if status == 403:
        assert "token" in res.get_data(as_text=True).lower()
        assert app.extensions["soko"].redis.dbsize() == 0
        assert counts(app) == before


def test_the_token_is_checked_before_the_body_is_read(make_app):
    """A caller without the token learns nothing about our validation, even with a bad body."""
    app = make_app(at_webhook_token="s3cret-T0ken")
    res = app.test_client().post(URL, data=b"\xff\xfe", content_type=FORM)
    assert res.status_code == 403


def test_any_service_code_is_served_when_none_is_configured(make_app):
    app = make_app(ussd_service_code=None)
    res = app.test_client().post(URL, data=hop(serviceCode="*483*77#"))
    assert res.get_data(as_text=True).startswith("CON Welcome")


def test_a_hop_gets_the_same_answer_round_flask_and_through_it(seeded, client):
    """A hop as Africa's Talking sends it is answered round Flask (gateway/ussd.py hops_first); one
    that comes otherwise (multipart, chunked) through Flask's view: the same session, screens and
    headers either way."""
    def chunked(text):
        body = encoded(text=text)
        return client.post(URL, input_stream=__import__("io").BytesIO(body), content_type=FORM,
                           headers={"Transfer-Encoding": "chunked"})

    ways = [lambda text: client.post(URL, data=encoded(text=text), content_type=FORM),  # round Flask
            lambda text: client.post(URL, data=hop(text=text), content_type="multipart/form-data"),
            chunked]
    answers = []
    for way in ways:
        client.application.extensions["soko"].redis.flushdb()
        answers.append([(r.status_code, r.headers["Content-Type"], r.get_data(as_text=True))
                        for r in (way(""), way("1"), way("1*1"), way("1*1"))])  # the last: redelivered
    assert answers[0][2][2].startswith("CON Food:\n1. Maize flour 2kg KES 180")
    assert answers[0][0][1] == "text/plain; charset=utf-8"
    assert answers[0] == answers[1] == answers[2]


def test_a_hop_that_fails_unexpectedly_is_a_plain_500_and_logged(app, client, monkeypatch, caplog):
    def broken(hop):
        raise RuntimeError("boom")

    monkeypatch.setattr(app.extensions["soko"].ussd, "answer", broken)
    res = client.post(URL, data=hop())
    assert res.status_code == 500
    assert_plain(res)
    assert res.get_data(as_text=True) == "Internal error\n"
    assert any("unhandled error on /ussd/africastalking" in r.getMessage() for r in caplog.records)


def test_an_unknown_path_is_a_plain_404(client):
    res = client.post("/ussd/nowhere", data=hop())
    assert res.status_code == 404
    assert_plain(res)


EVENTS = URL + "/events"
SESSION_END = {"date": "2024-05-10 12:34:56", "sessionId": "ATUid_end1", "serviceCode": CODE, "networkCode": "63902",
               "phoneNumber": "+254712345678", "status": "Failed", "cost": "KES 0.10", "durationInMillis": "15020",
               "hopsCount": "3", "input": "1*1", "lastAppResponse": "CON Food:", "errorMessage": "Application response timeout"}


def test_a_session_end_is_stored_once_in_neutral_words(app, client):
    from commerce.models import UssdSessionEvent

    EV = UssdSessionEvent.__table__  # noqa: N806
    assert client.post(EVENTS, data=SESSION_END).status_code == 200
    assert client.post(EVENTS, data={**SESSION_END, "status": "Success"}).status_code == 200  # a redelivery
    with app.extensions["soko"].db.connect() as conn:
        rows = conn.execute(select(EV.c.session_id, EV.c.phone, EV.c.status, EV.c.duration_ms, EV.c.hops,
                                   EV.c.last_input, EV.c.error)).all()
    assert [tuple(r) for r in rows] == [("ATUid_end1", "+254712345678", "failed", 15020, 3, "1*1",
                                         "Application response timeout")]


@pytest.mark.parametrize(("data", "reason"), [
    ({"sessionId": "ATUid_x", "status": "Teleported"}, "Missing sessionId or unknown status"),
    ({"status": "Success"}, "Missing sessionId or unknown status"),
    ({"sessionId": "ATUid_\x00", "status": "Success"}, "sessionId contains a NUL character"),
])
def test_a_malformed_session_end_is_refused_and_stores_nothing(app, client, data, reason):
    before = counts(app)
    res = client.post(EVENTS, data=data)
    assert res.status_code == 400 and res.get_data(as_text=True) == reason + "\n"
    assert counts(app) == before
