import json
from decimal import ROUND_DOWN, Decimal

import pytest
from babel.numbers import get_territory_currencies
from hypothesis import given
from hypothesis import strategies as st

from commerce.money import (
    MAX_MAJOR_UNITS,
    Money,
    cash_digits,
    convert,
    currency_for_phone,
    display_digits,
    format_money,
    from_decimal,
    parse_amount,
    precision,
    to_decimal,
)

CURRENCIES = ["KES", "UGX", "TZS", "CNY", "RWF", "NGN"]
LOCALES = ["en", "sw", "zh"]


# --- what Babel/CLDR says, and the decision built on it ---------------------------------


@pytest.mark.parametrize(
    ("currency", "iso", "cash", "shown"),
    [
        ("KES", 2, 2, 2),
        ("UGX", 0, 0, 0),
        ("TZS", 2, 0, 0),  # cents exist in ISO 4217 but not in anyone's pocket
        ("CNY", 2, 2, 2),
        ("RWF", 0, 0, 0),
        ("NGN", 2, 2, 2),
    ],
)
def test_babel_digits(currency, iso, cash, shown):
    assert precision(currency) == iso
    assert cash_digits(currency) == cash
    assert display_digits(currency) == shown


@pytest.mark.parametrize("bad", ["", "kes", "XYZ", "KESS", None])
def test_unknown_currency_is_refused(bad):
    with pytest.raises(ValueError):
        precision(bad)
    with pytest.raises(ValueError):
        Money(1, bad)


# --- Money -------------------------------------------------------------------------------


def test_money_arithmetic():
    a, b = Money(120050, "KES"), Money(50, "KES")
    assert a + b == Money(120100, "KES")
    assert a - b == Money(120000, "KES")
    assert (b - b).is_zero and not a.is_zero
    with pytest.raises(ValueError):
        a + Money(1, "UGX")
    with pytest.raises(ValueError):
        a - Money(1, "UGX")
    with pytest.raises(TypeError):
        a + 1


def test_money_refuses_non_integers():
    with pytest.raises(TypeError):
        Money(1.5, "KES")
    with pytest.raises(TypeError):
        Money(True, "KES")
    with pytest.raises(TypeError):
        Money(Decimal(1), "KES")


def test_money_is_frozen():
    m = Money(1, "KES")
    with pytest.raises(AttributeError):
        m.amount_minor = 2


# --- parsing what people type ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("1200", "KES", 120000),
        ("1,200", "KES", 120000),
        ("1 200", "KES", 120000),
        ("1200.50", "KES", 120050),
        ("1,200.50", "KES", 120050),
        ("1200.5", "KES", 120050),
        (" 1,200.05 ", "KES", 120005),
        ("KES 1,200", "KES", 120000),
        ("1200 kes", "KES", 120000),
        ("1,234,567.89", "KES", 123456789),
        ("5,000", "UGX", 5000),
        ("5000", "UGX", 5000),
        ("12,000", "TZS", 1200000),  # stored in ISO minor units (cents)
        ("TZS 12 000", "TZS", 1200000),
        ("88.80", "CNY", 8880),
        ("1,000,000,000,000", "UGX", 10**12),
    ],
)
def test_parse_amount(text, currency, minor):
    assert parse_amount(text, currency) == Money(minor, currency)


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("", "KES", "enter an amount"),
        ("   ", "KES", "enter an amount"),
        ("0", "KES", "more than 0"),
        ("0.00", "KES", "more than 0"),
        ("-5", "KES", "more than 0"),
        ("-1,200", "KES", "more than 0"),
        ("1200.505", "KES", "at most 2 decimals"),
        ("1.200", "KES", "at most 2 decimals"),  # a European "1.200" is refused, not read as 1.2
        ("5000.5", "UGX", "no decimals"),
        ("12000.50", "TZS", "no decimals"),
        ("abc", "KES", "like 1200 or 1,200.50"),
        ("12a0", "KES", "like 1200 or 1,200.50"),
        ("1,20,0", "KES", "a number"),
        ("1,2000", "KES", "a number"),
        ("1,000 000", "KES", "a number"),  # mixed separators
        ("1200.", "KES", "a number"),
        (".5", "KES", "a number"),
        ("١٢٠٠", "KES", "a number"),  # only keypad digits
        ("1e3", "KES", "a number"),
        ("NaN", "KES", "a number"),
        ("Infinity", "KES", "a number"),
        ("abc", "UGX", "like 1200 or 1,200"),
        ("USD 5", "KES", "must be in KES"),
        ("1000000000000.01", "KES", "too large"),
        ("1000000000001", "UGX", "too large"),
        ("9" * 60, "UGX", "too large"),
        ("9" * 100, "UGX", "a number"),
    ],
)
def test_parse_amount_rejects(text, currency, message):
    with pytest.raises(ValueError, match=f"(?i){message}"):
        parse_amount(text, currency)


