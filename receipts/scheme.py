"""The receipt scheme in force on an issue date: symbols, series, numbers and corrections.

Until 30 June 2026 receipts followed Nghị định 123/2020/NĐ-CP and Thông tư 78/2021/TT-BTC, with
vendor-style symbols (template ``01BLP0-001``, series ``VA-26E``, 7-digit numbers). From 1 July
2026 they follow Nghị định 254/2026/NĐ-CP (Điều 23) and Thông tư 91/2026/TT-BTC (Phụ lục II):
template symbol ``EBL01``, symbol = the issue year's two digits + ``T`` + two letters from
A B C D E G H K L M N P Q R S T U V X Y (``26TVA``, then ``27TVA``), numbers of at most 8 digits
restarting at 1 each 1 January. A receipt keeps the scheme of its issue date for ever; a
replacement issued later takes the scheme and the series of *its own* issue date.

The schemes and their correction rules are data (``receipts/data/schemes.toml``), each with its
citations; this module reads them and answers :func:`scheme_for`, :func:`series_for`,
:meth:`ReceiptScheme.format_number` and :meth:`ReceiptScheme.correction_for`.

Printing the number zero-padded to the scheme's maximum width (``0000001`` old, ``00000001``
new) is our choice: the decree sets the maximum number of digits, not the printed form.
"""

from __future__ import annotations

import datetime as dt
import enum
import itertools
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from .errors import SchemeError

SCHEMES_FILE = Path(__file__).parent / "data" / "schemes.toml"


class ErrorKind(enum.StrEnum):
    """What is wrong in an issued receipt."""

    AMOUNT = "amount"
    TAX_CODE = "tax_code"
    PAYER_NAME = "payer_name"
    PAYER_ADDRESS = "payer_address"
    AMOUNT_IN_WORDS = "amount_in_words"
    OTHER = "other"


class CorrectionAction(enum.StrEnum):
    CANCELLATION = "cancellation"  # hủy
    REPLACEMENT = "replacement"  # biên lai thay thế
    ADJUSTMENT = "adjustment"  # biên lai điều chỉnh (old scheme only)
    NOTICE_04_SS_CTDT = "notice_04_ss_ctdt"  # thông báo Mẫu 04/SS-CTĐT, no new receipt


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Correction(_Model):
    errors: tuple[ErrorKind, ...] = Field(min_length=1)
    actions: tuple[CorrectionAction, ...] = Field(min_length=1)
    legal_basis: Text
    form: str | None = None


class _Scheme(_Model):
    code: Text
    name_vi: Text
    name_en: Text
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    citations: tuple[Text, ...] = Field(min_length=1)
    default_template_symbol: Text
    template_symbol_pattern: Text
    series_format: Text
    series_pattern: Text
    series_letters: Annotated[str, StringConstraints(pattern=r"^[A-Z]+$")]
    number_max_digits: Annotated[int, Field(ge=1, le=12)]
    number_resets_yearly: bool
    unverified: str | None = None
    corrections: tuple[_Correction, ...] = Field(min_length=1)


class _File(_Model):
    schema_version: Literal[1]
    schemes: tuple[_Scheme, ...] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class CorrectionRule:
    error: ErrorKind
    actions: tuple[CorrectionAction, ...]
    """The corrections allowed for this error, the preferred one first."""
    legal_basis: str
    form: str | None = None


@dataclass(frozen=True, slots=True)
class ReceiptScheme:
    """One receipt scheme, with the texts that set it."""

    code: str
    name_vi: str
    name_en: str
    effective_from: dt.date | None
    effective_to: dt.date | None
    citations: tuple[str, ...]
    default_template_symbol: str
    template_symbol_pattern: str
    series_format: str
    series_pattern: str
    series_letters: str
    number_max_digits: int
    number_resets_yearly: bool
    corrections: tuple[CorrectionRule, ...]
    unverified: str | None = None

    def in_force(self, day: dt.date) -> bool:
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_to is None or day <= self.effective_to
        )

    @property
    def number_max(self) -> int:
        return int(10**self.number_max_digits) - 1

    @property
    def adjustment_allowed(self) -> bool:
        return any(CorrectionAction.ADJUSTMENT in c.actions for c in self.corrections)

    def check_letters(self, letters: str) -> str:
        if len(letters) != 2 or any(c not in self.series_letters for c in letters):
            raise SchemeError(
                f"Ký hiệu biên lai: “{letters}” phải là 2 chữ cái trong {self.series_letters} / "
                f"series letters must be two of {self.series_letters}"
            )
        return letters

    def series(self, year: int, letters: str) -> str:
        """The series (ký hiệu) for ``year``: ``26TVA`` or, under the old scheme, ``VA-26E``."""
        self.check_letters(letters)
        return self.series_format.format(yy=f"{year % 100:02d}", letters=letters)

    def parse_series(self, series: str) -> tuple[int, str]:
        """``"26TVA"`` → (26, "VA"); refuses a series this scheme cannot have."""
        m = re.fullmatch(self.series_pattern, series)
        if m is None:
            raise SchemeError(
                f"Ký hiệu “{series}” không đúng mẫu của {self.name_vi} / "
                f"series {series!r} does not fit scheme {self.code}"
            )
        return int(str(m["yy"])), self.check_letters(str(m["letters"]))

    def check_series(self, series: str, *, issue_date: dt.date) -> str:
        """``series`` when it is a valid series of this scheme for the year of ``issue_date``."""
        yy, _ = self.parse_series(series)
        if yy != issue_date.year % 100:
            raise SchemeError(
                f"Ký hiệu “{series}” mang năm {yy:02d}, biên lai lập năm {issue_date.year} / "
                f"series {series!r} is not of {issue_date.year}"
            )
        return series

    def check_template_symbol(self, symbol: str) -> str:
        if re.fullmatch(self.template_symbol_pattern, symbol) is None:
            raise SchemeError(
                f"Ký hiệu mẫu “{symbol}” không đúng mẫu của {self.name_vi} / "
                f"template symbol {symbol!r} does not fit scheme {self.code}"
            )
        return symbol

    def check_number(self, number: int) -> int:
        if isinstance(number, bool) or not isinstance(number, int):
            raise SchemeError("Số biên lai phải là số nguyên / the number must be an integer")
        if not 1 <= number <= self.number_max:
            raise SchemeError(
                f"Số biên lai phải từ 1 đến {self.number_max} "
                f"(tối đa {self.number_max_digits} chữ số) / number out of range"
            )
        return number

    def format_number(self, number: int) -> str:
        """The printed number, zero-padded to the scheme's width: 1 → ``00000001``."""
        return f"{self.check_number(number):0{self.number_max_digits}d}"

    def correction_for(self, error: ErrorKind) -> CorrectionRule:
        for rule in self.corrections:
            if rule.error is error:
                return rule
        raise SchemeError(f"Không có quy tắc xử lý sai sót {error.value} / no correction rule")


