"""Seller reach (issue 17, SPEC §14) end to end: SMS in through the Africa's Talking webhook, the
buyer's USSD, broadcasts out through the RQ worker (burst) and the real clients to the local fake
provider, which records what each phone would receive. Quiet hours run on an injected clock."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
from rq import SimpleWorker
from sqlalchemy import select

from commerce import broadcasts, codes, delivery_reports, demo, followers, outbox, quiet_hours, rates
from commerce.models import Broadcast, BroadcastRecipient, BulkOptout, Follower, InboundMessage, Person, utcnow
from tests.fakes import AT_API_KEY, AT_USERNAME, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER
from tests.orderkit import place
from workers import broadcasts as pump_jobs
from workers import runtime
from workers import sms as sms_jobs

IN, B, R, F, BO, PE = (InboundMessage.__table__, Broadcast.__table__, BroadcastRecipient.__table__, Follower.__table__,
                       BulkOptout.__table__, Person.__table__)
SELLER = "+254711000001"  # Mama Njeri Shop (demo), KES: Maize flour 2kg, Rice 1kg
TZ_SELLER = "+255712000004"  # Arusha Textiles, TZS
FANS = ["+254712000101", "+254712000102", "+254712000103"]
ACCRA_FAN = "+233241234567"
STRANGER = "+254712000199"
ALWAYS = {"broadcast_hours": (0, 24 * 60), "broadcast_sundays": True, "sms_rate_per_second": 100_000}


class Phones:
    """SMS sent through the webhook (the reply read back); what each number received, from the
    fake provider's record; the worker run in burst mode."""

    ids = itertools.count(1)
    path = "/sms/africastalking"

    def __init__(self, app, fake):
        self.app, self.fake, self.client = app, fake, app.test_client()
        self.s = app.extensions["soko"]

    def sms(self, phone: str, text: str) -> str:
        message_id = f"ATXid_reach{next(self.ids)}"
        res = self.client.post(self.path, data={"from": phone, "to": "20880", "text": text,
                                                "date": "2026-12-02 08:00:00", "id": message_id})
        assert res.status_code == 200, res.get_data(as_text=True)
        with self.s.db.connect() as conn:
            return conn.execute(select(IN.c.reply).where(IN.c.provider_id == message_id)).scalar_one()

    def work(self) -> None:
        """What the worker does: the broadcasts' tick, then every queue until empty."""
        pump_jobs.tick()
        SimpleWorker([self.s.jobs.q[name] for name in ("payments", "sms", "orders", "bulk")],
                     connection=self.s.redis).work(burst=True)
        pump_jobs.tick()  # the next tick finds the broadcast finished

    def received(self, phone: str) -> list[str]:
        return [r["form"]["message"] for r in self.fake.requests_to("/version1/messaging")
                if phone in r["form"]["to"].split(",")]

    def news(self, phone: str) -> list[str]:
        """What a number received of broadcasts (they end with the stop footer)."""
        return [m for m in self.received(phone) if m.endswith("to stop news.")]


def _app(make_app, fake, **changes):
    app = make_app(sms_backend="africastalking", at_username=AT_USERNAME, at_api_key=AT_API_KEY,
                   at_api_url=fake.url, **changes)
    s = app.extensions["soko"]
    with s.db.begin() as conn:
        demo.seed(conn)
    runtime.use(s)  # the app's bootstrap runtime, as a worker's
    return app


@pytest.fixture
def phones(make_app, fake_providers):
    yield Phones(_app(make_app, fake_providers, **ALWAYS), fake_providers)
    runtime.use(None)


@pytest.fixture
def quiet(make_app, fake_providers):
    """The default window (08:00-19:00, no Sundays), read on the clock each test passes."""
    yield Phones(_app(make_app, fake_providers, sms_rate_per_second=100_000), fake_providers)
    runtime.use(None)


def shop_of(app, phone: str) -> str:
    with app.extensions["soko"].db.connect() as conn:
        from commerce import listings

        return codes.shop_code(listings.seller_of(conn, phone).id)


def news_code(reply: str) -> str:
    return reply.rsplit("YES ", 1)[1].split()[0]


