import random
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commerce import codes
from commerce.codes import (
    check_digit,
    is_valid,
    new_order_code,
    product_code,
    product_id_from_code,
    seller_id_from_code,
    shop_code,
    with_check,
)

payloads = st.text(alphabet=string.digits, min_size=1, max_size=20)
valid_codes = payloads.map(with_check)


# --- the table itself: the properties Damm's guarantees rest on ---------------------------


def test_damm_table_is_a_quasigroup_with_zero_diagonal():
    table = codes._DAMM
    digits = set(range(10))
    assert all(set(row) == digits for row in table)
    assert all({row[j] for row in table} == digits for j in range(10))
    assert all(table[i][i] == 0 for i in range(10))


def test_damm_table_is_weakly_totally_antisymmetric():
    # (c*x)*y == (c*y)*x only when x == y: this is what catches adjacent transpositions.
    table = codes._DAMM
    for c in range(10):
        for x in range(10):
            for y in range(10):
                if x != y:
                    assert table[table[c][x]][y] != table[table[c][y]][x]


# --- known values -----------------------------------------------------------------------


def test_known_check_digit():
    # The worked example in Damm's algorithm descriptions.
    assert check_digit("572") == "4"
    assert with_check(572) == with_check("572") == "5724"
    assert is_valid("5724")


# --- error detection --------------------------------------------------------------------


@given(valid_codes, st.data())
def test_every_single_digit_substitution_is_rejected(code, data):
    i = data.draw(st.integers(0, len(code) - 1))
    new = data.draw(st.sampled_from(string.digits).filter(lambda d: d != code[i]))
    assert not is_valid(code[:i] + new + code[i + 1 :])


@given(valid_codes)
def test_all_substitutions_exhaustively(code):
    for i, old in enumerate(code):
        for new in string.digits:
            if new != old:
                assert not is_valid(code[:i] + new + code[i + 1 :])


@given(valid_codes)
def test_every_adjacent_swap_of_differing_digits_is_rejected(code):
    for i in range(len(code) - 1):
        if code[i] != code[i + 1]:
            assert not is_valid(code[:i] + code[i + 1] + code[i] + code[i + 2 :])


# --- round trips ------------------------------------------------------------------------


@given(payloads)
def test_with_check_round_trip(payload):
    code = with_check(payload)
    assert len(code) == len(payload) + 1
    assert is_valid(code)
    assert code[:-1] == payload


@given(st.integers(min_value=0, max_value=10**30))
def test_int_payload_round_trip(n):
    assert int(with_check(n)[:-1]) == n


@given(st.integers(min_value=1, max_value=10**9))
def test_product_code_round_trip(product_id):
    code = product_code(product_id)
    assert product_id_from_code(code) == product_id


def test_product_code_width():
    assert len(product_code(1)) == 6
    assert len(product_code(89_999)) == 6
    assert len(product_code(90_000)) == 7
    assert product_code(1) == with_check(10_001)


@pytest.mark.parametrize("bad", [0, -1, True, "5"])
def test_product_code_refuses_non_ids(bad):
    with pytest.raises(ValueError):
        product_code(bad)


def test_product_id_from_code_rejects_non_canonical_and_invalid():
    code = product_code(1)
    assert product_id_from_code("0" + code) is None  # valid Damm, but not the canonical spelling
    assert is_valid("0" + code)
    assert product_id_from_code(with_check(9_999)) is None  # below the offset
    assert product_id_from_code(with_check(10_000)) is None  # product id 0
    assert product_id_from_code(code[:-1] + str((int(code[-1]) + 1) % 10)) is None
    assert product_id_from_code("") is None
    # Valid codes for ids no INTEGER column holds: no product (never a driver's OverflowError).
    assert product_id_from_code(product_code(2**31 - 1)) == 2**31 - 1
    assert product_id_from_code(product_code(2**31)) is None
    assert product_id_from_code(with_check(10**29)) is None
    assert seller_id_from_code(shop_code(2**31)) is None


def test_new_order_code_shape():
    for _ in range(200):
        code = new_order_code()
        assert len(code) == 7
        assert code[0] != "0"
        assert is_valid(code)


def test_new_order_code_is_reproducible_with_a_seeded_rng_and_widens():
    assert new_order_code(random.Random(7)) == new_order_code(random.Random(7))
    wide = new_order_code(width=9)
    assert len(wide) == 10 and is_valid(wide)
    with pytest.raises(ValueError):
        new_order_code(width=0)


# --- junk input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "junk",
    [
        *["", "0", "7", "abc", "57a4", " 5724", "5724 ", "57 24", "-5724", "+5724", "5724\n"],
        *["١٢٣", "٥٧٢٤", "５７２４", "57²4"],  # digits to str.isdigit(), not on a keypad
    ],
)
def test_junk_is_rejected(junk):
    assert not is_valid(junk)
    assert product_id_from_code(junk) is None


@pytest.mark.parametrize("junk", ["", "12a", "١٢٣", " 1"])
def test_check_digit_refuses_junk(junk):
    with pytest.raises(ValueError):
        check_digit(junk)
    with pytest.raises(ValueError):
        with_check(junk)


def test_with_check_refuses_negative_and_non_numbers():
    with pytest.raises(ValueError):
        with_check(-1)
    with pytest.raises(TypeError):
        with_check(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        with_check(True)


@given(st.text())
def test_is_valid_never_raises(text):
    result = is_valid(text)
    assert isinstance(result, bool)
    assert product_id_from_code(text) is None or is_valid(text)
