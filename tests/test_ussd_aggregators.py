"""`POST /ussd/hubtel`, `/ussd/arkesel`, `/ussd/nalo`, `/ussd/beem` (SPEC §11): the same engine and
screens as Africa's Talking through each aggregator's JSON, redelivered hops, dial-string shortcuts,
settings, release/timeout notices feeding drop-off analytics, and Ghanaian/Tanzanian buyers."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from commerce import codes, ussd_events
from commerce.models import Order, Product, UssdSessionEvent
from tests.aggregators import NAMES, NUMBERS_HOPS, JsonSession

GH = "+233241234567"
TZ = "+255712345678"
KE = "+254712345678"
ALL_ON = {f"{n}_enabled": True for n in NAMES}


@pytest.fixture
def agg_app(make_app, db_engine):
    from commerce import demo

    app = make_app(**ALL_ON)
    with db_engine.begin() as conn:
        demo.seed(conn)
    return app


def session(app, name, phone=KE, session_id="sess-1", **kw) -> JsonSession:
    return JsonSession(app.test_client(), name, phone, session_id, **kw)


def orders(db_engine) -> int:
    with db_engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Order.__table__)).scalar()


def maize_code(db_engine) -> str:
    with db_engine.connect() as conn:
        pid = conn.execute(select(Product.id).where(Product.name == "Maize flour 2kg")).scalar()
    return codes.product_code(pid)


@pytest.mark.parametrize("name", NAMES)
def test_a_buyer_orders_through_each_aggregator_and_confirm_places_one_order(agg_app, db_engine, name):
    s = session(agg_app, name)
    assert s.dial().startswith("CON Welcome to Soko\n1. Shop")
    assert s.send("1").startswith("CON Choose a category:")
    assert "Maize flour 2kg KES 180" in s.send("1")
    assert "In stock" in s.send("1")
    assert s.send("1").startswith("CON How many?")
    assert s.send("abc").startswith("CON Enter a number in the range shown.")  # re-prompted
    assert s.send("2").startswith("CON Pickup point:")
    assert s.send("1").startswith("CON How will you pay?")
    summary = s.send("2")
    assert "2 x Maize flour 2kg" in summary and "Total KES 360" in summary
    done = s.send("1")
    assert done.startswith("END Order ") and "KES 360" in done
    if name in NUMBERS_HOPS:
        assert s.resend() == done  # a redelivered Confirm: the same screen
    assert s.send("1").startswith("END This session has ended.")  # a hop after the end
    assert orders(db_engine) == 1


@pytest.mark.parametrize("name", sorted(NUMBERS_HOPS))
def test_a_redelivered_hop_answers_the_same_screen_and_moves_nothing(agg_app, name):
    s = session(agg_app, name)
    home = s.dial()
    assert s.resend() == home
    cats = s.send("1")
    assert s.resend() == cats
    page1 = s.send("1")
    page2 = s.send("98")
    assert page2 != page1
    assert s.resend() == page2 and s.resend() == page2  # not a third page
    assert s.send("0") == page1
    assert s.resend() == page1  # not back twice
    assert s.send("00") == home


@pytest.mark.parametrize("name", ["arkesel", "nalo"])
def test_without_hop_numbers_a_second_session_start_is_still_seen(agg_app, name):
    """Arkesel and Nalo number no hops: only a redelivered first hop (newSession / MSGTYPE true)
    can be told apart; a later one is read as the caller typing the same key again."""
    s = session(agg_app, name)
    home = s.dial()
    assert s.resend() == home
    cats = s.send("1")
    assert s.resend() != cats  # "1" again: the first category's listing


def test_language_and_resume_through_hubtel(agg_app):
    s = session(agg_app, "hubtel", GH, "h-1")
    s.dial()
    s.send("4")
    assert s.send("2").startswith("CON Karibu Soko")  # Kiswahili, remembered for the number
    s.send("1")
    s.end("timeout")
    again = session(agg_app, "hubtel", GH, "h-2")
    assert again.dial().startswith("CON Karibu tena.\n1. Endelea ulipoachia")  # the timeout left it resumable
    assert again.send("1").startswith("CON Chagua aina:\n1. Chakula")  # back where it stopped, in Kiswahili


def test_a_ghanaian_buyer_sees_cedis_and_a_tanzanian_shillings(agg_app):
    gh = session(agg_app, "nalo", GH, "n-1")
    gh.dial()
    gh.send("1")
    assert "Maize flour 2kg GHS 18\n" in gh.send("1")
    tz = session(agg_app, "beem", TZ, "b-1")
    tz.dial()
    tz.send("1")
    assert "Maize flour 2kg TZS 3,600" in tz.send("1")


# -- dial-string shortcuts --------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["hubtel", "nalo"])
def test_a_dial_string_with_a_product_code_opens_the_product(agg_app, db_engine, name):
    code = maize_code(db_engine)
    s = session(agg_app, name)
    product = s.dial(f"*384*123*{code}#")
    assert product.startswith("CON Maize flour 2kg") and f"#{code}" in product and "1. Buy" in product
    assert s.send("0").startswith("CON Welcome to Soko")  # back goes home


@pytest.mark.parametrize("name", ["hubtel", "nalo"])
def test_a_dial_string_with_a_menu_number_opens_that_menu(agg_app, name):
    s = session(agg_app, name)
    assert s.dial("*384*123*3#") == "CON You have no orders yet.\n0 Back 00 Home"
    assert session(agg_app, name, session_id="x2").dial("*384*123*1#").startswith("CON Choose a category:")


@pytest.mark.parametrize("name", ["hubtel", "nalo"])
def test_a_wrong_code_in_the_dial_string_is_refused_on_the_home_screen(agg_app, db_engine, name):
    code = maize_code(db_engine)
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)  # its check digit mistyped
    for n, dial in enumerate((f"*384*123*{wrong}#", "*384*123*7#", "*384*123*1*99#", "*384*123*abc#")):
        screen = session(agg_app, name, session_id=f"w{n}").dial(dial)
        assert screen.startswith("CON That code is not valid: choose from the menu.\nWelcome to Soko"), screen


def test_africas_talking_first_hop_text_is_a_shortcut_too(seeded, db_engine, ussd):
    code = maize_code(db_engine)
    s = ussd(session_id="ATUid_sc1")
    product = s.post(code).get_data(as_text=True)
    assert product.startswith("CON Maize flour 2kg") and f"#{code}" in product
    assert s.post(f"{code}*1").get_data(as_text=True).startswith("CON How many?")  # the path goes on after it
    assert ussd(session_id="ATUid_sc2").post("3").get_data(as_text=True) == "CON You have no orders yet.\n0 Back 00 Home"


# -- settings, tokens and refusals --------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_an_aggregator_is_off_until_switched_on(make_app, name):
    client = make_app().test_client()
    res = JsonSession(client, name, KE).post({"anything": 1})
    assert res.status_code == 404


def test_each_aggregator_checks_its_own_token(make_app, seeded):
    app = make_app(hubtel_enabled=True, hubtel_webhook_token="hub-secret", beem_enabled=True)
    assert JsonSession(app.test_client(), "hubtel", GH).post({}).status_code == 403
    assert JsonSession(app.test_client(), "hubtel", GH, token="wrong").post({}).status_code == 403
    assert JsonSession(app.test_client(), "hubtel", GH, token="hub-secret").dial().startswith("CON Welcome")
    assert JsonSession(app.test_client(), "beem", TZ).dial().startswith("CON Welcome")  # no token set for Beem


@pytest.mark.parametrize("body, reason", [
    (b"{not json", "Body is not valid JSON"),
    (b"[1, 2]", "Send a JSON object"),
    (json.dumps({"Type": "Response", "SessionId": "s"}).encode(), "Missing field: Mobile"),
    (json.dumps({"Type": "Response", "SessionId": "s", "Mobile": "233241234567", "Sequence": "x"}).encode(),
     "Sequence must be a whole number"),
])
def test_a_bad_request_gets_a_plain_400_and_changes_nothing(agg_app, redis_url, body, reason):
    import redis

    res = agg_app.test_client().post("/ussd/hubtel", data=body, content_type="application/json")
    assert res.status_code == 400 and res.mimetype == "text/plain"
    assert res.get_data(as_text=True) == reason + "\n"
    assert not redis.Redis.from_url(redis_url).keys("u:*")


def test_several_service_codes_are_answered_and_others_refused(make_app, seeded):
    app = make_app(ussd_service_code="*384*123#,*713*4#", hubtel_enabled=True, nalo_enabled=True)
    c = app.test_client()
    assert JsonSession(c, "hubtel", GH, "a", code="*713*4#").dial().startswith("CON Welcome")
    assert JsonSession(c, "hubtel", GH, "b", code="713*4").dial().startswith("CON Welcome")  # Hubtel's own spelling
    assert JsonSession(c, "hubtel", GH, "c", code="*999#").dial() == "END This service (*999#) is not offered here."
    assert JsonSession(c, "nalo", GH, "d").dial("*713*4*1#").startswith("CON Choose a category:")
    assert JsonSession(c, "nalo", GH, "e").dial("*999*1#") == "END This service (*999*1#) is not offered here."
    at = c.post("/ussd/africastalking", data={"sessionId": "s", "serviceCode": "*713*4#", "phoneNumber": KE,
                                              "text": ""})
    assert at.get_data(as_text=True).startswith("CON Welcome")


# -- session ends and drop-off ------------------------------------------------------------------------

def events(db_engine) -> list[dict]:
    EV = UssdSessionEvent.__table__  # noqa: N806
    with db_engine.connect() as conn:
        rows = conn.execute(select(EV).order_by(EV.c.id)).mappings().all()
    return [dict(r) for r in rows]


@pytest.mark.parametrize("name, kind", [("hubtel", "release"), ("hubtel", "timeout"), ("beem", "release")])
def test_release_and_timeout_end_the_session_and_feed_drop_off(agg_app, db_engine, name, kind):
    s = session(agg_app, name, session_id="drop-1")
    s.dial()
    s.send("1")
    s.send("1")  # the first category's listing
    answer = s.end(kind)
    if name == "hubtel":
        assert answer == {"Type": "Release", "Message": "", "ClientState": ""}
    else:
        assert answer["command"] == "terminate" and answer["payload"]["request"] == "" and answer["session_id"] == "drop-1"
    s.end(kind)  # a redelivered notice changes nothing
    (row,) = events(db_engine)
    assert (row["aggregator"], row["session_id"], row["status"], row["last_screen"], row["phone"], row["hops"]) == \
        (name, f"{name}:drop-1", "incomplete", "L", KE, 3)
    assert row["error"] == ("timeout" if kind == "timeout" else None)
    assert ussd_events.dropoff(db_engine) == [{"aggregator": name, "screen": "L", "sessions": 1}]


def test_africas_talking_reports_name_the_screen_too(seeded, db_engine, ussd, client):
    s = ussd(session_id="ATUid_drop")
    s.dial()
    s.send("1")
    client.post("/ussd/africastalking/events", data={"sessionId": "ATUid_drop", "phoneNumber": KE,
                                                     "status": "Incomplete", "hopsCount": "2", "input": "1"})
    (row,) = events(db_engine)
    assert (row["aggregator"], row["last_screen"], row["status"]) == ("africastalking", "C", "incomplete")
