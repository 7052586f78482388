from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from receipts.errors import AmountError
from receipts.money import MAX_AMOUNT, amount_in_words, format_vnd

WORDS = {
    0: "Không đồng",
    5: "Năm đồng",
    10: "Mười đồng",
    11: "Mười một đồng",
    15: "Mười lăm đồng",
    21: "Hai mươi mốt đồng",
    24: "Hai mươi tư đồng",
    25: "Hai mươi lăm đồng",
    101: "Một trăm linh một đồng",
    105: "Một trăm linh năm đồng",
    110: "Một trăm mười đồng",
    1_005: "Một nghìn không trăm linh năm đồng",
    10_500: "Mười nghìn năm trăm đồng",
    1_000_000: "Một triệu đồng",
    1_000_005: "Một triệu không trăm linh năm đồng",
    1_234_000: "Một triệu hai trăm ba mươi tư nghìn đồng",
    2_000_000_000: "Hai tỷ đồng",
    14: "Mười bốn đồng",
    104: "Một trăm linh bốn đồng",
    1_000_010: "Một triệu không trăm mười đồng",
    200_000: "Hai trăm nghìn đồng",
    999_999_999_999: "Chín trăm chín mươi chín tỷ chín trăm chín mươi chín triệu chín trăm chín "
    "mươi chín nghìn chín trăm chín mươi chín đồng",
}


@pytest.mark.parametrize(("amount", "words"), WORDS.items())
def test_amount_in_words(amount: int, words: str) -> None:
    assert amount_in_words(amount) == words


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0, "0 đ"),
        (5, "5 đ"),
        (1_000, "1.000 đ"),
        (1_234_000, "1.234.000 đ"),
        (2_000_000_000, "2.000.000.000 đ"),
    ],
)
def test_format_vnd(amount: int, text: str) -> None:
    assert format_vnd(amount) == text


@pytest.mark.parametrize("bad", [-1, 1.5, "100", True, MAX_AMOUNT + 1])
def test_bad_amounts_are_refused(bad: object) -> None:
    with pytest.raises(AmountError):
        amount_in_words(bad)  # type: ignore[arg-type]


_DIGITS = {
    "không": 0,
    "một": 1,
    "mốt": 1,
    "hai": 2,
    "ba": 3,
    "bốn": 4,
    "tư": 4,
    "năm": 5,
    "lăm": 5,
    "sáu": 6,
    "bảy": 7,
    "tám": 8,
    "chín": 9,
}


def _parse_group(tokens: list[str]) -> int:
    hundreds = 0
    if "trăm" in tokens:
        hundreds = _DIGITS[tokens[0]]
        tokens = tokens[2:]
    if not tokens:
        return hundreds * 100
    if tokens[0] == "linh":
        return hundreds * 100 + _DIGITS[tokens[1]]
    if tokens[0] == "mười":
        return hundreds * 100 + 10 + (_DIGITS[tokens[1]] if len(tokens) > 1 else 0)
    if len(tokens) > 1 and tokens[1] == "mươi":
        return (
            hundreds * 100
            + 10 * _DIGITS[tokens[0]]
            + (_DIGITS[tokens[2]] if len(tokens) > 2 else 0)
        )
    assert len(tokens) == 1, tokens
    return hundreds * 100 + _DIGITS[tokens[0]]


def _parse(words: str) -> int:
    """An independent reader of the words, to show they say the amount they were made from."""
    scales = {"nghìn": 1_000, "triệu": 1_000_000, "tỷ": 1_000_000_000}
    total, group = 0, list[str]()
    for tok in words.lower().removesuffix(" đồng").split():
        if tok in scales:
            total += _parse_group(group) * scales[tok]
            group = []
        else:
            assert tok in _DIGITS or tok in ("trăm", "mười", "mươi", "linh"), tok
            group.append(tok)
    return total + (_parse_group(group) if group else 0)


@settings(max_examples=3000, deadline=None)
@given(st.integers(min_value=0, max_value=MAX_AMOUNT))
def test_words_are_defined_and_read_back(amount: int) -> None:
    words = amount_in_words(amount)
    assert words[0].isupper() and words.endswith(" đồng")
    assert "  " not in words
    # Reading the words back gives the amount: so two amounts never share their words.
    assert _parse(words) == amount


@settings(max_examples=500, deadline=None)
@given(
    st.integers(min_value=0, max_value=MAX_AMOUNT), st.integers(min_value=0, max_value=MAX_AMOUNT)
)
def test_words_are_unique(a: int, b: int) -> None:
    if a != b:
        assert amount_in_words(a) != amount_in_words(b)
