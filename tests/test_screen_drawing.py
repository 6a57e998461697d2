"""What every USSD screen satisfies, whatever a screen renders (any header, labels with GSM-7
extension, non-GSM and astral characters, hint, budget, language, paged or not), stated as the
rules of menus/engine.py and checked on the engine's drawing and navigation with no Redis:

* it fits the budget: GSM-7 septets (extension characters two each) up to USSD_MAX_CHARS, or UCS-2
  units up to half of it and never more than 80 when one character is not GSM-7;
* it shows the list's items in order from the frame's offset, at most 9; a screen that is not paged
  keeps every option (labels may be shortened), a paged one shows at least one and moves the rest
  to the next page, and only what would not have fitted;
* options (a label cut only with "..") and the navigation line (`98 More` when the list goes on,
  `0 Back 00 Home` when there is somewhere to go back to) are whole and last; the header (the hint
  on top) is what gets cut;
* paging with 98 reaches every item once, in order; 0 walks back page by page; a choice picks the
  item shown under its number.
"""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from commerce import texts
from menus.engine import PAGE_SIZE, Outcome, Screen, State, View, window
from tests import handset
from tests.ussd_budget import assert_fits, screen_cost

BUDGETS = [60, 100, 160, 182]
ALPHABET = "abcdefghij KLMNO 0123.,:'€[]{}^~|\\éñ大米🥭"
labels = st.text(alphabet=ALPHABET, max_size=70)
plain = st.text(alphabet="abcdefghij KLM 0123", min_size=1, max_size=40)
header_lines = st.text(alphabet=ALPHABET + "\n", max_size=70)


@st.composite
def views(draw):
    header = draw(st.lists(st.one_of(plain, header_lines), max_size=3))
    options = draw(st.lists(st.one_of(plain, plain, labels), max_size=12))
    return View(header, options, list(range(100, 100 + len(options))), more=draw(st.booleans()),
                end=draw(st.booleans()) and not options)


def nav(lang: str, more: bool, back: bool) -> str:
    words = ([f"98 {texts.t('more', lang)}"] if more else []) + (
        [f"0 {texts.t('back', lang)}", f"00 {texts.t('home', lang)}"] if back else [])
    return " ".join(words)


def is_cut_of(shown: str, whole: str) -> bool:
    return shown == whole or (shown.endswith("..") and whole.startswith(shown[:-2].rstrip()))


def fits(text: str, max_chars: int) -> bool:
    used, allowed = screen_cost(text, max_chars)
    return used <= allowed


def draw_one(view: View, paged: bool, max_chars: int, lang: str, hint: str | None, back: bool):
    """The screen for `view` on top of the stack, and the state that recorded what it offers."""
    screens = {"L": Screen(lambda ctx, f: View(list(view.header), list(view.options), list(view.keys),
                                               view.more, view.end), paged=paged),
               "H": Screen(lambda ctx, f: View(["Home"]))}
    engine = handset.engine(screens, ["H"], max_chars)
    state = State(1, 0, 0, lang, False, [["H"], ["L", 0]] if back else [["L", 0]], hint)
    return engine.draw(state, handset.Ctx(lang)), state


@settings(max_examples=600, deadline=None)
@given(view=views(), paged=st.booleans(), max_chars=st.sampled_from(BUDGETS),
       lang=st.sampled_from(sorted(texts.LANGUAGES)), hint=st.sampled_from([None, None, "invalid", "too_long"]),
       back=st.booleans())
# Fits exactly without its hint: with it, the hint goes (no room for the header), not the options.
@example(view=View([], ["0", "0", "0", "0", "00", "00000000000"], list(range(6))), paged=False, max_chars=60,
         lang="en", hint="invalid", back=True)