def follower_rows(app, shop: str):
    with app.extensions["soko"].db.connect() as conn:
        return conn.execute(select(PE.c.phone, F.c.unfollowed_at, F.c.source, F.c.tz).join(PE, PE.c.id == F.c.person_id)
                            .where(F.c.seller_id == codes.seller_id_from_code(shop)).order_by(F.c.id)).all()


# -- following: opt-in only ---------------------------------------------------------------------

def test_following_is_opt_in_the_receipt_invites_and_the_product_screen_offers_it(phones, ussd):
    app, db = phones.app, phones.s.db
    shop = shop_of(app, SELLER)
    placed = place(db, phone=FANS[0])  # an order is not a follow
    assert follower_rows(app, shop) == []
    [receipt] = [m for m in outbox_bodies(db, FANS[0]) if "placed" in m]
    assert receipt.endswith(f"Reply FOLLOW {shop} for news.")

    assert phones.sms(FANS[0], f"FOLLOW {shop}") == (f"You follow Mama Njeri Shop: its news comes by SMS, a few "
                                                    f"times a month at most. Reply STOP {shop} to stop it.")
    assert phones.sms(FANS[0], f"fuata {shop}").startswith("You already follow Mama Njeri Shop.")
    assert [(p, gone, src, tz) for p, gone, src, tz in follower_rows(app, shop)] == [
        (FANS[0], None, "sms", "Africa/Nairobi")]
    again = place(db, phone=FANS[0])  # a follower's next receipt does not invite again
    [receipt] = [m for m in outbox_bodies(db, FANS[0]) if again.code in m and "placed" in m]
    assert "FOLLOW" not in receipt and placed.code != again.code

    # The product screen names the shop's code and offers Follow (USSD, a buyer who never texted).
    s = ussd(FANS[1])
    s.dial()
    with db.connect() as conn:
        pid = conn.execute(select(demo_products().c.id).where(demo_products().c.name == "Maize flour 2kg")).scalar()
    screen = s.send(codes.product_code(pid))
    assert f"Seller: Mama Njeri Shop (shop {shop})" in screen and "2. Follow Mama Njeri Shop" in screen
    assert s.send("2") == f"END You follow Mama Njeri Shop: its news comes by SMS. Reply STOP {shop} to stop it."
    assert [(p, src) for p, gone, src, _ in follower_rows(app, shop) if gone is None] == [(FANS[0], "sms"),
                                                                                         (FANS[1], "ussd")]
    assert phones.sms(FANS[2], "FOLLOW 12345").startswith("12345 is not a shop code.")


def outbox_bodies(db, phone):
    from tests.orderkit import messages_to

    return messages_to(db, phone)


def demo_products():
    from commerce.models import Product

    return Product.__table__


def test_stop_variants(phones):
    app = phones.app
    a, b = shop_of(app, SELLER), shop_of(app, TZ_SELLER)
    fan = FANS[0]
    for shop in (a, b):
        phones.sms(fan, f"FOLLOW {shop}")
    # STOP <shop> and ACHA <shop> end that follow only; the number still gets Soko's notices.
    assert phones.sms(fan, f"STOP {a}") == ("You no longer follow Mama Njeri Shop. Other Soko messages go on; STOP "
                                           "alone stops them all.")
    assert [gone is None for _, gone, _, _ in follower_rows(app, a)] == [False]
    assert [gone is None for _, gone, _, _ in follower_rows(app, b)] == [True]
    assert phones.sms(fan, f"acha {b}").startswith("You no longer follow Arusha Textiles.")
    assert phones.sms(fan, f"UNFOLLOW {b}") == "You do not follow Arusha Textiles. Nothing changed."
    with phones.s.db.begin() as conn:
        assert outbox.add(conn, fan, "Order 1234567 is on its way.") is not None  # not opted out
    # Global STOP stops everything, follows included; START brings notices back, not the news.
    for shop in (a, b):
        phones.sms(fan, f"FOLLOW {shop}")
    assert phones.sms(fan, "STOP").startswith("You will get no more Soko messages.")
    assert all(gone is not None for shop in (a, b) for _, gone, _, _ in follower_rows(app, shop))
    phones.sms(fan, "START")
    assert all(gone is not None for shop in (a, b) for _, gone, _, _ in follower_rows(app, shop))
    # STOP with anything that is not a shop code stops everything: an opt-out is never lost to a typo.
    phones.sms(FANS[1], f"FOLLOW {a}")
    assert phones.sms(FANS[1], "STOP 12345").startswith("You will get no more Soko messages.")
    assert phones.sms(FANS[2], "Stop!").startswith("You will get no more Soko messages.")
    with phones.s.db.connect() as conn:
        stopped = set(conn.execute(select(PE.c.phone).where(PE.c.opted_out.is_(True))).scalars())
    assert stopped == {FANS[1], FANS[2]}
    assert [gone is None for p, gone, _, _ in follower_rows(app, a) if p == FANS[1]] == [False]


