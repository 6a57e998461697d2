"""The USSD engine's rules, one by one: back, home, more, the character budget, hints, state in Redis,
resume, input relative to the previous hop, and redelivery. Through HTTP on the real Redis-protocol
server and database, unless a rule is the engine's alone (paging a synthetic list: no Redis)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from commerce import catalog, codes, people, texts
from commerce.models import Category, Order, Product
from menus.engine import Outcome, Screen, State, View, session_key, window
from tests import handset
from tests.conftest import UssdSession
from tests.ussd_budget import assert_fits, options, screen_cost


def soko(app):
    return app.extensions["soko"]


def session_keys(app) -> list[bytes]:
    return list(soko(app).redis.scan_iter("u:*"))  # sessions; soko:catalog is the cache token


# -- back, home, invalid input ---------------------------------------------------------------------

def test_zero_goes_back_one_screen_and_double_zero_goes_home(seeded, ussd):
    s = ussd()
    home = s.dial()
    cats = s.send("1")
    listing = s.send("1")
    assert "Maize flour 2kg" in listing
    assert s.send("0") == cats
    assert s.send("0") == home
    s.send("1")
    s.send("1")
    s.send("1")  # a product
    assert s.send("00") == home
    assert "0 Back" not in home  # nowhere to go back to from the first screen


def test_zero_on_the_first_screen_is_an_invalid_choice_not_a_crash(seeded, ussd):
    s = ussd()
    home = s.dial()
    again = s.send("0")
    assert again.startswith("CON Invalid choice, try again.")
    assert again.endswith(home[len("CON "):])


@pytest.mark.parametrize("typed", ["7", "x", "", " ", "１", "99", "-1", "1.5", "98"])
def test_invalid_input_shows_the_same_screen_with_a_short_hint(seeded, ussd, typed):
    s = ussd()
    s.dial()
    cats = s.send("1")
    again = s.send(typed)
    hint, rest = again[len("CON "):].split("\n", 1)
    assert hint == "Invalid choice, try again."
    assert rest == cats[len("CON "):]
    assert s.send("1").startswith("CON Food:")  # and the screen still works


def test_bad_quantity_hint_then_a_good_one(seeded, ussd):
    s = ussd()
    s.dial()
    for step in ("1", "1", "1", "1"):
        s.send(step)
    assert s.last.startswith("CON How many? (1-99)")
    for bad in ("100", "two", "2*3", "٣", "-1"):
        again = s.send(bad)
        assert again.startswith("CON Enter a number in the range shown.\nHow many? (1-99)"), again
    assert s.send("3").startswith("CON Pickup point:")


HINT_WALK = st.lists(st.one_of(
    st.sampled_from(["0", "00", "98", "1", "2", "3", "4", "9", "100", "x", "rice", "zzqx", "1234567"]),
    st.text(alphabet="0123456789*ab ", max_size=8), st.text(alphabet="ab1", min_size=81, max_size=90)),
    max_size=8)
_hint_walks = iter(range(10**9))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lang=st.sampled_from(sorted(texts.LANGUAGES)), typed=HINT_WALK)
@example(lang="sw", typed=["2", "x"])  # a search with no word in it
@example(lang="zh", typed=["2", "zzqx"])  # a search that finds nothing
@example(lang="sw", typed=["2", "1234567"])  # a code that is no product's
@example(lang="zh", typed=["1", "1", "1", "1", "100"])  # a quantity out of range
@example(lang="sw", typed=["a" * 81])  # over-long input
@example(lang="zh", typed=["7"])  # no such option
def test_every_hint_a_screen_gives_has_words_in_every_language(seeded, ussd, lang, typed):
    """Whatever is typed on whichever screen, a refused input's hint (kept in the session) has words,
    without placeholders, in every language, and the screen shows it on top in the user's."""
    phone = "+254712345678"
    with soko(seeded).db.begin() as conn:
        people.set_language(conn, phone, lang)
    s = ussd(phone=phone, session_id=f"hints-{next(_hint_walks)}")
    s.dial()
    for value in typed:
        answer = s.send(value)
        state = State.decode(soko(seeded).redis.get(session_key(phone)))
        if state.hint is None:
            continue
        for language in texts.LANGUAGES:
            words = texts.t(state.hint, language)
            assert words.strip() and "{" not in words, (state.hint, language)
        shown = answer.removeprefix("CON ").split("\n", 1)[0]
        hint = texts.t(state.hint, state.lang)
        assert shown == hint or (shown.endswith("..") and hint.startswith(shown[:-2].rstrip())), (answer, hint)
        if answer.startswith("END"):
            break


