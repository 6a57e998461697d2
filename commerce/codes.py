"""Numeric codes that people type (orders, products), guarded by a Damm check digit.

Damm is used rather than Luhn because it catches every single-digit error *and* every
adjacent transposition (Luhn misses 09<->90), with a single decimal check digit and no
letters, so codes stay typeable on a phone keypad.
"""

from __future__ import annotations

import secrets
from typing import Protocol

# The order-10 weakly totally anti-symmetric quasigroup from H. Michael Damm's 2004 thesis
# (the table every Damm implementation uses). No dependency of this project ships it; the
# tests verify the properties the algorithm relies on, so a typo here cannot go unnoticed.
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

# Offset so product codes have at least 5 payload digits from the first product on.
_PRODUCT_OFFSET = 10_000



class _Chooser(Protocol):
    def choice(self, seq: range) -> int: ...


def _is_ascii_digits(text: object) -> bool:
    # str.isdigit() alone accepts "١٢٣" and "²"; codes are ASCII keypad digits only.
    return isinstance(text, str) and text.isascii() and text.isdigit()


def _interim(digits: str) -> int:
    state = 0
    for ch in digits:
        state = _DAMM[state][ord(ch) - 48]
    return state


def check_digit(digits: str) -> str:
    """The Damm check digit for a non-empty string of ASCII digits."""
    if not _is_ascii_digits(digits):
        raise ValueError(f"Not a digit string: {digits!r}")
    return str(_interim(digits))


def with_check(n: int | str) -> str:
    """Append the check digit to a non-negative int or a string of ASCII digits."""
    if isinstance(n, bool) or not isinstance(n, int | str):
        raise TypeError(f"Expected int or str, got {type(n).__name__}")
    if isinstance(n, int):
        if n < 0:
            raise ValueError(f"Code payload must not be negative: {n}")
        n = str(n)
    return n + check_digit(n)


def is_valid(code: str) -> bool:
    """True for ASCII digits, at least 2 long, whose last digit checks. Never raises."""
    # A valid Damm string (payload + check digit) always runs the interim digit back to 0.
    return _is_ascii_digits(code) and len(code) >= 2 and _interim(code) == 0


def new_order_code(rng: _Chooser = secrets, width: int = 6) -> str:
    """A random order code: `width` digits (first non-zero, so none is lost to int()) + check.

    Uniqueness is the database's job: callers retry on a unique-constraint collision and
    may widen `width` when the space gets crowded.
    """
    if width < 1:
        raise ValueError(f"width must be at least 1: {width}")
    # One draw over the whole range (not one per digit: each draw from `secrets` reads urandom).
    return with_check(str(rng.choice(range(10 ** (width - 1), 10 ** width))))


MAX_ID = 2**31 - 1  # the id columns' INTEGER: a larger id is no row's


def product_code(product_id: int) -> str:
    """Deterministic code for a product id (>= 1): 5 payload digits + check, growing later."""
    if isinstance(product_id, bool) or not isinstance(product_id, int) or product_id < 1:
        raise ValueError(f"Product id must be a positive int: {product_id!r}")
    return with_check(product_id + _PRODUCT_OFFSET)


def product_id_from_code(code: str) -> int | None:
    """The product id behind a product code, or None if the code is not a valid one."""
    if not is_valid(code):
        return None
    product_id = int(code[:-1]) - _PRODUCT_OFFSET
    # Only the canonical spelling counts: "0100014" must not alias "100014"; and no id past the
    # id column's INTEGER (a 30-digit code once reached SQLite's driver as an OverflowError).
    if not 1 <= product_id <= MAX_ID or product_code(product_id) != code:
        return None
    return product_id


# Shop codes (SPEC §14: FOLLOW <shop>): 4 payload digits from the first seller on, + check, so the
# first 9,000 shops have 5-digit codes, shorter than any product code. Only FOLLOW, UNFOLLOW and
# STOP <shop> read them, so a longer one meaning a product elsewhere is no ambiguity.
_SHOP_OFFSET = 1_000


def shop_code(seller_id: int) -> str:
    """Deterministic code for a seller id (>= 1): 4 payload digits + check, growing later."""
    if isinstance(seller_id, bool) or not isinstance(seller_id, int) or seller_id < 1:
        raise ValueError(f"Seller id must be a positive int: {seller_id!r}")
    return with_check(seller_id + _SHOP_OFFSET)


def seller_id_from_code(code: str) -> int | None:
    """The seller id behind a shop code, or None if the code is not a valid one."""
    if not is_valid(code):
        return None
    seller_id = int(code[:-1]) - _SHOP_OFFSET
    if not 1 <= seller_id <= MAX_ID or shop_code(seller_id) != code:
        return None
    return seller_id


def new_broadcast_code(rng: _Chooser = secrets, width: int = 3) -> str:
    """A broadcast's confirmation code (YES 5812): `width` random digits + check."""
    return new_order_code(rng, width)