def _load(path: Path) -> tuple[ReceiptScheme, ...]:
    try:
        with path.open("rb") as f:
            data = _File.model_validate(tomllib.load(f))
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as exc:
        raise SchemeError(f"Tệp {path} không đọc được: {exc} / cannot read schemes") from exc
    out: list[ReceiptScheme] = []
    for s in data.schemes:
        rules = tuple(
            CorrectionRule(error=e, actions=c.actions, legal_basis=c.legal_basis, form=c.form)
            for c in s.corrections
            for e in c.errors
        )
        if {r.error for r in rules} != set(ErrorKind) or len(rules) != len(ErrorKind):
            raise SchemeError(f"Tệp {path}: {s.code}: mỗi loại sai sót đúng một quy tắc / rules")
        out.append(
            ReceiptScheme(
                **s.model_dump(exclude={"corrections"}),
                corrections=rules,
            )
        )
        out[-1].check_template_symbol(s.default_template_symbol)
    ordered = sorted(out, key=lambda x: x.effective_from or dt.date.min)
    for a, b in itertools.pairwise(ordered):
        if a.effective_to is None or b.effective_from is None:
            raise SchemeError(f"Tệp {path}: {a.code}/{b.code}: kỳ hiệu lực chồng nhau / overlap")
        if a.effective_to + dt.timedelta(days=1) != b.effective_from:
            raise SchemeError(f"Tệp {path}: {a.code}/{b.code}: kỳ hiệu lực hở hoặc chồng / gap")
    return tuple(ordered)


@lru_cache(maxsize=4)
def load_schemes(path: Path = SCHEMES_FILE) -> tuple[ReceiptScheme, ...]:
    """Every scheme, oldest first; their periods follow one another without gap or overlap."""
    return _load(path)


def scheme_for(issue_date: dt.date) -> ReceiptScheme:
    """The scheme a receipt issued on ``issue_date`` (Vietnam date) follows."""
    for scheme in load_schemes():
        if scheme.in_force(issue_date):
            return scheme
    raise SchemeError(f"Không có chế độ biên lai cho ngày {issue_date:%d/%m/%Y} / no scheme")


def series_for(issue_date: dt.date, letters: str) -> str:
    """The series of a receipt issued on ``issue_date``: ``26TVA`` on 2026-07-01, ``27TVA`` in
    2027, ``VA-26E`` on 2026-06-30."""
    return scheme_for(issue_date).series(issue_date.year, letters)


def scheme_of_symbol(template_symbol: str) -> ReceiptScheme | None:
    """The scheme whose template symbols look like ``template_symbol`` (``EBL01`` → NĐ 254),
    None for a symbol of no scheme (an administrator's own, from before schemes were data)."""
    for scheme in load_schemes():
        if re.fullmatch(scheme.template_symbol_pattern, template_symbol):
            return scheme
    return None


def number_text(template_symbol: str, number: int) -> str:
    """The printed number of a receipt: 8 digits under NĐ 254/2026 (``00000001``), 7 under the
    vendor practice of NĐ 123/2020 (``0000001``): the receipt's own symbol decides, so an old
    receipt prints as it was issued."""
    scheme = scheme_of_symbol(template_symbol)
    width = scheme.number_max_digits if scheme is not None else 7
    return f"{number:0{width}d}"


def series_letters(series: str) -> str:
    """The unit's two letters in a series of any scheme: ``VA-26E`` and ``26TVA`` → ``VA``."""
    for scheme in load_schemes():
        try:
            return scheme.parse_series(series)[1]
        except SchemeError:
            continue
    raise SchemeError(f"Ký hiệu “{series}” không thuộc chế độ nào / unknown series form")


def series_in_year(series: str, issue_date: dt.date) -> str:
    """The same unit's series for another issue date: ``26TVA`` → ``27TVA`` in 2027."""
    return series_for(issue_date, series_letters(series))
