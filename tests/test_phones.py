import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from commerce import phones
from commerce.phones import mask, normalize, region_of


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("0712 345 678", "KE", "+254712345678"),
        ("0712345678", "KE", "+254712345678"),
        ("0712-345-678", "KE", "+254712345678"),
        ("(0712) 345678", "KE", "+254712345678"),
        ("  +254712345678 ", "KE", "+254712345678"),
        ("+254 712 345 678", "TZ", "+254712345678"),
        ("254712345678", "KE", "+254712345678"),
        ("255712345678", "KE", "+255712345678"),  # foreign number typed without '+'
        ("256772123456", "KE", "+256772123456"),
        ("0712 345 678", "TZ", "+255712345678"),
        ("0772 123456", "UG", "+256772123456"),
        ("+86 138 0013 8000", "KE", "+8613800138000"),
        ("0803 123 4567", "NG", "+2348031234567"),
        ("٠٧١٢٣٤٥٦٧٨", "KE", "+254712345678"),  # Arabic-Indic digits are still digits
    ],
)
def test_normalize(raw, region, expected):
    assert normalize(raw, region) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "hello",
        "123",
        "١٢٣",
        "+2547123456789",  # one digit too many
        "+25471234567",  # one digit too few
        "0112",
        "+254 012 345 678",  # possible length, but no such range: keep invalid numbers out
        "0800 FLOWERS",  # vanity letters
        "0712345678 ext 5",  # extension
        "0712345678#12",
        "+" + "7" * 40,  # too long to even parse
        "0712345678" * 5,
        "\x00",
    ],
)
def test_normalize_rejects(raw):
    with pytest.raises(ValueError, match="Not a phone number"):
        normalize(raw)


def test_normalize_unknown_default_region_is_a_value_error():
    with pytest.raises(ValueError):
        normalize("0712345678", "XX")
    assert normalize("+254712345678", "XX") == "+254712345678"


@given(st.text(max_size=40))
@example("0712345678")
@example("254712345678")
@example("+1 650 253 0000")
def test_any_text_normalizes_idempotently_or_raises_value_error(text):
    try:
        e164 = normalize(text)
    except ValueError:
        return
    assert e164.startswith("+") and e164[1:].isascii() and e164[1:].isdigit()
    assert normalize(e164) == e164
    assert normalize(e164, "US") == e164


@given(
    st.from_regex(r"\+?[0-9][0-9 ()-]{5,18}", fullmatch=True),
    st.sampled_from(["KE", "TZ", "UG", "CN", "NG"]),
)
def test_digit_strings_normalize_idempotently_or_raise_value_error(text, region):
    try:
        e164 = normalize(text, region)
    except ValueError:
        return
    assert normalize(e164, region) == e164
    assert normalize(e164) == e164


@pytest.mark.parametrize(
    ("e164", "region"),
    [
        ("+254712345678", "KE"),
        ("+255712345678", "TZ"),
        ("+256772123456", "UG"),
        ("+8613800138000", "CN"),
        ("+2348031234567", "NG"),
        ("+250788123456", "RW"),
    ],
)
def test_region_of(e164, region):
    assert region_of(e164) == region


@given(
    st.from_regex(r"\+?[0-9][0-9 ()-]{5,18}", fullmatch=True),
    st.sampled_from(["KE", "TZ", "UG", "CN", "NG", "US"]),
)
@example("+1 650 253 0000", "KE")
@example("+800 1234 5678", "KE")  # valid, but of no region
def test_region_of_a_normalized_number_is_the_region_of_a_fresh_parse(text, region):
    """normalize remembers the region from its own parse; region_of gives what parsing the E.164
    again would have given (ValueError for a number of no region)."""
    try:
        e164 = normalize(text, region)
    except ValueError:
        return
    remembered = phones._REGIONS.get(e164)
    phones._REGIONS.pop(e164, None)
    try:
        fresh = region_of(e164)
    except ValueError:
        fresh = None
    assert remembered == fresh
    if fresh is not None:
        assert region_of(e164) == fresh


@pytest.mark.parametrize("bad", ["", "0712345678", "+2547123456789", "+999123456", "junk"])
def test_region_of_rejects(bad):
    with pytest.raises(ValueError):
        region_of(bad)


@pytest.mark.parametrize(
    ("e164", "masked"),
    [
        ("+254712345678", "+2547******78"),
        ("+256772123456", "+2567******56"),
        ("+8613800138000", "+861********00"),
    ],
)
def test_mask(e164, masked):
    assert mask(e164) == masked


def test_mask_hides_junk_entirely():
    assert mask("0712345678") == "**********"
    assert mask("") == ""
    assert len(mask("x" * 1000)) == 32


@given(st.text(max_size=40))
def test_mask_never_raises_and_never_shows_the_middle(text):
    masked = mask(text)
    assert isinstance(masked, str)
    try:
        e164 = normalize(text)
    except ValueError:
        return
    shown = mask(e164)
    visible = len(shown) - shown.count("*")
    assert len(shown) == len(e164)
    assert shown[-2:] == e164[-2:]
    assert e164.startswith(shown[: visible - 2])
    assert set(shown[visible - 2 : -2]) <= {"*"}
