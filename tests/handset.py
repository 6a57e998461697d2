"""The USSD engine driven with no Redis: a hop is `Engine.session` + `Engine.step`, and the state goes
through `State.encode`/`decode` between hops as it would through Redis."""

from __future__ import annotations

from dataclasses import dataclass

from menus.engine import Engine, Hop, State

PHONE = "+254712345678"


@dataclass
class Ctx:
    """What a synthetic screen receives: only the language."""

    lang: str = "en"

    def close(self):
        pass


def engine(screens, home, max_chars: int) -> Engine:
    return Engine(None, screens, home, max_chars=max_chars, ttl_seconds=60,
                  context_factory=lambda phone, lang, hop: Ctx(lang))


class Handset:
    """One phone's session, hop by hop, with `text` accumulating as Africa's Talking sends it."""

    def __init__(self, engine: Engine, session_id: str = "S1"):
        self.engine, self.session_id = engine, session_id
        self.blob: bytes | None = None
        self.inputs: list[str] = []
        self.state: State | None = None

    def hop(self, text: str) -> str:
        state, new = self.engine.session(State.decode(self.blob), Hop(self.session_id, PHONE, text))
        screen, moved = self.engine.step(state, text, Ctx(state.lang), new)
        if moved:
            self.blob = state.encode()
        self.state = state
        return screen

    def dial(self) -> str:
        self.inputs = []
        return self.hop("")

    def send(self, value: str) -> str:
        self.inputs.append(value)
        return self.hop("*".join(self.inputs))