# -- news: preview, YES, sending, REPORT ---------------------------------------------------------

def test_news_previews_sends_once_to_each_follower_and_reports(phones):
    app = phones.app
    shop = shop_of(app, SELLER)
    for fan in FANS:
        phones.sms(fan, f"FOLLOW {shop}")
    preview = phones.sms(SELLER, "NEWS Fresh maize flour, KES 170 this week only!")
    code = news_code(preview)
    assert preview == f"To 3 followers, 1 SMS each, about KES 2.40. Reply YES {code} to send."
    assert phones.sms(SELLER, f"REPORT {code}") == f"News {code} was not sent. Send NEWS again for a new preview."
    assert phones.sms(SELLER, f"YES {code}") == (f"Sending news {code} to 3 followers between 00:00 and 24:00 in each "
                                                f"one's time. REPORT {code} shows how far it is.")
    phones.work()
    body = f"Fresh maize flour, KES 170 this week only!\nMama Njeri Shop: reply STOP {shop} to stop news."
    for fan in FANS:
        assert phones.news(fan) == [body]
    assert phones.received(STRANGER) == [] and phones.news(SELLER) == []
    calls = [r for r in phones.fake.requests_to("/version1/messaging") if r["form"]["message"] == body]
    assert len(calls) == 1 and sorted(calls[0]["form"]["to"].split(",")) == sorted(FANS)  # one call, batched
    phones.work()  # again: nothing is sent twice
    assert all(phones.news(fan) == [body] for fan in FANS)

    with phones.s.db.connect() as conn:
        provider_id = conn.execute(select(R.c.provider_id).limit(1)).scalar()
    assert delivery_reports.record(phones.s.db, "africastalking", provider_id, "delivered", "Success")
    day = utcnow().strftime("%d %b")
    assert phones.sms(SELLER, f"RIPOTI {code}") == (f"News {code} of {day}, 3 followers: sent 3, delivered 1, failed 0, "
                                                   f"opted out 0, waiting 0.")
    assert phones.sms(SELLER, f"YES {code}").startswith(f"News {code} is already sending.")
    # One a day (BROADCASTS_PER_DAY=1): the next NEWS is refused before any preview.
    assert phones.sms(SELLER, "NEWS Again!") == "You have sent 1 news today, the most a day. Send NEWS again tomorrow."
    with phones.s.db.connect() as conn:
        assert conn.execute(select(B.c.status)).scalars().all() == ["done"]


def _fanned_out(phones, followers_: list[str]) -> dict[str, int]:
    """A confirmed broadcast to `followers_`, fanned out, not sent: {phone: recipient id}."""
    shop = shop_of(phones.app, SELLER)
    for fan in followers_:
        phones.sms(fan, f"FOLLOW {shop}")
    phones.sms(SELLER, f"YES {news_code(phones.sms(SELLER, 'NEWS Market day'))}")
    window = quiet_hours.Window.of(phones.s.settings)
    while broadcasts.fan_out_step(phones.s.db, window) is not None:
        pass
    with phones.s.db.connect() as conn:
        return dict(conn.execute(select(PE.c.phone, R.c.id).join(PE, PE.c.id == R.c.person_id)).all())


