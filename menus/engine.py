"""The USSD engine: session state in Redis, navigation, paging, replay, resume.

A screen is a pair of pure-ish functions (see menus/screens.py): `render(ctx, frame) -> View` and
`handle(ctx, frame, choice) -> Outcome`. The engine does everything else, once, for every screen:

* State is one small JSON list per phone under `u:<digits>` with a TTL: a hash of the provider's
  session id, the length and CRC of the last `text` (so the new input is read relative to the
  previous hop and a typed `*` is not taken for a separator), the language, and the stack of
  frames (`0` pops it, `00` clears it, `98` pushes the next page of a list).
* A hop costs one Redis read and one write (a redelivered hop only the read), on one pooled
  connection (fast/redis_hop.py); writes a screen leaves for the end of the hop (a new order's push)
  go in the same round trip as the session's. The screens add the database queries they need.
  The input is read against the keys the last screen offered (kept in the state), so only the
  next screen is drawn.
* A redelivered hop (same session, same text) re-renders the current frame: same screen, no move.
* A new session while an unfinished one exists for the phone offers to continue where it stopped.
* Aggregators other than Africa's Talking send only the latest input (`Hop.latest`): the state is
  the same, with `length` counting the hops and `crc` holding the provider's number of the last
  one (when it numbers hops), so a redelivered hop is seen without a path. Same screens otherwise.
* A dial string with more segments than the service code (`*384*123*100014#`) is a shortcut: its
  segments are read on the screens from home, as if typed (`Hop.shortcut`, or an Africa's Talking
  first hop's `text`).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from commerce import texts
from commerce.gsm import cut, gsm_units, is_gsm, ucs2_units
from fast.redis_hop import HopConnection

Frame = list  # [screen_code, *args]; paged screens keep their offset as the last element

NAV_BACK, NAV_HOME, NAV_MORE = "0", "00", "98"
MAX_INPUT = 80  # Safaricom caps user input at 80 characters; longer input is refused politely
MAX_SHORTCUT = 4  # segments of a dial-string shortcut read at most (*384*123*1*2*3*4#)
PAGE_SIZE = 9  # options per page at most: one keypress each


@dataclass
class View:
    """What a screen shows. `options` start at the frame's offset; `more` says the list goes on."""

    header: list[str]
    options: list[str] = field(default_factory=list)
    keys: list = field(default_factory=list)  # what each option stands for (an id), beside its label
    more: bool = False
    end: bool = False
    free_text: bool = False  # the screen asks for typed text (search, quantity), not a choice

    def chosen(self, choice: str):
        """The key of the option numbered `choice` on this page, or None."""
        if choice.isdigit() and choice.isascii() and 1 <= int(choice) <= len(self.options):
            return self.keys[int(choice) - 1]
        return None


def window(items: list, offset: int) -> tuple[list, bool]:
    """The items of a fully known list from `offset`, and whether some were left for later pages."""
    part = items[offset:offset + PAGE_SIZE]
    return part, len(items) > offset + PAGE_SIZE


@dataclass
class Outcome:
    push: Frame | None = None  # open a new screen on top
    replace: list[Frame] | None = None  # replace the whole stack (e.g. back home after a language change)
    end: Frame | None = None  # finish the session on this (END) screen
    invalid: str | None = None  # text key of a hint; the screen is shown again
    pop: int = 0  # leave this many screens first (then push / end)
    home: bool = False  # back to the session's home screen (the caller's own: an agent's has more)


@dataclass
class Screen:
    render: Callable[[Any, Frame], View]
    handle: Callable[[Any, Frame, str, View], Outcome] | None = None
    paged: bool = False
    zero_is_input: bool = False  # `0` is an answer here (no phone number), not Back


