"""Money: an integer count of minor units plus an ISO 4217 code. Never a float.

Digits, per Babel/CLDR (checked by tests/test_money.py):

========  ============  ==========
currency  ISO digits    cash digits
========  ============  ==========
KES       2             2
NGN       2             2
CNY       2             2
TZS       2             0
UGX       0             0
RWF       0             0
========  ============  ==========

Decision:

* **Storage** (``Money.amount_minor``, provider values, conversion) uses the ISO/Babel digits,
  so ``Money(37550, "TZS")`` is TZS 375.50 and a provider's "TZS 375.5000" is kept exactly.
* **People** never see or type decimals that don't exist in cash. For a currency whose CLDR
  cash digits are 0 (TZS, like UGX and RWF) ``format_money`` shows whole units, rounded by the
  one rounding rule below, and ``parse_amount`` refuses typed decimals.

The one rounding rule: compute exactly with ``Decimal`` (no intermediate rounding), then round
half-up (half away from zero, ``ROUND_HALF_UP``) once, to the target's minor unit (or, for
display, to the whole unit). Every conversion and display goes through ``from_decimal`` /
``_quantize`` for that reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import (
    MAX_EMAX,
    MAX_PREC,
    MIN_EMIN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    InvalidOperation,
)
from functools import lru_cache

from babel.core import get_global
from babel.numbers import (
    format_decimal,
    get_currency_precision,
    get_decimal_symbol,
    get_territory_currencies,
    is_currency,
)

from commerce.phones import region_of

# Unbounded precision: multiplication, scaleb and quantize are exact, so the only rounding
# that ever happens is the explicit one in _quantize.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[InvalidOperation])

# Larger than any price or payment this gateway will see; refusing beyond it keeps typos
# ("12000000000000") and hostile input out, and bounds Decimal work on huge exponents.
MAX_MAJOR_UNITS = 10**12
# Internal results (conversions) may exceed a typed amount, but not absurdly.
_MAX_DECIMAL_ADJUSTED = 24

# Some locales group with a non-breaking or narrow space, which is not in GSM-7: use a space.
_GSM_SAFE = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})

_MAX_TEXT = 64
_NUMBER_RE = re.compile(
    r"(?P<int>[0-9]{1,3}(?P<sep>[, ])[0-9]{3}(?:(?P=sep)[0-9]{3})*|[0-9]+)(?:\.(?P<frac>[0-9]+))?"
)
_CODE_AROUND_RE = re.compile(r"(?:(?P<pre>[A-Za-z]{3})\s*)?(?P<body>.*?)(?:\s*(?P<post>[A-Za-z]{3}))?")


def _checked_currency(currency: str) -> str:
    if not isinstance(currency, str) or not _known_currency(currency):
        raise ValueError(f"Unknown currency: {currency!r}")
    return currency


@lru_cache(maxsize=512)
def _known_currency(code: str) -> bool:
    # Babel's is_currency lists every currency of its data each time; every Money checks one.
    return is_currency(code)


@dataclass(frozen=True, slots=True)
class Money:
    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        # bool is an int subclass; True pence is a bug, not an amount.
        if isinstance(self.amount_minor, bool) or not isinstance(self.amount_minor, int):
            raise TypeError(f"amount_minor must be int, got {type(self.amount_minor).__name__}")
        _checked_currency(self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"Cannot combine {self.currency} and {other.currency}")

    def __add__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    @property
    def is_zero(self) -> bool:
        return self.amount_minor == 0


def precision(currency: str) -> int:
    """ISO 4217 minor-unit digits (Babel): the unit of ``Money.amount_minor``."""
    return get_currency_precision(_checked_currency(currency))


def cash_digits(currency: str) -> int:
    """CLDR cash digits: decimals that exist in notes, coins and mobile money in practice."""
    fractions = get_global("currency_fractions")
    return fractions.get(_checked_currency(currency), fractions["DEFAULT"])[2]


def display_digits(currency: str) -> int:
    """Decimals people see and may type: none where cash has none (TZS, UGX, RWF)."""
    return min(precision(currency), cash_digits(currency))


def _quantize(d: Decimal, digits: int, rounding: str = ROUND_HALF_UP) -> Decimal:
    if not d.is_finite():
        raise ValueError(f"Not a finite amount: {d}")
    if d and d.adjusted() > _MAX_DECIMAL_ADJUSTED:
        raise ValueError("Amount is too large")
    return d.quantize(Decimal(1).scaleb(-digits), rounding=rounding, context=_EXACT)


def to_decimal(m: Money) -> Decimal:
    """The amount in major units, exactly: Money(120050, "KES") -> Decimal("1200.50")."""
    return Decimal(m.amount_minor).scaleb(-precision(m.currency), context=_EXACT)


def from_decimal(d: Decimal, currency: str, rounding: str = ROUND_HALF_UP) -> Money:
    """Major units as Decimal -> Money, rounded once to the minor unit (half-up by default)."""
    if isinstance(d, float) or not isinstance(d, Decimal | int):
        raise TypeError(f"Expected Decimal, got {type(d).__name__}")
    digits = precision(currency)
    q = _quantize(Decimal(d), digits, rounding)
    return Money(int(q.scaleb(digits, context=_EXACT)), currency)


def convert(m: Money, to_currency: str, rate: Decimal) -> Money:
    """Convert at ``rate`` (1 ``m.currency`` = ``rate`` ``to_currency``).

    Rounding rule: the product ``to_decimal(m) * rate`` is computed exactly, then rounded
    half-up once to ``to_currency``'s minor unit, so the result is never more than half a
    minor unit away from the exact value.
    """
    if not isinstance(rate, Decimal):
        raise TypeError(f"rate must be Decimal, got {type(rate).__name__}")
    if not rate.is_finite() or rate <= 0:
        raise ValueError(f"rate must be a positive number: {rate}")
    _checked_currency(to_currency)
    exact = _EXACT.multiply(to_decimal(m), rate)
    return from_decimal(exact, to_currency)


def percent_of(m: Money, percent: Decimal) -> Money:
    """``percent`` % of ``m`` (an agent's commission), in ``m``'s currency.

    Rounding rule: ``amount * percent / 100`` is computed exactly, then rounded half-up once to the
    smallest amount people pay in that currency (its minor unit; a whole unit where cash has no
    decimals, e.g. TZS), so what is owed can be paid exactly.
    """
    if not isinstance(percent, Decimal):
        raise TypeError(f"percent must be Decimal, got {type(percent).__name__}")
    if not percent.is_finite() or percent < 0:
        raise ValueError(f"percent must be a number of at least 0: {percent}")
    hidden = precision(m.currency) - display_digits(m.currency)  # minor digits cash does not have
    exact = _EXACT.multiply(Decimal(m.amount_minor), percent).scaleb(-2 - hidden, context=_EXACT)
    units = _quantize(exact, 0)
    return Money(int(units.scaleb(hidden, context=_EXACT)), m.currency)


def _example(currency: str) -> str:
    return "1200 or 1,200.50" if display_digits(currency) else "1200 or 1,200"


def parse_amount(text: str, currency: str, *, allow_zero: bool = False) -> Money:
    """An amount as people type it: "1200", "1,200", "1 200", "1200.50", "KES 1,200.50".

    Raises ValueError with a short message fit to show on a USSD screen.
    """
    _checked_currency(currency)
    bad = ValueError(f"Amount must be a number like {_example(currency)}")
    if not isinstance(text, str):
        raise bad
    text = text.strip()
    if not text:
        raise ValueError("Please enter an amount")
    if len(text) > _MAX_TEXT:
        raise bad
    # An optional currency code before or after the number (people copy "KES 1,200").
    around = _CODE_AROUND_RE.fullmatch(text)
    body = text
    if around:
        codes = [c.upper() for c in (around["pre"], around["post"]) if c]
        if codes and all(is_currency(c) for c in codes):
            if any(c != currency for c in codes):
                raise ValueError(f"Amount must be in {currency}")
            body = around["body"]
    if body.startswith("-"):
        raise ValueError("Amount must be more than 0")
    match = _NUMBER_RE.fullmatch(body)
    if not match:
        raise bad
    frac = match["frac"] or ""
    allowed = display_digits(currency)
    if len(frac) > allowed:
        if allowed == 0:
            raise ValueError(f"{currency} amounts have no decimals")
        raise ValueError(f"{currency} amounts have at most {allowed} decimals")
    value = Decimal(re.sub("[, ]", "", match["int"]) + "." + (frac or "0"))
    if value > MAX_MAJOR_UNITS:
        raise ValueError("Amount is too large")
    if value == 0 and not allow_zero:
        raise ValueError("Amount must be more than 0")
    # Exact: the typed decimals are never more than the currency's digits.
    return from_decimal(value, currency)



# Memoized: screens and notices format the same few prices over and over (Babel is not cheap).
@lru_cache(maxsize=8192)
def format_money(m: Money, locale: str = "en") -> str:
    """Short, GSM-7 safe: "KES 1,200", "KES 1,200.50", "TZS 12,000".

    The ISO code rather than the symbol (¥ and TSh aren't GSM-7); grouping and decimal mark
    from the locale via Babel; no decimals when the amount is whole.
    """
    digits = display_digits(m.currency)
    shown = _quantize(to_decimal(m), digits)
    whole, frac = divmod(abs(int(shown.scaleb(digits, context=_EXACT))), 10**digits)
    number = format_decimal(whole, locale=locale)
    if frac:
        number += get_decimal_symbol(locale) + f"{frac:0{digits}d}"
    sign = "-" if shown < 0 else ""
    return f"{m.currency} {sign}{number.translate(_GSM_SAFE)}"


def currency_for_phone(e164: str) -> str:
    """The currency of the region a phone number belongs to: "+254…" -> "KES"."""
    return _currency_of_region(region_of(e164))


def _currency_of_region(region: str) -> str:
    currencies = get_territory_currencies(region)
    if not currencies:
        raise ValueError(f"No currency for region {region}")
    return currencies[0]