def test_the_claim_cursor_is_a_hint_a_row_behind_it_is_still_claimed(phones):
    ids = _fanned_out(phones, FANS)
    db, window = phones.s.db, quiet_hours.Window.of(phones.s.settings)
    [first], looked, cursor = broadcasts.claim(db, window, 2)
    assert looked == 2 and [rid for rid, _, _ in first.rows] == sorted(ids.values())[:2]
    # A cursor far ahead (another pump's, or stale): nothing past it, so the claim starts over.
    [rest], looked, cursor = broadcasts.claim(db, window, 5, after=(utcnow() + timedelta(days=1), 10**9))
    assert [rid for rid, _, _ in rest.rows] == [max(ids.values())] and cursor[1] == max(ids.values())
    assert broadcasts.claim(db, window, 5, after=cursor) == ([], 0, None)


def test_outcomes_are_recorded_each_as_the_provider_said(phones):
    fans = [*FANS, "+254712000104", "+254712000105"]
    ids = _fanned_out(phones, fans)
    db, window = phones.s.db, quiet_hours.Window.of(phones.s.settings)
    [claimed], _, _ = broadcasts.claim(db, window, 10)
    at = utcnow()
    broadcasts.record(db, [
        broadcasts.Outcome(ids[fans[0]], fans[0], "sent", 1, "ATXid_1"),
        broadcasts.Outcome(ids[fans[1]], fans[1], "retry", 1, error="Gateway error"),
        broadcasts.Outcome(ids[fans[2]], fans[2], "retry", broadcasts.MAX_ATTEMPTS, error="Gateway error"),
        broadcasts.Outcome(ids[fans[3]], fans[3], "opted_out", 1, error="UserInBlacklist"),
        broadcasts.Outcome(ids[fans[4]], fans[4], "unconfirmed", 1, error="read timeout"),
    ], "africastalking", at)
    with db.connect() as conn:
        got = {p: (st, pid, err, due) for p, st, pid, err, due in conn.execute(
            select(PE.c.phone, R.c.status, R.c.provider_id, R.c.error, R.c.due_at).join(PE, PE.c.id == R.c.person_id))}
        assert conn.execute(select(BO.c.phone)).scalars().all() == [fans[3]]
    assert got[fans[0]][:3] == ("sent", "ATXid_1", None)
    assert got[fans[1]] == ("pending", None, "Gateway error", at + timedelta(seconds=broadcasts.RETRY_AFTER[0]))
    assert got[fans[2]][:3] == ("failed", None, "Gateway error")
    assert got[fans[3]][:3] == ("opted_out", None, "UserInBlacklist")
    assert got[fans[4]][:3] == ("unconfirmed", None, "read timeout")
    # Recorded once: a late second record of the same call changes nothing (rows are no longer `sending`).
    broadcasts.record(db, [broadcasts.Outcome(ids[fans[0]], fans[0], "failed", 1, error="late")], "africastalking")
    with db.connect() as conn:
        assert conn.execute(select(R.c.status).where(R.c.id == ids[fans[0]])).scalar() == "sent"


def test_news_is_two_segments_at_most_and_needs_followers(phones):
    shop = shop_of(phones.app, SELLER)
    assert phones.sms(SELLER, "NEWS Hello") == (f"You have no followers yet. Buyers follow you with FOLLOW {shop}: it "
                                               "is on your product screens and receipts.")
    phones.sms(FANS[0], f"FOLLOW {shop}")
    footer = len(f"\nMama Njeri Shop: reply STOP {shop} to stop news.")
    assert phones.sms(SELLER, "NEWS " + "x" * (306 - footer)).startswith("To 1 followers, 2 SMS each")
    assert phones.sms(SELLER, "NEWS " + "x" * (306 - footer + 5)) == (
        "Your news is too long for 2 SMS with the stop line: cut 5 characters and send NEWS again.")
    assert phones.sms(FANS[0], "NEWS hi") == "Only sellers can do that. Send JOIN and your shop name to start selling."


