"""The screen's drawing (fitting options, paging, shortening labels, cutting the header) gives
the same screens as the rules did when written plainly, each step composing and measuring the
whole screen again (the reference below, kept verbatim from the engine before it was made to build
and measure each line once). Any header, labels, GSM-7 extension or non-GSM characters, emoji,
hint, budget and language."""

from __future__ import annotations

from dataclasses import dataclass

import redis
from hypothesis import given, settings
from hypothesis import strategies as st

from commerce import texts
from commerce.gsm import cut, gsm_units, is_gsm, ucs2_units
from menus.engine import PAGE_SIZE, Engine, Frame, Screen, State, View


class Reference(Engine):
    """The drawing functions as first written (menus/engine.py before the one-pass layout)."""

    def _page(self, ctx, frame: Frame) -> View:
        """Render `frame` and fit its options on one screen. A paged list moves the options that do
        not fit to the next page (`more`); other screens keep every option, shortening labels."""
        screen = self.screens[frame[0]]
        view = screen.render(ctx, frame)
        if view.end or not view.options:
            return view
        options = view.options[:PAGE_SIZE]
        more = view.more or len(view.options) > len(options)
        header = "\n".join(view.header)
        if self._fits(self._compose("CON ", header, self._tail(ctx, options, more, True))):
            if len(options) == len(view.options):
                return view  # the usual screen: everything fits as it is
        else:
            if screen.paged:
                options, more = self._fill(ctx, header, options, more)
            options = self._shorten(ctx, options, more, header)
        return View(view.header, options, view.keys[:len(options)], more, view.end, view.free_text)

    def _fill(self, ctx, header: str, options: list[str], more: bool) -> tuple[list[str], bool]:
        """The most options of a paged list that fit beside the header and navigation (at least
        one), measured line by line in one pass; the rest go to the next page."""
        nav = self._tail(ctx, [], True, True)
        lines = [f"\n{i}. {label}" for i, label in enumerate(options, 1)]
        head, tail = "CON " + header, "\n" + nav
        gsm_ok = is_gsm(head) and is_gsm(tail)
        base_gsm, base_ucs = (gsm_units(head) + gsm_units(tail) if gsm_ok else 0), ucs2_units(head + tail)
        used_gsm, used_ucs, best = base_gsm, base_ucs, 1
        for n, line in enumerate(lines, 1):
            gsm_ok = gsm_ok and is_gsm(line)
            used_gsm += gsm_units(line) if gsm_ok else 0
            used_ucs += ucs2_units(line)
            # One non-GSM character anywhere makes the whole screen UCS-2 (and the budget 80).
            fits = (used_gsm <= self.max_chars) if gsm_ok else (used_ucs <= min(80, self.max_chars // 2))
            if not fits:
                break
            best = n
        if best < len(options):
            return options[:best], True
        return options, more

    def _shorten(self, ctx, options: list[str], more: bool, header: str) -> list[str]:
        """Cut the longest labels until the options and navigation fit with room for the header
        (or its first few words: the header is what _fit cuts)."""
        options = list(options)
        while True:
            tail = self._tail(ctx, options, more, True)
            whole = self._compose("CON ", header, tail)
            _, budget = self._budget(whole)
            measure = gsm_units if is_gsm(whole) else ucs2_units
            header_units = measure("\n" + header) if header else 0
            if measure("CON " + tail) + min(header_units, self.HEADER_ROOM) <= budget:
                return options
            longest = max(range(len(options)), key=lambda i: len(options[i]))
            if len(options[longest]) <= self.MIN_LABEL:
                return options  # nothing left to cut; _fit is the last guard
            options[longest] = cut(options[longest], max(self.MIN_LABEL, len(options[longest]) - 4))

    def _show(self, state: State, ctx) -> str:
        ctx.lang = state.lang
        frame = state.frames[-1]
        view = self._page(ctx, frame)
        state.shown, state.more = (None, False) if view.end else (list(view.keys), view.more)
        header = list(view.header)
        if state.hint:
            header.insert(0, texts.t(state.hint, state.lang))
        if view.end:
            return self._fit("END ", "\n".join(header), "")
        back = len(state.frames) > 1
        return self._fit("CON ", "\n".join(header), self._tail(ctx, view.options, view.more, back))

    @staticmethod
    def _compose(prefix: str, header: str, tail: str) -> str:
        return prefix + "\n".join(part for part in (header, tail) if part)

    @staticmethod
    def _tail(ctx, options: list[str], more: bool, back: bool) -> str:
        lines = [f"{i}. {label}" for i, label in enumerate(options, 1)]
        nav = []
        if more:
            nav.append(f"98 {texts.t('more', ctx.lang)}")
        if back:
            nav.append(f"0 {texts.t('back', ctx.lang)}")
            nav.append(f"00 {texts.t('home', ctx.lang)}")
        if nav:
            lines.append(" ".join(nav))
        return "\n".join(lines)

    def _budget(self, text: str) -> tuple[int, int]:
        if is_gsm(text):
            return gsm_units(text), self.max_chars
        return ucs2_units(text), min(80, self.max_chars // 2)

    def _fits(self, text: str) -> bool:
        used, budget = self._budget(text)
        return used <= budget

    def _fit(self, prefix: str, header: str, tail: str) -> str:
        """The last guard of the budget: cut the header, keep the options and navigation whole."""
        text = self._compose(prefix, header, tail)
        used, budget = self._budget(text)
        if used <= budget:
            return text
        # Measure in the encoding the whole screen needs (one non-GSM character makes it UCS-2).
        measure = gsm_units if is_gsm(text) else ucs2_units
        room = budget - measure(prefix) - (measure(tail) + 1 if tail else 0)
        if room > 0:
            shorter = self._compose(prefix, cut(header, room), tail)
            if self._fits(shorter):
                return shorter
        return cut(text, budget)


@dataclass
class _Ctx:
    lang: str = "en"

    def close(self):
        pass


ALPHABET = "abcdefghij KLMNO 0123.,:'\n€[]{}^~|\\éñ大米🥭"
labels = st.text(alphabet=ALPHABET, max_size=70)
plain = st.text(alphabet="abcdefghij KLM 0123", min_size=1, max_size=40)


@st.composite
def views(draw):
    header = draw(st.lists(st.one_of(plain, labels), max_size=3))
    options = draw(st.lists(st.one_of(plain, plain, labels), max_size=12))
    return View(header, options, list(range(100, 100 + len(options))), more=draw(st.booleans()),
                end=draw(st.booleans()) and not options)


def _engines(redis_url, view: View, paged: bool, max_chars: int) -> tuple[Engine, Engine]:
    screens = {"L": Screen(lambda ctx, f: View(list(view.header), list(view.options), list(view.keys),
                                               view.more, view.end), paged=paged),
               "H": Screen(lambda ctx, f: View(["Home"]))}
    conn = redis.Redis.from_url(redis_url)
    made = [cls(conn, screens, ["H"], max_chars=max_chars, ttl_seconds=60,
                context_factory=lambda phone, lang, hop: _Ctx(lang)) for cls in (Reference, Engine)]
    return made[0], made[1]


@settings(max_examples=400, deadline=None)
@given(view=views(), paged=st.booleans(), max_chars=st.sampled_from([60, 100, 160, 182]),
       lang=st.sampled_from(["en", "sw", "zh"]), hint=st.sampled_from([None, None, "invalid", "too_long"]),
       back=st.booleans(), offset=st.sampled_from([0, 0, 5]))
def test_drawing_gives_the_screens_of_the_plain_rules(redis_url, view, paged, max_chars, lang, hint, back, offset):
    reference, engine = _engines(redis_url, view, paged, max_chars)
    frame: Frame = ["L", offset]
    frames = [["H"], frame] if back else [frame]
    states = [State(1, 0, 0, lang, False, [list(f) for f in frames], hint) for _ in range(2)]
    expected = reference._show(states[0], _Ctx(lang))
    got = engine._show(states[1], _Ctx(lang))
    assert got == expected
    assert (states[1].shown, states[1].more) == (states[0].shown, states[0].more)
    page, ref_page = engine._page(_Ctx(lang), frame), reference._page(_Ctx(lang), frame)
    assert (page.options, page.keys, page.more, page.end) == (ref_page.options, ref_page.keys, ref_page.more,
                                                              ref_page.end)
    assert len(page.options) <= PAGE_SIZE