def test_parse_amount_allow_zero():
    assert parse_amount("0", "KES", allow_zero=True) == Money(0, "KES")
    with pytest.raises(ValueError):
        parse_amount("-0", "KES", allow_zero=True)


@given(st.text(max_size=30), st.sampled_from(CURRENCIES))
def test_parse_amount_only_ever_raises_value_error(text, currency):
    try:
        m = parse_amount(text, currency)
    except ValueError:
        return
    assert m.currency == currency
    assert 0 < m.amount_minor <= MAX_MAJOR_UNITS * 10 ** precision(currency)


# --- provider values ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("KES 375.0000", Money(37500, "KES")),
        ("KES 375.5000", Money(37550, "KES")),
        ("KES 0.0100", Money(1, "KES")),
        ("KES 0.0000", Money(0, "KES")),
        ("UGX 5000.0000", Money(5000, "UGX")),
        ("TZS 1000.5000", Money(100050, "TZS")),  # ISO digits: provider amounts kept exactly
        ("NGN 100", Money(10000, "NGN")),
        (" KES 375.0000\n", Money(37500, "KES")),
    ],
)
def test_parse_provider_value(text, expected):
    """Africa's Talking's `value` as the provider reads it, then as commerce counts it."""
    assert provider_value(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "KES 375.0050",  # half a cent
        "UGX 5000.5000",
        "KES -375.0000",
        "kes 375.0000",
        "XYZ 1.0000",
        "KES",
        "375.0000",
        "KES 1e3",
        "KES NaN",
        "KES 3,750.00",
        "",
        "KES " + "9" * 80,
    ],
)
def test_parse_provider_value_rejects(text):
    with pytest.raises(ValueError):
        provider_value(text)


def provider_value(text: str) -> Money:
    """The webhook's path: the provider's parse (None: not its shape), then commerce's exact Money."""
    from commerce.payments import received_value
    from providers.africastalking.payments import parse_notification

    notice = parse_notification(json.dumps({"transactionId": "ATPid_1", "status": "Success", "value": text}).encode())
    return received_value(notice.amount, notice.currency)


# --- formatting --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("money", "text"),
    [
        (Money(120000, "KES"), "KES 1,200"),
        (Money(120050, "KES"), "KES 1,200.50"),
        (Money(120005, "KES"), "KES 1,200.05"),
        (Money(5, "KES"), "KES 0.05"),
        (Money(0, "KES"), "KES 0"),
        (Money(-120050, "KES"), "KES -1,200.50"),
        (Money(5000, "UGX"), "UGX 5,000"),
        (Money(1200000, "TZS"), "TZS 12,000"),
        (Money(1234550, "TZS"), "TZS 12,346"),  # whole shillings, rounded half-up
        (Money(1234549, "TZS"), "TZS 12,345"),
        (Money(-1234550, "TZS"), "TZS -12,346"),
        (Money(-49, "TZS"), "TZS 0"),
        (Money(888800, "CNY"), "CNY 8,888"),
        (Money(888880, "CNY"), "CNY 8,888.80"),
        (Money(123456789, "NGN"), "NGN 1,234,567.89"),
    ],
)
@pytest.mark.parametrize("locale", LOCALES)
def test_format_money(money, text, locale):
    assert format_money(money, locale) == text


def test_format_money_is_gsm7_safe_even_where_the_locale_is_not():
    # French groups with U+202F and Polish with U+00A0; neither survives GSM-7.
    assert format_money(Money(123456789, "KES"), "fr") == "KES 1 234 567,89"
    assert format_money(Money(123456789, "KES"), "pl") == "KES 1 234 567,89"


@given(
    st.sampled_from(CURRENCIES),
    st.integers(min_value=0, max_value=MAX_MAJOR_UNITS),
    st.sampled_from(LOCALES),
)
def test_parse_format_round_trip_for_whole_amounts(currency, major, locale):
    m = Money(major * 10 ** precision(currency), currency)
    text = format_money(m, locale)
    assert text.isascii()
    assert parse_amount(text, currency, allow_zero=True) == m
    assert parse_amount(text.removeprefix(currency + " "), currency, allow_zero=True) == m