def test_the_estimate_is_in_the_sellers_currency(phones):
    lagos = "+2348031234567"  # Nigeria: NGN, no demo rate
    phones.sms(lagos, "JOIN Lagos Beads")
    for seller in (TZ_SELLER, lagos):
        shop = shop_of(phones.app, seller)
        for fan in FANS:
            phones.sms(fan, f"FOLLOW {shop}")
    rates.save(phones.s.db, "KES", "TZS", rates.parse_rate("20"))
    assert "about TZS 48." in phones.sms(TZ_SELLER, "NEWS Vitenge vipya")  # 3 x 1 x KES 0.80 x 20
    assert "about KES 2.40." in phones.sms(lagos, "NEWS New beads")  # no KES->NGN rate: SMS_PRICE's own currency
    rates.save(phones.s.db, "KES", "NGN", rates.parse_rate("11.5"))
    assert "about NGN 27.60." in phones.sms(lagos, "NEWS New beads")


def test_the_days_limit_is_counted_in_the_sellers_own_day(make_app, fake_providers):
    app = _app(make_app, fake_providers, broadcasts_per_day=2)
    try:
        s = app.extensions["soko"]
        settings = s.settings
        with s.db.begin() as conn:
            from commerce import listings

            seller = listings.seller_of(conn, SELLER)
            followers.follow(conn, FANS[0], seller.id)
        owner = broadcasts.Owner(seller.id, seller.shop_name, seller.currency, SELLER)
        late = datetime(2026, 12, 2, 20, 30)  # 23:30 in Nairobi
        for i in range(2):
            with s.db.begin() as conn:
                code = news_code(broadcasts.preview(conn, owner, f"News {i}", "en", settings, now=late))
                assert broadcasts.confirm(conn, owner, code, "en", settings, now=late).startswith("Sending news")
        with s.db.begin() as conn:
            assert broadcasts.preview(conn, owner, "Third", "en", settings, now=late).startswith("You have sent 2 news")
            # 00:01 in Nairobi is a new day for this seller (21:01 UTC, still 2 December in UTC).
            nairobi_midnight = late + timedelta(minutes=31)
            code = news_code(broadcasts.preview(conn, owner, "Third", "en", settings, now=nairobi_midnight))
            # A preview's YES must come within the hour.
            assert broadcasts.confirm(conn, owner, code, "en", settings,
                                      now=nairobi_midnight + timedelta(hours=2)).startswith(f"News preview {code} has expired")
    finally:
        runtime.use(None)


# -- quiet hours: broadcasts wait, transactional SMS never do ----------------------------------------

def test_quiet_hours_hold_each_recipient_to_their_own_window_and_never_hold_a_receipt(quiet):
    db = quiet.s.db
    shop = shop_of(quiet.app, SELLER)
    for fan in (FANS[0], ACCRA_FAN):
        quiet.sms(fan, f"FOLLOW {shop}")
    code = news_code(quiet.sms(SELLER, "NEWS Market day on Friday"))
    quiet.sms(SELLER, f"YES {code}")
    wednesday_6 = datetime(2026, 12, 2, 6, 0)  # 09:00 in Nairobi, 06:00 in Accra
    pump_jobs.pump(now=wednesday_6)
    assert len(quiet.news(FANS[0])) == 1 and quiet.news(ACCRA_FAN) == []
    with db.connect() as conn:
        waiting = conn.execute(select(R.c.status, R.c.due_at).join(PE, PE.c.id == R.c.person_id)
                               .where(PE.c.phone == ACCRA_FAN)).one()
    assert waiting == ("pending", datetime(2026, 12, 2, 8, 0))  # 08:00 in Accra
    # A transactional SMS to the same number goes now (the outbox and the sms queue know no hours).
    with db.begin() as conn:
        mid = outbox.add(conn, ACCRA_FAN, "Order 4829131 has arrived: collect it at Kiambu.")
    sms_jobs.send_messages([mid])
    assert quiet.received(ACCRA_FAN)[-1] == "Order 4829131 has arrived: collect it at Kiambu."
    pump_jobs.pump(now=datetime(2026, 12, 2, 7, 59))
    assert quiet.news(ACCRA_FAN) == []
    pump_jobs.pump(now=datetime(2026, 12, 2, 8, 0))
    assert [m.split("\n")[0] for m in quiet.news(ACCRA_FAN)] == ["Market day on Friday"]
    assert len(quiet.news(FANS[0])) == 1  # still once