# -- paging ---------------------------------------------------------------------------------------

def _add_category(app, name, products, *, seller_phone="+254711000009", shop="Duka [Bora] €",
                  stock=5, price_minor=12300):
    with soko(app).db.begin() as conn:
        position = conn.execute(select(func.count()).select_from(Category.__table__)).scalar()
        cid = conn.execute(Category.__table__.insert().values(name=name, position=position)).inserted_primary_key[0]
        seller = people.add_seller(conn, seller_phone, shop)
        ids = [catalog.add_product(conn, seller, cid, p, price_minor, "KES", stock) for p in products]
    return cid, ids


def _walk_pages(s, first: str, max_chars: int) -> list[str]:
    """Every option label of a paged list, following `98` until the list ends."""
    labels, screen, pages = [], first, 0
    while True:
        assert_fits(screen, max_chars)
        labels += list(options(screen).values())
        pages += 1
        assert pages < 50
        if "98 " not in screen:
            return labels
        screen = s.send("98")


LONG_NAMES = [f"Item {i:02d} " + ("long name " * (i % 4)) + ("[x]" if i % 5 == 0 else "") for i in range(37)]


@pytest.mark.parametrize("max_chars", [100, 160, 182])
def test_a_long_product_list_pages_and_the_pages_list_every_item_once(make_app, max_chars):
    app = make_app(ussd_max_chars=max_chars)
    _add_category(app, "Many", LONG_NAMES)
    with soko(app).db.begin() as conn:
        people.add_agent(conn, "+254722000199", "Agent", "Village")
    s = UssdSession(app.test_client(), "+254712345678")
    s.dial()
    cats = s.send("1")
    assert options(cats) == {"1": "Many"}
    labels = _walk_pages(s, s.send("1"), max_chars)
    names = [re.sub(r" KES 123$", "", label) for label in labels]
    assert names == LONG_NAMES  # in order, each once, nothing dropped between pages


@pytest.mark.parametrize("max_chars", [100, 160])
def test_the_pickup_list_pages_too(make_app, max_chars):
    app = make_app(ussd_max_chars=max_chars)
    _add_category(app, "Food", ["Rice 1kg"])
    villages = [f"Village {i:02d} {'Ndogo ' * (i % 3)}".strip() for i in range(23)]
    with soko(app).db.begin() as conn:
        for i, v in enumerate(villages):
            people.add_agent(conn, f"+2547220002{i:02d}", f"Agent {i}", v)
    s = UssdSession(app.test_client(), "+254712345678")
    s.dial()
    for step in ("1", "1", "1", "1"):
        s.send(step)
    first = s.send("2")
    assert first.startswith("CON Pickup point:")
    labels = _walk_pages(s, first, max_chars)
    assert [label.split(" (Agent")[0] for label in labels] == sorted(villages)
    # `0` walks back page by page, and a choice on a later page picks that page's item.
    s.send("0")
    assert options(s.send("1"))  # a later page's first village was chosen: the payment screen
    # (its question shortened to fit the smallest budgets: five ways to pay take the room)
    assert s.last.startswith("CON How will yo") and "1. Mobile money" in s.last


def _list_engine(items, max_chars):
    def render(ctx, f):
        part, more = window(items, f[-1])
        return View(["Pick one:"], part, part, more)

    def handle(ctx, f, choice, view):
        picked = view.chosen(choice)
        return Outcome(end=["E", picked]) if picked else Outcome(invalid="invalid")

    screens = {"H": Screen(render, handle, paged=True),
               "E": Screen(lambda ctx, f: View([f"You chose {f[1]}"], end=True))}
    return handset.engine(screens, ["H", 0], max_chars)


@pytest.mark.parametrize("max_chars", [60, 100, 160, 182])
def test_engine_pages_any_list_to_the_budget(max_chars):
    """Labels of every length, GSM extension characters (two units each) and one UCS-2 label."""
    items = [("€" * (i % 7)) + f"thing {i} " + "x" * (i * 7 % 45) + "[]" * (i % 3) for i in range(40)]
    if max_chars >= 100:  # 60 GSM characters leave 30 UCS-2 units: too few for any label and "98 More"
        items[17] = "大米 五公斤"
    phone = handset.Handset(_list_engine(items, max_chars))
    answer, seen, pages = phone.dial(), [], 0
    while True:
        assert_fits(answer, max_chars)
        last_page = list(options(answer).values())
        seen += last_page
        pages += 1
        if "98 More" not in answer:
            break
        answer = phone.send("98")
    assert len(seen) == len(items) and pages > 4
    for label, item in zip(seen, items, strict=True):
        # a label too long for any screen is cut with "..", never dropped or repeated
        assert label == item or (label.endswith("..") and item.startswith(label[:-2].rstrip()))
    # choosing on the last page picks the item shown there
    answer = phone.send("1")
    assert answer.startswith("END You chose " + last_page[0].removesuffix(".."))


