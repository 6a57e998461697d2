"""The SMS command grammar (SPEC §5): text in, a `Command` out. Pure: no database, never raises.

Keywords are case-insensitive, with Swahili aliases; extra spaces and typographic punctuation are
ignored; a keyword may be glued to its first number ("SENT4829131") or followed by ':' or '.'.
What a command's arguments mean beyond their shape (a price in the seller's currency, a code's
check digit, whether a trailing number is an agent's PIN) is decided by the handlers, which know
the sender.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from commerce.gsm import fold

MAX_TEXT = 1600  # longer than any concatenated SMS; anything past it is not a command
MAX_CODES = 10  # orders one SENT may name

# keyword -> command. English first; then Swahili, chosen as a seller or agent would say them.
ALIASES: dict[str, str] = {
    "HELP": "HELP", "MSAADA": "HELP", "?": "HELP", "帮助": "HELP",
    "JOIN": "JOIN", "JIUNGE": "JOIN", "JISAJILI": "JOIN",
    "LANG": "LANG", "LANGUAGE": "LANG", "LUGHA": "LANG",
    "SELL": "SELL", "UZA": "SELL",
    "PRICE": "PRICE", "BEI": "PRICE",
    "STOCK": "STOCK", "IDADI": "STOCK", "STOKI": "STOCK",
    "REMOVE": "REMOVE", "ONDOA": "REMOVE",
    "ITEMS": "ITEMS", "BIDHAA": "ITEMS",
    "ORDERS": "ORDERS", "ODA": "ORDERS",
    "SENT": "SENT", "IMETUMWA": "SENT", "NIMETUMA": "SENT",
    "PAID": "PAID", "IMELIPWA": "PAID", "AMELIPA": "PAID",
    # IMEFIKA is "it has arrived": ARRIVED, not DELIVERED (SPEC §13).
    "ARRIVED": "ARRIVED", "IMEFIKA": "ARRIVED", "IMEWASILI": "ARRIVED",
    "DELIVERED": "DELIVERED", "IMEKABIDHIWA": "DELIVERED", "NIMEKABIDHI": "DELIVERED",
    "BALANCE": "BALANCE", "SALIO": "BALANCE",
    "NO": "NO", "HAPANA": "NO",
    # Credit (SPEC §15): a seller's pay-later offer, an agent's group of buyers.
    "CREDIT": "CREDIT", "MKOPO": "CREDIT",
    "GROUP": "GROUP", "KIKUNDI": "GROUP",
    "RECEIVED": "RECEIVED", "NIMEPOKEA": "RECEIVED",
    # Carrier opt-out / opt-in words (Twilio's standard lists), plus Swahili ACHA / ANZA.
    "STOP": "STOP", "STOPALL": "STOP", "UNSUBSCRIBE": "STOP", "CANCEL": "STOP", "END": "STOP",
    "QUIT": "STOP", "ACHA": "STOP",
    "START": "START", "UNSTOP": "START", "SUBSCRIBE": "START", "ANZA": "START",
    # Seller reach (SPEC §14): following a shop (STOP <shop> / ACHA <shop> unfollows), a seller's news
    # and its confirmation and report, a seller's day.
    "FOLLOW": "FOLLOW", "FUATA": "FOLLOW", "UNFOLLOW": "UNFOLLOW",
    "NEWS": "NEWS", "HABARI": "NEWS", "YES": "YES", "NDIO": "YES", "REPORT": "REPORT", "RIPOTI": "REPORT",
    "SALES": "SALES", "MAUZO": "SALES",
}
SWAHILI = frozenset({"MSAADA", "JIUNGE", "JISAJILI", "LUGHA", "UZA", "BEI", "IDADI", "STOKI", "ONDOA",
                     "BIDHAA", "ODA", "IMETUMWA", "NIMETUMA", "IMELIPWA", "AMELIPA", "IMEFIKA",
                     "IMEWASILI", "IMEKABIDHIWA", "NIMEKABIDHI", "SALIO", "HAPANA", "NIMEPOKEA", "ACHA",
                     "ANZA", "MKOPO", "KIKUNDI", "FUATA", "HABARI", "NDIO", "RIPOTI", "MAUZO"})

LANG_WORDS = {
    "EN": "en", "ENG": "en", "ENGLISH": "en", "KIINGEREZA": "en",
    "SW": "sw", "SWA": "sw", "SWAHILI": "sw", "KISWAHILI": "sw",
    "ZH": "zh", "CN": "zh", "CHINESE": "zh", "中文": "zh", "KICHINA": "zh",
}

_SPACE = re.compile(r"\s+")
_GLUED = re.compile(r"([A-Za-z]+)[:.]?(\d.*)", re.DOTALL)
_PRICE = re.compile(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?|[0-9]+(\.[0-9]+)?")
_WHOLE = re.compile(r"[0-9]+")
_PIN = re.compile(r"[0-9]{4,8}")


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # a value of ALIASES, or "UNKNOWN"
    args: tuple = ()
    usage: bool = False  # the keyword is known but its arguments do not fit: answer its usage
    swahili: bool = False  # typed with a Swahili keyword (the reply language for a new number)
    redacted: str = ""  # the text as it may be stored: a trailing PIN masked


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def normalize(text: str) -> str:
    """One line of single-spaced text: control characters (NUL included, which PostgreSQL cannot
    store) become spaces, typographic punctuation its GSM-7 equivalent."""
    return _SPACE.sub(" ", _CONTROL.sub(" ", fold(text or ""))).strip()


def code_token(token: str) -> str:
    """A typed code without the separators people put in it: "482-9131" -> "4829131"."""
    return token.replace("-", "")


def is_price(token: str) -> bool:
    return bool(_PRICE.fullmatch(token))


def is_whole(token: str) -> bool:
    return bool(_WHOLE.fullmatch(token)) and token.isascii()


def parse(text: str) -> Command:
    text = normalize(text)[:MAX_TEXT]
    if not text:
        return Command("UNKNOWN", redacted="")
    first, _, rest = text.partition(" ")
    glued = _GLUED.fullmatch(first)
    if first.upper().rstrip(":.!") not in ALIASES and glued and glued.group(1).upper() in ALIASES:
        first, rest = glued.group(1), (glued.group(2) + " " + rest).strip()
    keyword = first.upper().rstrip(":.!") or first.upper()
    name = ALIASES.get(keyword)
    if name is None:
        return Command("UNKNOWN", redacted=_redact("UNKNOWN", first, rest.split()))
    swahili = keyword in SWAHILI
    tokens = rest.split()
    redacted = " ".join([first, *tokens])
    try:
        args = _ARGS[name](rest, tokens)
    except _Usage:
        return Command(name, usage=True, swahili=swahili, redacted=_redact(name, first, tokens))
    return Command(name, args, swahili=swahili, redacted=_redact(name, first, tokens) or redacted)


class _Usage(Exception):
    pass


def _need(condition: bool) -> None:
    if not condition:
        raise _Usage


def _none(rest, tokens):
    return ()


def _join(rest, tokens):
    _need(bool(rest))
    return (rest,)


def _lang(rest, tokens):
    _need(len(tokens) == 1 and tokens[0].upper() in LANG_WORDS)
    return (LANG_WORDS[tokens[0].upper()],)


def _sell(rest, tokens):
    """SELL <name> <price> [<quantity>] [#<category>]"""
    tokens = list(tokens)
    category = None
    if tokens and tokens[-1].startswith("#"):
        category = tokens.pop()[1:] or None
    if len(tokens) >= 3 and is_whole(tokens[-1]) and is_price(tokens[-2]):
        name, price, quantity = tokens[:-2], tokens[-2], int(tokens[-1])
    elif len(tokens) >= 2 and is_price(tokens[-1]):
        name, price, quantity = tokens[:-1], tokens[-1], None
    else:
        raise _Usage
    name = " ".join(name)
    _need(any(c.isalpha() for c in name))
    return (name, price, quantity, category)


def _code(rest, tokens):
    _need(len(tokens) == 1 and is_whole(code_token(tokens[0])))
    return (code_token(tokens[0]),)


def _code_and(check):
    def parse_args(rest, tokens):
        _need(len(tokens) == 2 and is_whole(code_token(tokens[0])) and check(tokens[1]))
        return (code_token(tokens[0]), tokens[1])
    return parse_args


def _page(rest, tokens):
    _need(len(tokens) <= 1 and all(is_whole(t) and 1 <= len(t) <= 4 for t in tokens))
    return (max(1, int(tokens[0])) if tokens else 1,)


def _paid(rest, tokens):
    """PAID <order> <amount> [<pin>]: the amount may be typed with spaces ("1 600"), so which
    trailing token is a PIN is decided by the handler, which knows whether the agent has one."""
    _need(len(tokens) >= 2 and is_whole(code_token(tokens[0])) and len(tokens) <= 5)
    return (code_token(tokens[0]), tuple(tokens[1:]))


def _delivered(rest, tokens):
    _need(1 <= len(tokens) <= 2 and is_whole(code_token(tokens[0])))
    return (code_token(tokens[0]), tokens[1] if len(tokens) == 2 else None)


def _balance(rest, tokens):
    """BALANCE [<pin>]"""
    _need(len(tokens) <= 1)
    return (tokens[0] if tokens else None,)


def _no(rest, tokens):
    """NO <order> refuses an order an agent placed; NO alone declines the buyer's group."""
    if not tokens:
        return ()
    return _code(rest, tokens)


def _credit(rest, tokens):
    """CREDIT (the seller's report) | CREDIT OFF | CREDIT ON <max> <weeks>"""
    words = [w.upper() for w in tokens]
    if not words:
        return ("REPORT",)
    if words == ["OFF"]:
        return ("OFF",)
    _need(len(words) == 3 and words[0] == "ON" and is_price(tokens[1]) and is_whole(tokens[2]) and len(tokens[2]) <= 3)
    return ("ON", tokens[1], int(tokens[2]))


def _group(rest, tokens):
    """GROUP <name> <phone> <phone> … [<pin>]: the name is the words before the first number; a
    last token of 4-8 digits is the agent's PIN (a phone number is longer)."""
    tokens = list(tokens)
    pin = tokens.pop() if len(tokens) >= 3 and _PIN.fullmatch(tokens[-1]) else None
    first_number = next((i for i, w in enumerate(tokens) if w[:1] in "+0123456789"), len(tokens))
    name, numbers = tokens[:first_number], tokens[first_number:]
    _need(bool(name) and bool(numbers) and any(c.isalpha() for c in " ".join(name)) and len(numbers) <= 10)
    return (" ".join(name), tuple(numbers), pin)


def _codes(rest, tokens):
    """SENT <order> [<order> ...]: several orders at once (SPEC §14), up to MAX_CODES."""
    _need(1 <= len(tokens) <= MAX_CODES and all(is_whole(code_token(t)) for t in tokens))
    return tuple(code_token(t) for t in tokens)


def _stop(rest, tokens):
    """STOP alone stops everything; STOP <shop> (one code) unfollows that shop, if it is one
    (the handler decides: anything else still stops everything)."""
    if len(tokens) == 1 and is_whole(code_token(tokens[0])) and len(code_token(tokens[0])) <= 12:
        return (code_token(tokens[0]),)
    return ()


def _news(rest, tokens):
    """NEWS <text>: the text as typed (normalized), up to MAX_TEXT."""
    _need(bool(rest.strip()))
    return (rest.strip(),)


_ARGS = {
    "HELP": _none, "STOP": _stop, "START": _none,
    "FOLLOW": _code, "UNFOLLOW": _code, "NEWS": _news, "YES": _code, "REPORT": _code, "SALES": _none,
    "JOIN": _join, "LANG": _lang, "SELL": _sell,
    "PRICE": _code_and(is_price), "STOCK": _code_and(is_whole), "REMOVE": _code,
    "ITEMS": _page, "ORDERS": _page,
    "SENT": _codes, "RECEIVED": _code, "PAID": _paid, "DELIVERED": _delivered,
    "ARRIVED": _delivered, "BALANCE": _balance, "NO": _no,
    "CREDIT": _credit, "GROUP": _group,
}


def _redact(name: str, first: str, tokens: list[str]) -> str:
    """The text with anything that may be a PIN (4-8 digits ending an agent's command) masked."""
    tokens = list(tokens)
    # PAID <order> <amount> <pin>, DELIVERED/ARRIVED <order> <pin>, BALANCE <pin>; a mistyped
    # keyword may carry one too.
    least = {"PAID": 3, "DELIVERED": 2, "ARRIVED": 2, "BALANCE": 1, "UNKNOWN": 2, "GROUP": 3}.get(name)
    if least and len(tokens) >= least and _PIN.fullmatch(tokens[-1]):
        tokens[-1] = "****"
    return " ".join([first, *tokens])
