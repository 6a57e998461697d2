"""Hypothesis properties of conversion and settlement: no money is created or lost by rounding
beyond the one stated rule (exact product, then ROUND_HALF_UP once to the target's minor unit;
amounts people pay are whole units where cash has no decimals)."""

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from commerce import money
from commerce.order_state import OrderView, shown_minor

CURRENCIES = ["KES", "TZS", "UGX", "CNY", "RWF", "NGN"]
amounts = st.integers(min_value=0, max_value=10**11)
rates = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("10000"), places=6)


def half_unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-money.precision(currency)) / 2


@given(amounts, st.sampled_from(CURRENCIES), st.sampled_from(CURRENCIES), rates)
def test_conversion_is_the_exact_product_rounded_once(minor, src, dst, rate):
    result = money.convert(money.Money(minor, src), dst, rate)
    exact = money.to_decimal(money.Money(minor, src)) * rate
    assert abs(money.to_decimal(result) - exact) <= half_unit(dst)
    assert money.to_decimal(result) == exact.quantize(Decimal(1).scaleb(-money.precision(dst)), ROUND_HALF_UP)


@given(amounts, amounts, st.sampled_from(CURRENCIES), st.sampled_from(CURRENCIES), rates)
def test_converting_parts_loses_at_most_one_minor_unit(a, b, src, dst, rate):
    whole = money.convert(money.Money(a + b, src), dst, rate)
    parts = money.convert(money.Money(a, src), dst, rate) + money.convert(money.Money(b, src), dst, rate)
    assert abs(whole.amount_minor - parts.amount_minor) <= 1


@given(amounts, st.sampled_from(CURRENCIES))
def test_payable_amounts_are_whole_cash_units_within_half_a_unit(minor, currency):
    step = 10 ** (money.precision(currency) - money.display_digits(currency))
    shown = shown_minor(minor, currency)
    assert shown % step == 0 and abs(shown - minor) * 2 <= step
    assert shown_minor(shown, currency) == shown
    # What people are asked to pay is what they see on screen.
    assert money.format_money(money.Money(shown, currency)) == money.format_money(money.Money(minor, currency))


def _order(total_minor: int, currency: str) -> OrderView:
    return OrderView(1, "1234567", "placed", "cash", total_minor, currency, total_minor, currency, "1", 0, "",
                     None, None, 1, 1, "+254700000001", "en", "+254700000002", "en", "Shop",
                     "+254700000003", "en", "Agent", "Village")


@given(st.integers(min_value=1, max_value=10**9), st.sampled_from(CURRENCIES),
       st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=6))
def test_paying_in_parts_settles_exactly_what_is_payable(total, currency, cuts):
    order = _order(total, currency)
    payable = order.payable.amount_minor
    step = 10 ** (money.precision(currency) - money.display_digits(currency))
    # Split the payable amount into whole cash units, as an agent would record them.
    parts, left = [], payable
    for cut in cuts:
        part = min(left, cut * step)
        if part:
            parts.append(part)
            left -= part
    if left:
        parts.append(left)
    for i, part in enumerate(parts):
        assert not order.paid_in_full
        assert order.due.amount_minor == payable - sum(parts[:i])
        order.paid_minor += part
    assert order.paid_in_full and order.due.amount_minor == 0
    assert order.paid_minor == payable  # nothing created, nothing lost
    assert abs(order.paid_minor - total) * 2 <= step