@dataclass
class Hop:
    session_id: str
    phone: str  # E.164
    text: str  # Africa's Talking: the whole path; with `latest`, only this hop's input
    service_code: str = ""
    latest: bool = False  # the aggregator sends only the latest input (Soko keeps the path)
    hop_id: str | None = None  # the aggregator's number of this hop, when it numbers them
    start: bool = False  # the aggregator says this hop opens the session
    shortcut: str = ""  # a latest-input aggregator's dial-string segments past the service code ("100014")


@dataclass
class State:
    sid: int
    length: int  # len of the last text seen
    crc: int  # crc32 of the last text seen
    lang: str
    ended: bool
    frames: list[Frame]
    hint: str | None = None
    # What the top screen offered when last shown: its option keys (what each number stands for)
    # and whether its list goes on. The next input is read against these, so the screen is not
    # drawn again (nor its rows read again) just to know what "2" meant.
    shown: list | None = None
    more: bool = False

    def encode(self) -> bytes:
        """Compact UTF-8 JSON (orjson: the same bytes as the stdlib's json with no spaces and
        ensure_ascii off, for 6-8 % less CPU a hop; fast/__init__.py)."""
        return orjson.dumps([self.sid, self.length, self.crc, self.lang, int(self.ended), self.frames, self.hint,
                             self.shown, int(self.more)])

    @classmethod
    def decode(cls, raw: bytes | str | None) -> State | None:
        if not raw:
            return None
        try:
            sid, length, crc, lang, ended, frames, hint, shown, more = orjson.loads(raw)
            return cls(sid, length, crc, lang, bool(ended), frames, hint, shown, bool(more))
        except (ValueError, TypeError):
            return None  # a damaged blob: start afresh rather than fail the hop

    def offered(self) -> View:
        """The top screen's options as last shown (keys only): every open session records them."""
        return View([], [""] * len(self.shown), self.shown, self.more)


def _nav(lang: str, more: bool, back: bool) -> str:
    """The navigation line: `98 More 0 Back 00 Home`, or part of it ("" for none)."""
    nav = []
    if more:
        nav.append(f"98 {texts.t('more', lang)}")
    if back:
        nav.append(f"0 {texts.t('back', lang)}")
        nav.append(f"00 {texts.t('home', lang)}")
    return " ".join(nav)