def test_a_screen_keeps_the_rules_of_a_screen(view, paged, max_chars, lang, hint, back):
    screen, state = draw_one(view, paged, max_chars, lang, hint, back)

    assert_fits(screen, max_chars)
    if view.end:
        assert screen.startswith("END ") and state.shown is None
        return
    assert screen.startswith("CON ")

    # The page: the list's first items in order, never more than a keypress each.
    shown = state.shown
    assert shown == view.keys[:len(shown)] and len(shown) <= PAGE_SIZE
    if view.options:
        assert shown, "a page shows at least one option"
    if not paged:
        assert len(shown) == min(len(view.options), PAGE_SIZE)
    assert state.more == (view.more or len(shown) < len(view.options))

    # The options and the navigation, whole and last, whenever they fit with each label at its
    # shortest (8 characters) and a unit to spare, in the encoding the whole screen needs; only a
    # screen they could not fit is cut as a whole.
    footer = nav(lang, state.more, back)
    hint_and_header = ([texts.t(hint, lang)] if hint else []) + view.header
    lines = [f"{i}. {label}" for i, label in enumerate(view.options[:len(shown)], 1)]
    below = [footer] if footer else []
    _, budget = screen_cost("CON " + "\n".join(hint_and_header + lines + below), max_chars)
    shortest = "CON " + "\n".join([line[:3 + 8] for line in lines] + below)
    used = screen_cost(shortest, max_chars)[0] if budget == max_chars else len(shortest.encode("utf-16-le")) // 2
    roomy = used + 1 < budget
    body = screen.removeprefix("CON ").split("\n")
    start = len(body) - len(shown) - len(below)
    tail = body[start:len(body) - len(below)]
    whole = start >= 0 and body[len(body) - len(below):] == below and all(
        line.startswith(f"{n}. ") and is_cut_of(line[len(f"{n}. "):], label)
        for n, (line, label) in enumerate(zip(tail, view.options, strict=False), 1))
    if roomy:
        assert whole, screen
    if not whole:
        assert screen.endswith(".."), screen  # cut as a whole: the last guard of the budget
        return

    # The header (the hint on top of it) is whole, cut with "..", or left out for the options.
    top = "\n".join(body[:start])
    header = "\n".join(hint_and_header)
    assert top == "" or is_cut_of(top, header), (top, header)

    # A paged list moves to the next page only what would not have fitted beside the whole header
    # and the whole navigation line (a page is the same wherever the user came from).
    if paged and len(shown) < min(len(view.options), PAGE_SIZE):
        lines = [f"{i}. {label}" for i, label in enumerate(view.options[:len(shown) + 1], 1)]
        fuller = "CON " + "\n".join([*view.header, *lines, nav(lang, True, True)])
        assert not fits(fuller + " ", max_chars), fuller  # (within one unit: an empty header's newline)


def list_engine(items: list[str], max_chars: int, header: list[str]):
    def render(ctx, f):
        part, more = window(items, f[-1])
        return View(list(header), part, list(range(f[-1], f[-1] + len(part))), more)

    def handle(ctx, f, choice, view):
        picked = view.chosen(choice)
        return Outcome(end=["E", picked]) if picked is not None else Outcome(invalid="invalid")

    screens = {"H": Screen(lambda ctx, f: View(["Home"], ["List"], ["L"]),
                           lambda ctx, f, choice, view: Outcome(push=["L", 0]) if view.chosen(choice) else
                           Outcome(invalid="invalid")),
               "L": Screen(render, handle, paged=True),
               "E": Screen(lambda ctx, f: View([f"Item {f[1]}"], end=True))}
    return handset.engine(screens, ["H"], max_chars)


@settings(max_examples=150, deadline=None)
@given(items=st.lists(st.one_of(plain, labels.filter(str.strip)), min_size=1, max_size=40),
       header=st.lists(st.one_of(plain, labels), max_size=2), max_chars=st.sampled_from(BUDGETS[1:]),
       pick=st.integers(0, 8))
def test_paging_with_98_reaches_every_item_once_and_0_walks_back(items, header, max_chars, pick):
    phone = handset.Handset(list_engine(items, max_chars, header))
    phone.dial()
    pages = [phone.send("1")]
    offsets = [0]
    seen: list[int] = []
    while True:
        assert_fits(pages[-1], max_chars)
        shown = phone.state.shown
        assert shown, pages[-1]
        seen += shown
        if not phone.state.more:
            assert pages[-1].endswith("\n" + nav("en", False, True))
            break
        assert pages[-1].endswith("\n" + nav("en", True, True))
        offsets.append(offsets[-1] + len(shown))
        pages.append(phone.send("98"))
    assert seen == list(range(len(items)))  # every item, once, in order, whatever was cut

    for page in reversed(pages[:-1]):  # back page by page, the same screens as on the way
        assert phone.send("0") == page
    last = len(pages) - 1
    for _ in range(last):
        phone.send("98")
    n = min(pick, len(phone.state.shown) - 1)  # a choice on the last page picks that page's item
    assert phone.send(str(n + 1)) == f"END Item {offsets[last] + n}"
