"""Vietnamese money text: figures (``1.234.000 đ``) and the amount in words as receipts print it.

Convention for words (the one Vietnamese accounting software prints on receipts and invoices,
stated here because ``num2words(lang="vi")`` follows another):

- numbers are read in groups of three digits: tỷ, triệu, nghìn, units; a group that is zero is
  left out ("một triệu đồng", "hai tỷ đồng");
- a non-leading group that is not zero reads its hundreds even when they are zero:
  1.005 → "một nghìn không trăm linh năm", 1.000.005 → "một triệu không trăm linh năm";
- zero tens before a non-zero unit read "linh" (105 → "một trăm linh năm");
- "mười" for ten, "mươi" for the other tens; the unit 1 after a tens of 2 and above reads
  "mốt", 4 reads "tư", 5 after any tens reads "lăm" (15, 25, 105 keeps "năm" after "linh");
- the first letter is capitalised and "đồng" closes the phrase; 0 is "Không đồng".
"""

from __future__ import annotations

from .errors import AmountError

MAX_AMOUNT = 999_999_999_999
"""The largest amount written in words: up to 999 tỷ."""

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_GROUP_NAMES = ("", "nghìn", "triệu", "tỷ")


def _check(amount: int) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise AmountError(
            f"Số tiền phải là số nguyên đồng, không phải {type(amount).__name__} / "
            "an amount must be an integer number of đồng"
        )
    if amount < 0:
        raise AmountError(f"Số tiền âm: {amount} / negative amount")


def format_vnd(amount: int, *, unit: str = " đ") -> str:
    """``1234000`` → ``"1.234.000 đ"`` (dots between thousands, as Vietnamese writes them)."""
    _check(amount)
    return f"{amount:,}".replace(",", ".") + unit


def _three_digits(n: int, *, full: bool) -> list[str]:
    """Words of 0 < n < 1000; ``full`` reads "không trăm" for a non-leading group."""
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append("linh")
            words.append(_DIGITS[units])
        return words
    if tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units == 1:
        words.append("mốt" if tens >= 2 else "một")
    elif units == 4:
        words.append("tư" if tens >= 2 else "bốn")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(_DIGITS[units])
    return words


def amount_in_words(amount: int, *, currency: str = "đồng") -> str:
    """The amount as words, e.g. ``1234000`` → ``"Một triệu hai trăm ba mươi tư nghìn đồng"``."""
    _check(amount)
    if amount > MAX_AMOUNT:
        raise AmountError(
            f"Số tiền {format_vnd(amount)} vượt quá mức viết bằng chữ (999 tỷ) / amount too large"
        )
    if amount == 0:
        words = ["không"]
    else:
        groups: list[int] = []
        n = amount
        while n:
            n, g = divmod(n, 1000)
            groups.append(g)
        words = []
        for index in range(len(groups) - 1, -1, -1):
            g = groups[index]
            if g == 0:
                continue
            words += _three_digits(g, full=index != len(groups) - 1)
            if _GROUP_NAMES[index]:
                words.append(_GROUP_NAMES[index])
    text = " ".join([*words, currency]) if currency else " ".join(words)
    return text[0].upper() + text[1:]