def test_a_window_closing_mid_send_puts_the_rest_back_until_monday(quiet):
    db = quiet.s.db
    shop = shop_of(quiet.app, SELLER)
    quiet.sms(FANS[0], f"FOLLOW {shop}")
    code = news_code(quiet.sms(SELLER, "NEWS Weekend offer"))
    quiet.sms(SELLER, f"YES {code}")
    saturday_late = datetime(2026, 12, 5, 16, 0)  # Saturday 19:00 in Nairobi: closed
    pump_jobs.pump(now=saturday_late)
    with db.connect() as conn:
        assert conn.execute(select(R.c.status, R.c.due_at)).one() == ("pending", datetime(2026, 12, 7, 5, 0))
    pump_jobs.pump(now=datetime(2026, 12, 6, 9, 0))  # Sunday noon: no
    assert quiet.news(FANS[0]) == []
    pump_jobs.pump(now=datetime(2026, 12, 7, 5, 0))  # Monday 08:00
    assert [m.split("\n")[0] for m in quiet.news(FANS[0])] == ["Weekend offer"]


def test_who_stops_after_the_fan_out_gets_nothing(quiet):
    db = quiet.s.db
    shop = shop_of(quiet.app, SELLER)
    for fan in FANS:
        quiet.sms(fan, f"FOLLOW {shop}")
    code = news_code(quiet.sms(SELLER, "NEWS Market day"))
    quiet.sms(SELLER, f"YES {code}")
    pump_jobs.pump(now=datetime(2026, 12, 2, 2, 0))  # fanned out, all waiting for 08:00 in Nairobi
    quiet.sms(FANS[0], f"STOP {shop}")
    quiet.sms(FANS[1], "STOP")
    pump_jobs.pump(now=datetime(2026, 12, 2, 5, 0))
    assert [bool(quiet.news(f)) for f in FANS] == [False, False, True]
    with db.connect() as conn:
        assert broadcasts.counts(conn, conn.execute(select(B.c.id)).scalar())["opted_out"] == 2


# -- numbers the provider refuses --------------------------------------------------------------------

def test_africas_talking_blacklisted_numbers_get_no_more_broadcasts(make_app, fake_providers):
    app = _app(make_app, fake_providers, broadcasts_per_day=2, **{k: v for k, v in ALWAYS.items()})
    try:
        phones = Phones(app, fake_providers)
        shop = shop_of(app, SELLER)
        for fan in FANS:
            phones.sms(fan, f"FOLLOW {shop}")
        phones.work()  # the follow confirmations go out before the number is refused
        fake_providers.blacklist_numbers = {FANS[1]}
        code = news_code(phones.sms(SELLER, "NEWS First"))
        phones.sms(SELLER, f"YES {code}")
        phones.work()
        assert phones.sms(SELLER, f"REPORT {code}").endswith("sent 2, delivered 0, failed 0, opted out 1, waiting 0.")
        with phones.s.db.connect() as conn:
            assert conn.execute(select(BO.c.phone, BO.c.source)).all() == [(FANS[1], "africastalking")]
        fake_providers.blacklist_numbers = set()
        code = news_code(phones.sms(SELLER, "NEWS Second"))
        phones.sms(SELLER, f"YES {code}")
        phones.work()
        # Offered once (and refused by the provider); the second is not even offered.
        assert [m.split("\n")[0] for m in phones.news(FANS[1])] == ["First"]
        assert [m.split("\n")[0] for m in phones.news(FANS[0])] == ["First", "Second"]
    finally:
        runtime.use(None)