# -- the character budget -------------------------------------------------------------------------

HOSTILE = [
    "Sufuria {large} [steel] pot with lid €€ and a long name, 60c",
    "大米五公斤",
    "Mango juice 🥭 1L",
    "Plain soap",
]


@pytest.mark.parametrize("max_chars", [100, 160, 182])
@pytest.mark.parametrize("lang", ["en", "sw", "zh"])
def test_every_screen_of_the_journey_fits_the_budget(make_app, max_chars, lang):
    app = make_app(ussd_max_chars=max_chars, shop_name="Soko [Kijiji] € Market")
    _, ids = _add_category(app, "Vitu {maalum} [€]", HOSTILE, shop="Mama {Njeri} [Best] Shop €€€ Ltd")
    with soko(app).db.begin() as conn:
        for i in range(12):
            people.add_agent(conn, f"+2547220003{i:02d}", f"Agent [{i}] €", f"Kijiji {i} cha Mlima Mrefu Sana")
        people.set_language(conn, "+254712345678", lang)
    for n, pid in enumerate(ids, 1):
        s = UssdSession(app.test_client(), "+254712345678", session_id=f"budget-{n}")
        screens = [s.dial(), s.send("1"), s.send("1"), s.send("00")]  # the shop's screens too
        for step in ("2", codes.product_code(pid), "1", "2"):  # search, by code, buy, quantity 2
            screens.append(s.send(step))
        screens.append(s.send("98"))  # the pickup list's second page
        screens.append(s.send("0"))
        screens.append(s.send("1"))  # pickup
        screens.append(s.send("2"))  # cash
        screens.append(s.send("x"))  # an invalid choice on the summary: hint + summary
        screens.append(s.send("1"))  # confirm
        for screen in screens:
            assert_fits(screen, max_chars)
        assert screens[-1].startswith("END "), screens[-1]
        code = re.search(r"\d{7,}", screens[-1])
        assert code and codes.is_valid(code.group()), screens[-1]
        # the product screen still offers Buy and the way back, whatever the name did to the header
        assert "\n1. " in screens[5] and "00 " in screens[5], screens[5]
        # the summary keeps both its choices on one screen (Cancel is not pushed to a page that
        # does not exist), even with the hint above it
        assert "\n1. " in screens[-2] and "\n2. " in screens[-2] and "98 " not in screens[-2], screens[-2]


def test_a_screen_with_any_non_gsm_character_gets_the_ucs2_budget(make_app):
    app = make_app(ussd_max_chars=182)
    _add_category(app, "Food", ["Mango 🥭 " + "sweet " * 8])  # 56 characters: names are 60 at most
    with soko(app).db.begin() as conn:
        people.add_agent(conn, "+254722000199", "Agent", "Village")
    s = UssdSession(app.test_client(), "+254712345678")
    s.dial()
    s.send("1")
    listing = s.send("1")
    product = s.send("1")
    for screen in (listing, product):
        used, allowed = screen_cost(screen, 182)
        assert allowed == 80 and used <= 80, screen


# -- state in Redis ---------------------------------------------------------------------------------

def test_session_state_lives_in_redis_with_a_ttl_and_is_small(seeded, ussd):
    s = ussd()
    s.dial()
    for step in ("1", "1", "98", "1"):
        s.send(step)
    keys = session_keys(seeded)
    assert len(keys) == 1 and b"254712345678" in keys[0]
    r = soko(seeded).redis
    ttl = r.ttl(keys[0])
    assert 0 < ttl <= soko(seeded).settings.session_ttl_seconds
    assert r.strlen(keys[0]) < 200  # a small blob, not a pickled screen
    assert r.memory_usage(keys[0]) < 512


def test_a_lost_session_key_starts_again_at_home(seeded, ussd):
    s = ussd()
    home = s.dial()
    s.send("1")
    s.send("1")
    soko(seeded).redis.delete(*session_keys(seeded))
    fresh = ussd(session_id="ATUid_after_loss")
    assert fresh.dial() == home


# -- resume ---------------------------------------------------------------------------------------

def _to_pickup(s):
    s.dial()
    for step in ("1", "1", "2", "1", "3"):  # shop, food, rice, buy, 3
        s.send(step)
    assert s.last.startswith("CON Pickup point:")
    return s.last