@given(st.sampled_from(["KES", "CNY", "NGN"]), st.integers(min_value=0, max_value=10**14))
def test_parse_format_round_trip_with_decimals(currency, minor):
    m = Money(minor, currency)
    assert parse_amount(format_money(m), currency, allow_zero=True) == m


# --- Decimal, conversion and the one rounding rule ---------------------------------------


def test_to_and_from_decimal():
    assert to_decimal(Money(120050, "KES")) == Decimal("1200.50")
    assert str(to_decimal(Money(120050, "KES"))) == "1200.50"
    assert to_decimal(Money(5000, "UGX")) == Decimal(5000)
    assert from_decimal(Decimal("1200.505"), "KES") == Money(120051, "KES")
    assert from_decimal(Decimal("-1200.505"), "KES") == Money(-120051, "KES")
    assert from_decimal(Decimal("1200.505"), "KES", ROUND_DOWN) == Money(120050, "KES")
    assert from_decimal(Decimal("4999.5"), "UGX") == Money(5000, "UGX")
    assert from_decimal(12, "UGX") == Money(12, "UGX")
    with pytest.raises(TypeError):
        from_decimal(1.5, "KES")
    for bad in ["NaN", "Infinity", "1E+999999"]:
        with pytest.raises(ValueError):
            from_decimal(Decimal(bad), "KES")


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(CURRENCIES))
def test_decimal_round_trip(minor, currency):
    m = Money(minor, currency)
    assert from_decimal(to_decimal(m), currency) == m


def test_convert_examples():
    assert convert(Money(100000, "KES"), "UGX", Decimal("28.735")) == Money(28735, "UGX")
    assert convert(Money(100, "KES"), "UGX", Decimal("28.5")) == Money(29, "UGX")  # half up
    assert convert(Money(100, "KES"), "UGX", Decimal("28.49")) == Money(28, "UGX")
    assert convert(Money(5000, "UGX"), "KES", Decimal("0.0348")) == Money(17400, "KES")
    assert convert(Money(1, "CNY"), "KES", Decimal("18.05")) == Money(18, "KES")  # 0.1805
    assert convert(Money(100, "TZS"), "KES", Decimal("0.05")) == Money(5, "KES")


def test_convert_refuses_bad_rates():
    m = Money(100, "KES")
    with pytest.raises(TypeError):
        convert(m, "UGX", 28.5)
    for bad in ["0", "-1", "NaN", "Infinity"]:
        with pytest.raises(ValueError):
            convert(m, "UGX", Decimal(bad))
    with pytest.raises(ValueError):
        convert(m, "XYZ", Decimal(1))


rates = st.decimals(
    min_value=Decimal("0.000001"), max_value=Decimal(100000), places=6, allow_nan=False
)


@given(
    st.integers(min_value=-(10**15), max_value=10**15),
    st.sampled_from(CURRENCIES),
    st.sampled_from(CURRENCIES),
    rates,
)
def test_conversion_is_within_half_a_minor_unit_of_the_exact_product(minor, src, dst, rate):
    m = Money(minor, src)
    result = convert(m, dst, rate)
    exact = to_decimal(m) * rate  # both factors are short: the default context is exact here
    assert exact == Decimal(minor) * rate / Decimal(10) ** precision(src)
    half_unit = Decimal(1).scaleb(-precision(dst)) / 2
    error = abs(to_decimal(result) - exact)
    assert error <= half_unit
    if error == half_unit:  # a tie goes away from zero
        assert abs(to_decimal(result)) > abs(exact)


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(CURRENCIES))
def test_convert_at_rate_one_to_the_same_currency_is_identity(minor, currency):
    m = Money(minor, currency)
    assert convert(m, currency, Decimal(1)) == m


# --- currency of a phone number ----------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "currency"),
    [
        ("+254712345678", "KES"),
        ("+255712345678", "TZS"),
        ("+256772123456", "UGX"),
        ("+8613800138000", "CNY"),
        ("+2348031234567", "NGN"),
        ("+250788123456", "RWF"),
    ],
)
def test_currency_for_phone(phone, currency):
    assert currency_for_phone(phone) == currency


@pytest.mark.parametrize("bad", ["", "0712345678", "+2547123456789", "+999123456", "junk"])
def test_currency_for_phone_rejects(bad):
    with pytest.raises(ValueError):
        currency_for_phone(bad)


def test_babel_territories_agree():
    assert get_territory_currencies("TZ")[0] == "TZS"
