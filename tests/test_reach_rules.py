"""Seller reach (issue 17), the rules with no server: shop codes, the grammar of FOLLOW / STOP <shop> /
NEWS / YES / REPORT / SALES / SENT of several orders (Hypothesis), quiet hours across time zones and
the Sunday rule on an injected clock, a broadcast's 2 segments with its stop footer, and the
providers' per-recipient opt-out answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commerce import broadcasts, codes, gsm
from commerce.quiet_hours import Window, is_open, next_open, zones_of
from config import SettingsError, load_settings
from menus.sms.grammar import MAX_CODES, parse
from providers.africastalking.sms import map_recipients

NAIROBI = zones_of("+254712345678")  # UTC+3, no DST
ACCRA = zones_of("+233241234567")  # UTC+0
NEW_YORK = zones_of("+12025550123")  # UTC-5 / UTC-4 (DST)
DAY = Window()  # 08:00-19:00, no Sundays


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- shop codes ----------------------------------------------------------------------------------

@given(st.integers(min_value=1, max_value=10**7))
def test_a_shop_code_names_its_shop_and_a_mistyped_digit_names_none(seller_id):
    code = codes.shop_code(seller_id)
    assert codes.seller_id_from_code(code) == seller_id
    for i in range(len(code)):
        for d in "0123456789":
            typo = code[:i] + d + code[i + 1:]
            if typo != code:
                assert codes.seller_id_from_code(typo) is None


def test_shop_codes_are_short_and_canonical():
    assert len(codes.shop_code(1)) == 5 and len(codes.shop_code(8999)) == 5
    assert codes.seller_id_from_code("0" + codes.shop_code(7)) is None
    assert codes.seller_id_from_code("12") is None and codes.seller_id_from_code("abc") is None


# -- the grammar ---------------------------------------------------------------------------------

code_st = st.integers(min_value=1, max_value=10**6).map(codes.shop_code)
spaces = st.sampled_from([" ", "  ", " \t "])


@given(code_st, st.sampled_from(["FOLLOW", "follow", "Fuata", "FUATA:"]), spaces)
def test_follow_takes_one_shop_code(code, keyword, gap):
    cmd = parse(f"{keyword}{gap}{code}")
    assert (cmd.name, cmd.args, cmd.usage) == ("FOLLOW", (code,), False)
    assert cmd.swahili == keyword.upper().startswith("FUATA")


@given(code_st, st.sampled_from(["STOP", "stop", "Acha", "ACHA", "UNFOLLOW"]))
def test_stop_or_unfollow_with_a_shop_code(code, keyword):
    cmd = parse(f"{keyword} {code}")
    assert cmd.args == (code,)
    assert cmd.name == ("UNFOLLOW" if keyword == "UNFOLLOW" else "STOP")


@pytest.mark.parametrize("text", ["STOP", "stop", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "ACHA",
                                  "STOP please", "STOP sending me messages", "STOP 1234 5678", "Stop!"])
def test_stop_without_one_code_stops_everything(text):
    cmd = parse(text)
    assert cmd.name == "STOP" and cmd.args == () and not cmd.usage


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=300)
       .filter(lambda s: s.strip()))
@settings(max_examples=300)
def test_news_keeps_the_text_as_typed(text):
    cmd = parse("NEWS " + text)
    assert cmd.name == "NEWS"
    if cmd.args:
        assert cmd.args[0] == " ".join(gsm.fold(text).split())
    else:
        assert cmd.usage  # only a text of nothing but spaces and control characters


@pytest.mark.parametrize(("text", "name", "args"), [
    ("HABARI Maembe mapya!", "NEWS", ("Maembe mapya!",)), ("YES 5812", "YES", ("5812",)),
    ("ndio 5812", "YES", ("5812",)), ("REPORT 5812", "REPORT", ("5812",)), ("ripoti 5812", "REPORT", ("5812",)),
    ("SALES", "SALES", ()), ("mauzo", "SALES", ()),
])
def test_the_sellers_reach_commands(text, name, args):
    cmd = parse(text)
    assert (cmd.name, cmd.args, cmd.usage) == (name, args, False)


@pytest.mark.parametrize("text", ["NEWS", "YES", "YES abc", "REPORT", "FOLLOW", "FOLLOW shop", "UNFOLLOW",
                                  "SENT 4829131 abc"])
def test_malformed_reach_commands_ask_for_their_usage(text):
    assert parse(text).usage


@given(st.lists(st.integers(min_value=1000, max_value=9_999_999).map(str), min_size=1, max_size=MAX_CODES),
       st.sampled_from(["SENT", "sent", "Imetumwa", "NIMETUMA"]))
def test_sent_takes_several_order_codes(numbers, keyword):
    cmd = parse(f"{keyword} {' '.join(numbers)}")
    assert (cmd.name, cmd.args, cmd.usage) == ("SENT", tuple(numbers), False)


def test_sent_takes_at_most_ten_and_keeps_its_old_spellings():
    assert parse("SENT " + " ".join(["4829131"] * (MAX_CODES + 1))).usage
    assert parse("sent4829131").args == ("4829131",) and parse("Imetumwa: 482-9131").args == ("4829131",)


# -- quiet hours ----------------------------------------------------------------------------------

def test_numbers_know_their_time_zones():
    assert (NAIROBI, ACCRA, NEW_YORK) == ("Africa/Nairobi", "Africa/Accra", "America/New_York")
    assert zones_of("+80012345678", "GH") == "Africa/Accra"  # no zone of its own: the default region's


@pytest.mark.parametrize(("at", "nairobi", "accra"), [
    (utc(2026, 12, 2, 4, 59, 59), False, False),  # Wednesday 07:59:59 in Nairobi
    (utc(2026, 12, 2, 5, 0), True, False),  # 08:00 in Nairobi, 05:00 in Accra
    (utc(2026, 12, 2, 7, 59), True, False),
    (utc(2026, 12, 2, 8, 0), True, True),  # 08:00 in Accra
    (utc(2026, 12, 2, 15, 59, 59), True, True),  # 18:59:59 in Nairobi
    (utc(2026, 12, 2, 16, 0), False, True),  # 19:00 in Nairobi: closed (the end is not in the window)
    (utc(2026, 12, 2, 18, 59), False, True),
    (utc(2026, 12, 2, 19, 0), False, False),
])
def test_the_window_is_each_recipients_own(at, nairobi, accra):
    assert is_open(NAIROBI, at, DAY) is nairobi
    assert is_open(ACCRA, at, DAY) is accra


def test_what_falls_outside_waits_for_the_next_window():
    assert next_open(NAIROBI, utc(2026, 12, 2, 3, 0), DAY) == utc(2026, 12, 2, 5, 0)  # later today
    assert next_open(NAIROBI, utc(2026, 12, 2, 16, 0), DAY) == utc(2026, 12, 3, 5, 0)  # tomorrow
    assert next_open(ACCRA, utc(2026, 12, 2, 16, 0), DAY) == utc(2026, 12, 2, 16, 0)  # open now: now
    naive = next_open(ACCRA, datetime(2026, 12, 2, 20, 0), DAY)  # naive times are UTC, as stored
    assert naive == utc(2026, 12, 3, 8, 0)


def test_no_sunday_unless_broadcast_sundays():
    saturday_evening = utc(2026, 12, 5, 16, 30)  # Saturday 19:30 in Nairobi
    sunday_noon = utc(2026, 12, 6, 9, 0)  # Sunday 12:00 in Nairobi
    assert not is_open(NAIROBI, sunday_noon, DAY)
    assert next_open(NAIROBI, saturday_evening, DAY) == utc(2026, 12, 7, 5, 0)  # Monday 08:00
    sundays = Window(sundays=True)
    assert is_open(NAIROBI, sunday_noon, sundays)
    assert next_open(NAIROBI, saturday_evening, sundays) == utc(2026, 12, 6, 5, 0)  # Sunday 08:00


def test_sunday_is_the_recipients_sunday():
    # Sunday 06:00 UTC is Sunday in Accra and in Nairobi, but still Saturday 20:00 in Honolulu-like
    # zones; Monday 01:00 UTC is Monday 04:00 in Nairobi (closed, too early) and Sunday in New York.
    late_sunday_utc = utc(2026, 12, 6, 22, 30)  # Monday 01:30 Nairobi; Sunday 17:30 New York
    assert not is_open(NEW_YORK, late_sunday_utc, DAY)  # Sunday there
    assert is_open(NEW_YORK, late_sunday_utc, Window(sundays=True))
    assert next_open(NEW_YORK, late_sunday_utc, DAY) == utc(2026, 12, 7, 13, 0)  # Monday 08:00 EST


def test_daylight_saving_moves_the_window_in_utc():
    # New York: 08:00 is 13:00 UTC in winter, 12:00 UTC in summer (the change: 8 March 2026).
    assert next_open(NEW_YORK, utc(2026, 3, 6, 2, 0), DAY) == utc(2026, 3, 6, 13, 0)  # Friday, EST
    assert is_open(NEW_YORK, utc(2026, 3, 7, 23, 59), DAY)  # Saturday 18:59 EST
    assert next_open(NEW_YORK, utc(2026, 3, 8, 0, 0), DAY) == utc(2026, 3, 9, 12, 0)  # Saturday 19:00 -> Monday, EDT


def test_several_zones_take_the_strictest_window():
    both = f"{NAIROBI} {ACCRA}"  # open 08:00-19:00 in both: 08:00-16:00 UTC
    assert not is_open(both, utc(2026, 12, 2, 7, 0), DAY) and is_open(both, utc(2026, 12, 2, 8, 0), DAY)
    assert not is_open(both, utc(2026, 12, 2, 16, 0), DAY)
    assert next_open(both, utc(2026, 12, 2, 6, 0), DAY) == utc(2026, 12, 2, 8, 0)
    assert next_open(both, utc(2026, 12, 5, 16, 0), DAY) == utc(2026, 12, 7, 8, 0)  # past Saturday's, no Sunday


@given(st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31)),
       st.sampled_from([NAIROBI, ACCRA, NEW_YORK, f"{NAIROBI} {ACCRA}", zones_of("+61412345678")]),
       st.booleans(), st.integers(min_value=0, max_value=20), st.integers(min_value=1, max_value=12))
@settings(max_examples=300, deadline=None)
def test_next_open_is_open_and_nothing_earlier_is(now, zones, sundays, start_hour, hours):
    w = Window(start_hour * 60, min(start_hour + hours, 24) * 60, sundays)
    at = next_open(zones, now, w)
    assert at >= now.replace(tzinfo=UTC)
    assert is_open(zones, at, w) or len(zones.split()) > 1  # no common window: the first zone decides
    # No minute between now and then was open (checked every 10 minutes).
    probe = now.replace(tzinfo=UTC)
    while probe + timedelta(minutes=10) < at and probe < now.replace(tzinfo=UTC) + timedelta(days=2):
        assert not is_open(zones, probe, w)
        probe += timedelta(minutes=10)


# -- a broadcast's body ---------------------------------------------------------------------------

def test_the_body_ends_with_how_to_stop_and_fits_two_segments():
    body = broadcasts.compose("Fresh mangoes on Friday!", "Wambui Greens", 3, "en")
    assert body == f"Fresh mangoes on Friday!\nWambui Greens: reply STOP {codes.shop_code(3)} to stop news."
    assert gsm.segments(body) == 1
    assert broadcasts.compose("Maembe mapya", "Wambui", 3, "sw").endswith(f"jibu ACHA {codes.shop_code(3)} kuacha habari.")


# -- providers' opt-out answers ------------------------------------------------------------------

def test_africas_talking_userinblacklist_is_an_opt_out():
    answer = {"SMSMessageData": {"Message": "Sent to 1/3", "Recipients": [
        {"statusCode": 101, "number": "+254712000001", "status": "Success", "messageId": "ATXid_1"},
        {"statusCode": 406, "number": "+254712000002", "status": "UserInBlacklist", "messageId": "None"},
        {"statusCode": 403, "number": "+254712000003", "status": "InvalidPhoneNumber", "messageId": "None"}]}}
    ok, blacklisted, invalid = map_recipients(answer, ["+254712000001", "+254712000002", "+254712000003"])
    assert ok.ok and not ok.opted_out
    assert not blacklisted.ok and blacklisted.opted_out and not blacklisted.retryable
    assert not invalid.ok and not invalid.opted_out


# -- settings --------------------------------------------------------------------------------------

def test_reach_settings_and_their_errors():
    s = load_settings({})
    assert (s.broadcasts_per_day, s.broadcast_hours, s.broadcast_sundays, s.sms_rate_per_second) == (1, (480, 1140),
                                                                                                     False, 50)
    assert s.sms_price == ("KES", broadcasts.Decimal("0.80"))
    assert load_settings({"BROADCAST_HOURS": "07:30-18:00"}).broadcast_hours == (450, 1080)
    assert load_settings({"BROADCAST_HOURS": "00:00-24:00"}).broadcast_hours == (0, 1440)
    for env, says in [({"BROADCAST_HOURS": "19:00-08:00"}, "BROADCAST_HOURS"), ({"BROADCAST_HOURS": "8-19"}, "BROADCAST_HOURS"),
                      ({"SMS_PRICE": "0.80"}, "SMS_PRICE"), ({"SMS_PRICE": "XYZ 1"}, "SMS_PRICE"),
                      ({"BROADCAST_SUNDAYS": "maybe"}, "BROADCAST_SUNDAYS"),
                      ({"SMS_RATE_PER_SECOND": "0"}, "SMS_RATE_PER_SECOND"),
                      ({"BROADCASTS_PER_DAY": "-1"}, "BROADCASTS_PER_DAY")]:
        with pytest.raises(SettingsError, match=says):
            load_settings(env)