def test_a_dropped_session_can_be_resumed_where_it_stopped(seeded, ussd):
    pickup = _to_pickup(ussd(session_id="first"))
    again = ussd(session_id="second")
    offer = again.dial()
    assert offer.startswith("CON Welcome back.")
    assert options(offer) == {"1": "Continue where you left off", "2": "Start again"}
    assert again.send("1") == pickup
    assert again.send("1").startswith("CON How will you pay?")
    assert "3 x Rice 1kg" in again.send("2")


def test_start_again_goes_home(seeded, ussd):
    _to_pickup(ussd(session_id="first"))
    again = ussd(session_id="second")
    again.dial()
    assert again.send("2").startswith("CON Welcome to Soko")


def test_dropped_again_on_the_offer_still_offers_the_same_place(seeded, ussd):
    pickup = _to_pickup(ussd(session_id="first"))
    offer = ussd(session_id="second").dial()
    third = ussd(session_id="third")
    assert third.dial() == offer
    assert third.send("1") == pickup


def test_no_offer_after_a_finished_session_or_after_the_ttl(seeded, ussd):
    s = ussd(session_id="first")
    _to_pickup(s)
    s.send("1")
    s.send("2")
    code = s.send("1").split()[2]
    # No offer to continue; the order of a minute ago is named first (tests/test_order_found.py).
    assert ussd(session_id="second").dial().startswith(f"CON Your order {code} was placed.\nWelcome to Soko")

    _to_pickup(ussd(session_id="third"))
    r = soko(seeded).redis
    for key in session_keys(seeded):
        r.delete(key)  # what the TTL does when it runs out
    assert ussd(session_id="fourth").dial().startswith(f"CON Your order {code} was placed.\nWelcome to Soko")


def test_another_phone_is_not_offered_someone_elses_session(seeded, ussd):
    _to_pickup(ussd(phone="+254712345678", session_id="first"))
    assert ussd(phone="+254712000111", session_id="other").dial().startswith("CON Welcome to Soko")


# -- input relative to the previous hop -----------------------------------------------------------

def test_a_star_typed_in_a_search_is_part_of_the_search(seeded, ussd):
    s = ussd()
    s.dial()
    s.send("2")
    results = s.send("rice*2")
    assert results.startswith("CON Results for 'rice*2':")
    assert "1. Rice 1kg KES 190" in results
    assert s.send("1").startswith("CON Rice 1kg")


def test_a_star_in_a_quantity_is_refused_not_split(seeded, ussd):
    s = ussd()
    s.dial()
    for step in ("1", "1", "1", "1"):
        s.send(step)
    assert s.send("1*2").startswith("CON Enter a number in the range shown.")


def test_input_after_a_prefix_dialled_with_the_code_is_read_from_the_next_hop(seeded, ussd):
    """`*384*123*5#` arrives as text "5" on the first hop: no menu 5, so home with a hint; the
    menus read the next input after it."""
    s = ussd()
    res = s.post("5")
    assert res.get_data(as_text=True).startswith("CON That code is not valid: choose from the menu.\nWelcome to Soko")
    assert s.post("5*1").get_data(as_text=True).startswith("CON Choose a category:")


# -- redelivery -----------------------------------------------------------------------------------

def test_a_redelivered_hop_answers_the_same_screen_and_moves_nothing(seeded, ussd):
    s = ussd()
    s.dial()
    assert s.resend() == s.last
    cats = s.send("1")
    assert s.resend() == cats
    page1 = s.send("1")
    page2 = s.send("98")
    assert s.resend() == page2 and s.resend() == page2  # not a third page
    assert s.send("0") == page1
    assert s.resend() == page1  # not back twice
    assert s.send("0") == cats


def test_a_redelivered_confirm_places_exactly_one_order(seeded, ussd):
    s = ussd()
    _to_pickup(s)
    s.send("1")
    s.send("3")  # pay on delivery
    done = s.send("1")
    assert done.startswith("END Order ")
    assert s.resend() == done
    assert s.resend() == done
    db = soko(seeded).db
    with db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Order.__table__)).scalar() == 1
        stock = conn.execute(select(Product.__table__.c.stock).where(Product.__table__.c.name == "Rice 1kg")).scalar()
    assert stock == 80 - 3


def test_a_hop_after_the_end_is_told_the_session_ended(seeded, ussd):
    s = ussd()
    s.dial()
    s.send("1")
    s.send("1")
    s.send("1")
    s.send("1")
    s.send("1")
    s.send("1")
    s.send("2")
    s.send("2")  # cancel on the summary: END
    assert s.last.startswith("END Nothing was ordered.")
    assert s.send("1").startswith("END This session has ended.")
