"""The agent's commission (SPEC §13): AGENT_COMMISSION_PERCENT of a delivered order's total, in its
currency, in integer minor units, by the one rounding rule (exact, half-up, once). The oracle
below computes it another way: with fractions, rounding by hand."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commerce import agent_money, money

# (currency, the minor units one payable step is): KES pays in cents, TZS and UGX in whole units.
CURRENCIES = [("KES", 1), ("TZS", 100), ("UGX", 1), ("NGN", 1)]
amounts = st.integers(min_value=0, max_value=10**12)
percents = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


def _oracle(amount_minor: int, percent: Decimal, step: int) -> int:
    exact = Fraction(amount_minor) * Fraction(percent) / 100 / step
    whole, rest = divmod(exact, 1)
    return int(whole + (1 if rest >= Fraction(1, 2) else 0)) * step


@given(amounts, percents, st.sampled_from(CURRENCIES))
def test_commission_is_the_exact_share_rounded_half_up_once(amount, percent, currency_step):
    currency, step = currency_step
    got = agent_money.commission_on(money.Money(amount, currency), percent)
    assert got.currency == currency and isinstance(got.amount_minor, int)
    assert got.amount_minor == _oracle(amount, percent, step)
    # Never more than half a payable step from the exact share, and a whole number of steps.
    assert abs(Fraction(got.amount_minor) - Fraction(amount) * Fraction(percent) / 100) <= Fraction(step, 2)
    assert got.amount_minor % step == 0


@given(amounts, amounts, percents)
def test_more_money_never_earns_less(a, b, percent):
    low, high = sorted((a, b))
    assert (agent_money.commission_on(money.Money(low, "KES"), percent).amount_minor
            <= agent_money.commission_on(money.Money(high, "KES"), percent).amount_minor)


@pytest.mark.parametrize(("amount", "currency", "percent", "expected"), [
    (36000, "KES", "5", 1800),  # KES 360 -> KES 18
    (36010, "KES", "5", 1801),  # 1800.5 cents: half goes up
    (36009, "KES", "5", 1800),  # 1800.45 cents: rounded once, not 1800.45 -> 1800.5 -> 1801
    (1234567, "TZS", "2.5", 30900),  # TZS 308.64 -> TZS 309: whole shillings, as cash pays
    (1250, "UGX", "2", 25),
    (99, "KES", "0", 0),
    (99, "KES", "100", 99),
])
def test_examples(amount, currency, percent, expected):
    assert agent_money.commission_on(money.Money(amount, currency), Decimal(percent)).amount_minor == expected


def test_a_percent_that_is_no_number_is_refused():
    with pytest.raises(TypeError):
        money.percent_of(money.Money(100, "KES"), 5.0)
    with pytest.raises(ValueError):
        money.percent_of(money.Money(100, "KES"), Decimal(-1))