def test_twilio_21610_is_an_opt_out(make_app, fake_providers):
    app = make_app(sms_backend="twilio", twilio_account_sid=TWILIO_ACCOUNT_SID, twilio_auth_token=TWILIO_AUTH_TOKEN,
                   twilio_from_number=TWILIO_FROM_NUMBER, twilio_api_url=fake_providers.url, **ALWAYS)
    s = app.extensions["soko"]
    runtime.use(s)
    try:
        with s.db.begin() as conn:
            demo.seed(conn)
            from commerce import listings

            seller = listings.seller_of(conn, SELLER)
            for fan in FANS[:2]:
                followers.follow(conn, fan, seller.id)
            owner = broadcasts.Owner(seller.id, seller.shop_name, seller.currency, SELLER)
            code = news_code(broadcasts.preview(conn, owner, "Hello", "en", s.settings))
            broadcasts.confirm(conn, owner, code, "en", s.settings)
        fake_providers.blacklist_numbers = {FANS[0]}
        pump_jobs.pump()
        with s.db.connect() as conn:
            assert dict(conn.execute(select(PE.c.phone, R.c.status).join(PE, PE.c.id == R.c.person_id)).all()) == {
                FANS[0]: "opted_out", FANS[1]: "sent"}
            assert conn.execute(select(BO.c.phone, BO.c.source)).all() == [(FANS[0], "twilio")]
    finally:
        runtime.use(None)


def test_africas_talking_opt_out_notice_stops_broadcasts_and_a_redelivery_is_answered_ok(make_app, fake_providers):
    app = _app(make_app, fake_providers, at_webhook_token="s3cret", **ALWAYS)
    try:
        phones = Phones(app, fake_providers)
        phones.path = "/sms/africastalking?token=s3cret"
        client = phones.client
        shop = shop_of(app, SELLER)
        for fan in FANS:
            phones.sms(fan, f"FOLLOW {shop}")
        notice = {"senderId": "SOKO", "phoneNumber": "0" + FANS[1][4:]}  # AT may send it local
        assert client.post("/sms/africastalking/optout", data=notice).status_code == 403  # no token
        assert client.post("/sms/africastalking/optout?token=wrong", data=notice).status_code == 403
        with phones.s.db.connect() as conn:
            assert conn.execute(select(BO.c.phone)).all() == []
        for _ in range(2):  # AT redelivers when unsure: the second changes nothing and is still 200
            res = client.post("/sms/africastalking/optout?token=s3cret", data=notice)
            assert (res.status_code, res.get_data(as_text=True)) == (200, "OK\n")
        res = client.post("/sms/africastalking/optout?token=s3cret", data={"senderId": "SOKO", "phoneNumber": "SOKO"})
        assert (res.status_code, res.get_data(as_text=True)) == (400, "phoneNumber is not a valid phone number\n")
        with phones.s.db.connect() as conn:
            assert conn.execute(select(BO.c.phone, BO.c.source)).all() == [(FANS[1], "africastalking opt-out")]
        code = news_code(phones.sms(SELLER, "NEWS Scarves are back"))
        phones.sms(SELLER, f"YES {code}")
        phones.work()
        assert phones.news(FANS[1]) == []
        assert [m.split("\n")[0] for m in phones.news(FANS[0])] == ["Scarves are back"]
        assert phones.sms(SELLER, f"REPORT {code}").endswith("sent 2, delivered 0, failed 0, opted out 0, waiting 0.")
    finally:
        runtime.use(None)


def test_a_transactional_sms_refused_as_blacklisted_stops_broadcasts_to_that_number(phones):
    shop = shop_of(phones.app, SELLER)
    for fan in FANS:
        phones.sms(fan, f"FOLLOW {shop}")
    phones.work()  # the follow confirmations go out
    phones.fake.blacklist_numbers = {FANS[2]}
    phones.sms(FANS[2], "HELP")
    phones.work()
    with phones.s.db.connect() as conn:
        assert conn.execute(select(BO.c.phone, BO.c.source)).all() == [(FANS[2], "africastalking")]
    phones.fake.blacklist_numbers = set()  # even were the provider to take it now: not offered
    code = news_code(phones.sms(SELLER, "NEWS Scarves are back"))
    phones.sms(SELLER, f"YES {code}")
    phones.work()
    assert phones.news(FANS[2]) == []
    assert [m.split("\n")[0] for m in phones.news(FANS[0])] == ["Scarves are back"]


