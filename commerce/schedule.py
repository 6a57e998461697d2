"""Pay-later arithmetic, pure (no database): the weekly instalments of a price, how money paid is
spread over them, which reminder is due, and the credit limit (SPEC §15).

Amounts are integer minor units of the order's currency, at the precision people pay in
(`money.display_digits`: whole shillings for TZS), so every instalment can be paid exactly.
Credit is incidental to the sale: the instalments sum to the price, never more (no interest).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from commerce import money

WEEK = timedelta(days=7)
ARREARS_AFTER = timedelta(days=7)  # an instalment this late (from the start of its day) is arrears
# Reminder n is due at its offset from the start of the due day (REMIND_AT_HOUR UTC that day):
# 1 two days before, 2 on the day, 3 three days after, 4 the arrears notice.
REMIND_AT_HOUR = timedelta(hours=7)  # 10:00 in East Africa, 07:00 in Ghana: not in the night
REMINDERS = {1: timedelta(days=-2), 2: timedelta(0), 3: timedelta(days=3)}
ARREARS_NOTICE = 4
RAISE_PER_CYCLE = Decimal("1.5")  # each cycle repaid on time raises the limit by half


def step(currency: str) -> int:
    """The smallest amount people pay, in minor units (100 for TZS: whole shillings)."""
    return 10 ** (money.precision(currency) - money.display_digits(currency))


def split(total_minor: int, weeks: int, currency: str) -> list[int]:
    """`total_minor` in `weeks` equal instalments of whole units of the currency (M-Pesa takes whole
    shillings); the remainder of the division, cents included, goes on the last. They sum to
    exactly `total_minor`."""
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    if total_minor < 0:
        raise ValueError("the total cannot be negative")
    unit = 10 ** money.precision(currency)
    units, odd = divmod(total_minor, unit)
    each = units // weeks
    amounts = [each * unit] * weeks
    amounts[-1] = (units - each * (weeks - 1)) * unit + odd  # odd is 0 for a payable total
    return amounts


def due_days(placed_at: datetime, weeks: int) -> list[datetime]:
    """Instalment k is due k weeks after the day of the order (00:00 UTC of that day)."""
    day = placed_at.replace(hour=0, minute=0, second=0, microsecond=0)
    return [day + WEEK * k for k in range(1, weeks + 1)]


def spread(paid_minor: int, amounts: list[int]) -> list[int]:
    """What is paid of each instalment when `paid_minor` has come in: the oldest first. What is
    beyond the total is no instalment's (it is owed back: commerce.payments.credit)."""
    left = max(paid_minor, 0)
    out = []
    for amount in amounts:
        share = min(amount, left)
        out.append(share)
        left -= share
    return out


@dataclass(frozen=True, slots=True)
class Due:
    amount_minor: int
    due_at: datetime


def next_due(amounts: list[int], due_at: list[datetime], paid: list[int]) -> Due | None:
    """The first instalment not paid in full: what is left of it and its day."""
    for amount, at, got in zip(amounts, due_at, paid, strict=True):
        if got < amount:
            return Due(amount - got, at)
    return None


def reminder_due(due_at: datetime, now: datetime) -> int:
    """The latest reminder (1-3) whose time has come for an instalment due on `due_at`; 0 before."""
    latest = 0
    for n, offset in REMINDERS.items():
        if now >= due_at + offset + REMIND_AT_HOUR:
            latest = n
    return latest


def in_arrears(due_at: datetime, unpaid: bool, now: datetime) -> bool:
    return unpaid and now >= due_at + ARREARS_AFTER


def on_time(paid_at: datetime | None, due_at: datetime) -> bool:
    """Paid in full by the end of its due day."""
    return paid_at is not None and paid_at < due_at + timedelta(days=1)


def limit(first_minor: int, cycles_on_time: int, cap_minor: int, currency: str) -> int:
    """The credit limit: the first limit raised by half per cycle repaid on time, computed exactly and
    rounded once (half-up) to what people pay, never above the cap (the seller's max)."""
    raised = Decimal(first_minor) * RAISE_PER_CYCLE ** min(cycles_on_time, 64)
    unit = step(currency)
    payable = int((raised / unit).quantize(Decimal(1), rounding="ROUND_HALF_UP")) * unit
    return min(payable, cap_minor)


__all__ = ["WEEK", "ARREARS_AFTER", "ARREARS_NOTICE", "REMINDERS", "split", "due_days", "spread", "next_due",
           "reminder_due", "in_arrears", "on_time", "limit", "step", "Due"]