def crc(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def session_key(phone: str) -> str:
    return "u:" + phone.lstrip("+")


class Engine:
    """Runs one hop. `context_factory(phone, lang, hop)` builds the object screens receive."""

    def __init__(self, redis, screens: dict[str, Screen], home: Frame, *, max_chars: int,
                 ttl_seconds: int, context_factory, resume_frame: Frame | None = None,
                 initial_language: Callable[[Any], str] | None = None, version_key: str | None = None,
                 home_for: Callable[[Any], Frame] | None = None):
        self.redis = redis
        self.version_key = version_key  # read with the session; the context gets it (cache token)
        self.screens = screens
        self.home = home
        self.max_chars = max_chars
        self.ttl = ttl_seconds
        self.context_factory = context_factory
        self.resume_frame = resume_frame
        # The language of a caller whose last session Redis no longer keeps, from the hop's context
        # (which reads the caller's record once for the whole hop: menus/context.py `on_record`).
        self.initial_language = initial_language or (lambda ctx: "en")
        # The home frame of a fresh session, from the hop's context (an agent's differs): asked on
        # the session's first hop only, then kept as the bottom frame, where `00` goes back to.
        self.home_for = home_for

    # -- the hop ---------------------------------------------------------------------------
    def answer(self, hop: Hop) -> str:
        with HopConnection(self.redis) as io:
            return self._answer(hop, io)

    def _answer(self, hop: Hop, io: HopConnection) -> str:
        key = session_key(hop.phone)
        if self.version_key:  # one round trip for the session and the catalog's change token
            raw, token = io.command("MGET", key, self.version_key)
        else:
            raw, token = io.command("GET", key), None
        saved = State.decode(raw)
        ctx = self._context(hop, saved.lang if saved is not None else "en", token)
        try:
            state, new = self.session(saved, hop, ctx)
            ctx.lang = state.lang
            # A new session's first screen may say what the last one left behind (menus/buyer.py).
            ctx.new_session, ctx.before = new, saved if new else None
            screen, moved = self.step(state, hop.text, ctx, new, hop)
            if not moved:
                return screen
            io.command("SET", key, state.encode(), "EX", self.ttl)
            return screen
        finally:
            ctx.close()

    def where(self, phone: str, session_id: str) -> tuple[str | None, bool, int | None]:
        """Where a session's caller was when it ended, for drop-off analytics: the code of the
        screen last shown, whether it was an END screen, and (latest-input aggregators) the hops
        counted; (None, False, None) when the session is no longer (or never was) the phone's."""
        with HopConnection(self.redis) as io:
            state = State.decode(io.command("GET", session_key(phone)))
        if state is None or state.sid != crc(session_id):
            return None, False, None
        return str(state.frames[-1][0]), state.ended, state.length

    # -- navigation, with no I/O of its own (the screens do their reads through ctx) ----------
    def session(self, saved: State | None, hop: Hop, ctx=None) -> tuple[State, bool]:
        """The state `hop` continues (the saved one, for the same provider session), or a new
        session's, with True. `ctx`: the hop's context, for `initial_language`."""
        sid = crc(hop.session_id)
        if saved is not None and saved.sid == sid:
            return saved, False
        return self._new_session(saved, sid, hop.text, hop, ctx), True

    def step(self, state: State, text: str, ctx, new: bool = False, hop: Hop | None = None) -> tuple[str, bool]:
        """The screen answering a hop's `text`; `state` is moved in place. False when nothing moved
        (a redelivered hop, a hop after the end), so there is nothing to save."""
        if new and self.home_for is not None and len(state.frames) == 1:
            state.frames = [list(self.home_for(ctx))]
        if hop is not None and hop.latest:
            return self._step_latest(state, hop, ctx, new)
        if not new:
            if state.length == len(text) and state.crc == crc(text):
                return self.draw(state, ctx), False  # redelivered hop: same screen, nothing moves
            if state.ended:
                return "END " + texts.t("ended", state.lang), False
            user_input = self._relative_input(state, text)
            if user_input is None:  # text does not continue the last one: take the newest part
                user_input = text.rsplit("*", 1)[-1]
            state.length, state.crc, state.hint = len(text), crc(text), None
            if len(user_input) > MAX_INPUT:
                state.hint = "too_long"
            else:
                self._apply(state, user_input, ctx)
        elif text:  # a first hop with text: the dial string's extra segments (*384*123*100014#)
            self._shortcut(state, text, ctx)
        return self.draw(state, ctx), True

    def _step_latest(self, state: State, hop: Hop, ctx, new: bool) -> tuple[str, bool]:
        """`step` for an aggregator that sends only the latest input. Without a path to compare,
        a redelivery is known only by the provider's hop number (or a second session start)."""
        mark = crc("#" + hop.hop_id) if hop.hop_id is not None else 0
        if new:
            state.length, state.crc = 1, mark
            if hop.shortcut:
                self._shortcut(state, hop.shortcut, ctx)
            return self.draw(state, ctx), True
        if hop.start or (hop.hop_id is not None and state.crc == mark):
            return self.draw(state, ctx), False  # redelivered hop: same screen, nothing moves
        if state.ended:
            return "END " + texts.t("ended", state.lang), False
        state.length, state.crc, state.hint = state.length + 1, mark, None
        if len(hop.text) > MAX_INPUT:
            state.hint = "too_long"
        else:
            self._apply(state, hop.text, ctx)
        return self.draw(state, ctx), True

    def _shortcut(self, state: State, suffix: str, ctx) -> None:
        """Read a dial string's extra segments from home, each as if typed on the screen it
        reaches (the home screen takes a product code too). One that is refused sends the caller
        home with a short hint, never to a half-way screen."""
        state.frames, state.hint = [list(self.home)], None
        for segment in suffix.split("*")[:MAX_SHORTCUT]:
            self.draw(state, ctx)  # what the screen offers: the segment is read against it
            self._apply(state, segment, ctx)
            if state.hint:
                state.frames, state.hint = [list(self.home)], "bad_shortcut"
                return
            if state.ended:
                return

    def _context(self, hop: Hop, lang: str, token):
        ctx = self.context_factory(hop.phone, lang, hop)
        ctx.catalog_token = token
        return ctx

    def _new_session(self, old: State | None, sid: int, text: str, hop: Hop, ctx=None) -> State:
        lang = old.lang if old is not None else self.initial_language(ctx)
        if (old is not None and not old.ended and self.resume_frame is not None
                and len(old.frames) > 1):
            # Dropped again on the offer itself: offer the same place again, not a second offer.
            on_offer = old.frames[-1] == self.resume_frame
            frames = old.frames if on_offer else old.frames + [list(self.resume_frame)]
        else:
            frames = [list(self.home)]
        # A dial string with extra digits (*384*1*2#) may arrive as `text` on the first hop; it is
        # not a choice the user made on our screens, so the cursor just starts after it.
        return State(sid, len(text), crc(text), lang, False, frames)

    @staticmethod
    def _relative_input(state: State, text: str) -> str | None:
        n = state.length
        if n == 0:
            return text
        if len(text) > n and text[n] == "*" and crc(text[:n]) == state.crc:
            return text[n + 1:]
        return None

    def _apply(self, state: State, user_input: str, ctx) -> None:
        choice = user_input.strip()
        frame = state.frames[-1]
        screen = self.screens[frame[0]]
        view = None
        ctx.frames = state.frames  # a screen may look down the stack (menus/buyer.py `assisting`)
        if choice == NAV_HOME:
            state.frames = [list(state.frames[0])]  # the session's home (see home_for)
            return
        if choice == NAV_BACK and len(state.frames) > 1 and not screen.zero_is_input:
            state.frames.pop()
            return
        if choice == NAV_MORE and screen.paged:
            view = state.offered()
            if view.more:
                state.frames.append(frame[:-1] + [frame[-1] + len(view.options)])
                return
        if screen.handle is None:
            state.hint = "invalid"
            return
        view = view or state.offered()
        # The handler may commit a change; the context's reads are outside transactions (each sees
        # what is committed) and its per-hop cache notices commits, so the next screen is current.
        outcome = screen.handle(ctx, frame, choice, view)
        state.lang = ctx.lang  # a screen may change the language
        if outcome.invalid:
            state.hint = outcome.invalid
            return
        if outcome.pop:
            del state.frames[-outcome.pop:]
        if outcome.replace is not None:
            state.frames = [list(f) for f in outcome.replace]
        if outcome.home:
            state.frames = [list(state.frames[0])]
        if outcome.push is not None:
            state.frames.append(list(outcome.push))
        if outcome.end is not None:
            state.frames.append(list(outcome.end))
            state.ended = True

    # -- drawing ---------------------------------------------------------------------------
    # A screen is a header (cut first when the budget is short), then the options and the
    # navigation line (kept whole: without them the user cannot go on).
    MIN_LABEL = 8  # a label is never cut shorter than this
    HEADER_ROOM = 12  # units kept for the header when labels must be shortened

    def _layout(self, ctx, frame: Frame) -> tuple[View, str | None]:
        """Render `frame` and fit its options on one screen: a paged list moves the options that do
        not fit to the next page (`more`); other screens keep every option, shortening labels.
        With the view, the screen's text up to its navigation line when that text with the full
        navigation (`0 Back 00 Home`) is known to fit, else None. Each option's line is built and
        measured once: `draw` adds the navigation instead of composing the screen again."""
        screen = self.screens[frame[0]]
        view = screen.render(ctx, frame)
        if view.end or not view.options:
            return view, None
        options = view.options[:PAGE_SIZE]
        more = view.more or len(view.options) > len(options)
        header = "\n".join(view.header)
        lines = [f"{i}. {label}" for i, label in enumerate(options, 1)]
        start = ("CON " + header + "\n" if header else "CON ") + "\n".join(lines)
        if self._fits(start + "\n" + _nav(ctx.lang, more, True)):
            if len(options) == len(view.options):
                return view, start  # the usual screen: everything fits as it is
            return View(view.header, options, view.keys[:len(options)], more, view.end, view.free_text), start
        if screen.paged:
            best, fitted = self._fill("CON " + header, lines, _nav(ctx.lang, True, True))
            if best < len(options):
                options, more = options[:best], True
                if fitted:  # with the whole header, so _shorten would cut nothing
                    start = ("CON " + header + "\n" if header else "CON ") + "\n".join(lines[:best])
                    return View(view.header, options, view.keys[:best], more, view.end, view.free_text), start
        options = self._shorten(ctx, options, more, header)
        return View(view.header, options, view.keys[:len(options)], more, view.end, view.free_text), None

    def _fill(self, head: str, lines: list[str], nav: str) -> tuple[int, bool]:
        """How many lines of a paged list fit between `head` (`CON ` and the header) and the
        navigation with `98 More` (at least one), measured line by line in one pass, and whether
        that many fit; the rest go to the next page."""
        gsm_budget, ucs2_budget = self.max_chars, min(80, self.max_chars // 2)
        gsm_ok = is_gsm(head) and is_gsm(nav)
        used_gsm = gsm_units(head) + gsm_units(nav) + 1 if gsm_ok else 0  # + the newline before nav
        used_ucs2 = ucs2_units(head) + ucs2_units(nav) + 1
        best, fitted = 1, False
        for n, line in enumerate(lines, 1):
            line_gsm = is_gsm(line)
            gsm_ok = gsm_ok and line_gsm
            if gsm_ok:
                used_gsm += gsm_units(line) + 1
            used_ucs2 += (len(line) if line_gsm else ucs2_units(line)) + 1  # GSM-7 is all in the BMP
            # One non-GSM character anywhere makes the whole screen UCS-2 (and the budget 80).
            if (used_gsm > gsm_budget) if gsm_ok else (used_ucs2 > ucs2_budget):
                break
            best, fitted = n, True
        return best, fitted

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

    def draw(self, state: State, ctx) -> str:
        """The screen of the state's top frame; the state records what it offers."""
        ctx.lang = state.lang
        ctx.frames = state.frames
        frame = state.frames[-1]
        view, start = self._layout(ctx, frame)
        state.shown, state.more = (None, False) if view.end else (list(view.keys), view.more)
        back = len(state.frames) > 1
        if start is not None and not state.hint:
            # It fits with the whole navigation line, so without `0 Back 00 Home` too: in UCS-2 it
            # took at most max_chars // 2 units, so at most max_chars septets if the rest is GSM-7.
            nav = _nav(ctx.lang, view.more, back)
            return start + "\n" + nav if nav else start
        header = list(view.header)
        if state.hint:
            header.insert(0, texts.t(state.hint, state.lang))
        if view.end:
            return self._fit("END ", "\n".join(header), "")
        return self._fit("CON ", "\n".join(header), self._tail(ctx, view.options, view.more, back))

    @staticmethod
    def _compose(prefix: str, header: str, tail: str) -> str:
        return prefix + "\n".join(part for part in (header, tail) if part)

    @staticmethod
    def _tail(ctx, options: list[str], more: bool, back: bool) -> str:
        lines = [f"{i}. {label}" for i, label in enumerate(options, 1)]
        nav = _nav(ctx.lang, more, back)
        if nav:
            lines.append(nav)
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
        if room >= -1:  # -1: no room for the header nor its newline, so it is left out
            shorter = self._compose(prefix, cut(header, room), tail)
            if self._fits(shorter):
                return shorter
        return cut(text, budget)