# -- a seller's day --------------------------------------------------------------------------------

def test_sales_tells_today_and_this_week_and_sent_takes_several_orders(phones):
    db = phones.s.db
    assert phones.sms(SELLER, "SALES") == ("Today: 0 orders, 0 items, KES 0. This week: 0 orders, 0 items, KES 0.")
    first, second = place(db, quantity=2), place(db, quantity=3, product="Rice 1kg")
    today = phones.sms(SELLER, "mauzo")
    assert today == ("Today: 2 orders, 5 items, KES 930. This week: 2 orders, 5 items, KES 930.")
    # Both are unpaid cash orders: SENT of both names each refusal; paid ones go through together.
    from sqlalchemy import update

    from commerce.models import Order

    reply = phones.sms(SELLER, f"SENT {first.code} {second.code}")
    assert reply.count("is not paid yet") == 2
    with db.begin() as conn:
        conn.execute(update(Order.__table__).where(Order.__table__.c.code.in_([first.code, second.code]))
                     .values(status="paid", paid_minor=Order.__table__.c.total_minor))
    assert phones.sms(SELLER, f"SENT {first.code} {second.code} {first.code}") == (
        f"Marked sent: {first.code}, {second.code}. Buyers and agents are told.")
    third = place(db)
    unknown, typo = codes.with_check("123456"), codes.with_check("123")[:-1] + str((int(codes.with_check("123")[-1]) + 1) % 10)
    assert phones.sms(SELLER, f"SENT {third.code} {unknown} {typo}") == (
        f"Order {third.code} is not paid yet (KES 360 due). Send it only when we tell you it is paid. There is no "
        f"order {unknown} for you. Check the code and send again. {typo} is not an order code. Check the digits and "
        "send again.")
    assert phones.sms(SELLER, f"IMETUMWA {third.code}").startswith(f"Order {third.code} is not paid yet")


# -- the operator's view ---------------------------------------------------------------------------

def test_admin_shows_broadcasts_with_their_counts_and_a_follower_growth_chart(make_app, fake_providers):
    from tests.conftest import ADMIN_TOKEN

    app = _app(make_app, fake_providers, admin_token=ADMIN_TOKEN, **ALWAYS)
    try:
        phones = Phones(app, fake_providers)
        shop = shop_of(app, SELLER)
        for fan in FANS:
            phones.sms(fan, f"FOLLOW {shop}")
        phones.sms(FANS[2], f"STOP {shop}")
        phones.work()  # the confirmations go out before the number is refused
        fake_providers.blacklist_numbers = {FANS[1]}
        code = news_code(phones.sms(SELLER, "NEWS Market day"))
        phones.sms(SELLER, f"YES {code}")
        phones.work()

        api = app.test_client()
        auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        body = api.get(f"/admin/api/broadcasts?seller={shop}&days=7", headers=auth).get_json()
        [b] = body["broadcasts"]
        assert (b["code"], b["shop"], b["shop_code"], b["status"], b["followers"], b["recipients"]) == (
            code, "Mama Njeri Shop", shop, "done", 2, 2)
        assert {k: b["counts"][k] for k in ("sent", "delivered", "failed", "opted_out", "waiting")} == {
            "sent": 1, "delivered": 0, "failed": 0, "opted_out": 1, "waiting": 0}
        assert body["sellers"] == [{"id": codes.seller_id_from_code(shop), "shop": "Mama Njeri Shop", "code": shop,
                                    "followers": 2}]
        assert [p["amount_minor"] for p in body["followers_per_day"]] == [0] * 6 + [2]  # 3 followed today, 1 left
        assert api.get("/admin/api/broadcasts?seller=abc", headers=auth).status_code == 400

        browser = app.test_client()
        browser.post("/admin/login", data={"token": ADMIN_TOKEN, "next": "/admin"})
        page = browser.get("/admin/broadcasts").get_data(as_text=True)
        assert code in page and "Market day" in page and "Followers of Mama Njeri Shop" in page
        assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in page and "Followers at the end of each day" in page
    finally:
        runtime.use(None)
