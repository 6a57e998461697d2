"""Pay-later arithmetic on its own (commerce/schedule.py), no database: instalments always sum to the
price, money paid in any parts (overpayments too) is spread once and only once, reminders and
arrears fall on the days SPEC §15 names, and the limit grows by half per cycle repaid on time."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from commerce import money, schedule

CURRENCIES = ["KES", "TZS", "UGX", "GHS", "NGN", "USD"]  # two digits, whole-unit cash (TZS), none (UGX)


@st.composite
def plans(draw):
    cur = draw(st.sampled_from(CURRENCIES))
    unit = schedule.step(cur)
    total = draw(st.integers(0, 10_000_000)) * unit  # a payable price
    weeks = draw(st.integers(1, 26))
    parts = draw(st.lists(st.integers(1, 2_000_000).map(lambda n, u=unit: n * u), max_size=12))
    return cur, total, weeks, parts


@given(plans())
def test_instalments_sum_to_the_price_and_each_payment_is_counted_once(plan):
    cur, total, weeks, parts = plan
    amounts = schedule.split(total, weeks, cur)
    # Equal instalments, the remainder of the division on the last one, each payable exactly.
    assert sum(amounts) == total and len(amounts) == weeks
    whole = 10 ** money.precision(cur)
    assert len(set(amounts[:-1])) <= 1 and 0 <= amounts[-1] - amounts[0] < weeks * whole
    assert all(a % whole == 0 for a in amounts[:-1]) and all(a % schedule.step(cur) == 0 for a in amounts)
    paid = 0
    previous = [0] * weeks
    for part in parts:  # any number of part payments, some beyond the price
        paid += part
        shares = schedule.spread(paid, amounts)
        # Never more than an instalment, never less than before, and nothing counted twice: the
        # instalments hold exactly what came in, up to the price; the rest is owed back.
        assert all(0 <= s <= a for s, a in zip(shares, amounts, strict=True))
        assert all(s >= p for s, p in zip(shares, previous, strict=True))
        assert sum(shares) == min(paid, total)
        owed_back = paid - sum(shares)
        assert owed_back == max(paid - total, 0)
        # Oldest first: an instalment is touched only once those before it are paid in full.
        first_open = next((i for i, (s, a) in enumerate(zip(shares, amounts, strict=True)) if s < a), weeks)
        assert all(s == 0 for s in shares[first_open + 1:])
        previous = shares


def test_the_remainder_goes_on_the_last_instalment():
    assert schedule.split(21000, 4, "KES") == [5200, 5200, 5200, 5400]  # KES 210 in 4: 52, 52, 52, 54
    assert schedule.split(100050, 3, "KES") == [33300, 33300, 33450]  # cents on the last: 333, 333, 334.50
    assert schedule.split(1000000, 3, "TZS") == [333300, 333300, 333400]  # whole shillings only
    assert schedule.split(1000, 3, "UGX") == [333, 333, 334]


def test_due_days_reminders_and_arrears_fall_on_whole_days():
    placed = datetime(2026, 3, 2, 16, 45)  # a Monday afternoon
    days = schedule.due_days(placed, 4)
    assert days == [datetime(2026, 3, 9), datetime(2026, 3, 16), datetime(2026, 3, 23), datetime(2026, 3, 30)]
    due = days[0]
    assert schedule.reminder_due(due, datetime(2026, 3, 7, 6, 59)) == 0
    assert schedule.reminder_due(due, datetime(2026, 3, 7, 7, 0)) == 1  # two days before
    assert schedule.reminder_due(due, datetime(2026, 3, 9, 8, 0)) == 2  # on the day
    assert schedule.reminder_due(due, datetime(2026, 3, 12, 7, 0)) == 3  # three days after
    assert not schedule.in_arrears(due, True, datetime(2026, 3, 15, 23, 59))
    assert schedule.in_arrears(due, True, datetime(2026, 3, 16))  # 7 days late
    assert not schedule.in_arrears(due, False, datetime(2026, 4, 1))
    assert schedule.on_time(datetime(2026, 3, 9, 23, 59), due) and not schedule.on_time(datetime(2026, 3, 10), due)


@given(st.sampled_from(CURRENCIES), st.integers(1, 10**7), st.integers(0, 40), st.integers(1, 10**8))
def test_the_limit_grows_by_half_per_cycle_on_time_and_never_passes_the_cap(cur, first, cycles, cap):
    unit = schedule.step(cur)
    first, cap = first * unit, max(cap * unit, first * unit)
    limit = schedule.limit(first, cycles, cap, cur)
    assert limit <= cap and limit % unit == 0
    assert limit >= min(first, cap)
    assert schedule.limit(first, cycles + 1, cap, cur) >= limit


def test_limit_examples():
    assert schedule.limit(200000, 0, 500000, "KES") == 200000
    assert schedule.limit(200000, 1, 500000, "KES") == 300000
    assert schedule.limit(200000, 2, 500000, "KES") == 450000
    assert schedule.limit(200000, 3, 500000, "KES") == 500000  # 675,000 capped by the seller's max
    assert schedule.limit(100100, 1, 10**9, "TZS") == 150200  # TZS 1,001 x 1.5 = 1,501.5 -> 1,502


def test_next_due_is_the_first_instalment_not_paid_in_full():
    days = [datetime(2026, 3, 9) + timedelta(weeks=k) for k in range(3)]
    assert schedule.next_due([100, 100, 100], days, [100, 40, 0]) == schedule.Due(60, days[1])
    assert schedule.next_due([100, 100, 100], days, [100, 100, 100]) is None
