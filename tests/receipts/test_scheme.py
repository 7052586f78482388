"""The receipt scheme by issue date (NĐ 254/2026 Điều 23; TT 91/2026 Phụ lục II, Điều 20)."""

from __future__ import annotations

import datetime as dt
import string
from pathlib import Path

import pytest

from receipts.errors import SchemeError
from receipts.scheme import (
    SCHEMES_FILE,
    CorrectionAction,
    ErrorKind,
    load_schemes,
    scheme_for,
    series_for,
    series_in_year,
)

# TT 91/2026 Phụ lục II.2.b: the letters a symbol may use.
NEW_LETTERS = set("ABCDEGHKLMNPQRSTUVXY")
OLD_DAYS = [dt.date(2022, 7, 1), dt.date(2025, 12, 31), dt.date(2026, 1, 1), dt.date(2026, 6, 30)]
NEW_DAYS = [dt.date(2026, 7, 1), dt.date(2026, 12, 2), dt.date(2027, 1, 1), dt.date(2035, 5, 5)]


@pytest.mark.parametrize("day", OLD_DAYS)
def test_before_1_july_2026_the_old_scheme(day: dt.date) -> None:
    s = scheme_for(day)
    assert s.code == "nd123_2020" and s.default_template_symbol == "01BLP0-001"
    assert series_for(day, "VA") == f"VA-{day.year % 100:02d}E"
    assert s.format_number(1) == "0000001" and s.number_max == 9_999_999
    assert s.adjustment_allowed
    assert any("123/2020" in c for c in s.citations)


@pytest.mark.parametrize("day", NEW_DAYS)
def test_from_1_july_2026_the_new_scheme(day: dt.date) -> None:
    s = scheme_for(day)
    assert s.code == "nd254_2026"
    assert s.default_template_symbol == "EBL01"  # Phụ lục II.2.a: EBL + 01 (no face value)
    for letters in ("VA", "TA", "XY"):
        assert series_for(day, letters) == f"{day.year % 100:02d}T{letters}"
    assert s.number_max == 99_999_999  # NĐ 254 Điều 23.2: at most 8 digits
    assert s.format_number(1) == "00000001" and s.format_number(99_999_999) == "99999999"
    assert s.number_resets_yearly
    assert not s.adjustment_allowed  # TT 91 Điều 20: no adjustment receipts
    assert any("254/2026/NĐ-CP, Điều 23" in c for c in s.citations)
    assert any("Phụ lục II.2.b" in c for c in s.citations)


def test_the_series_follows_the_year() -> None:
    assert series_in_year("26TVA", dt.date(2027, 1, 1)) == "27TVA"
    assert series_in_year("26TVA", dt.date(2026, 12, 31)) == "26TVA"
    # A replacement issued in the new scheme or a new year takes its own day's series.
    assert series_in_year("VA-26E", dt.date(2026, 7, 1)) == "26TVA"
    assert series_in_year("VA-25E", dt.date(2027, 3, 1)) == "27TVA"
    assert series_in_year("VA-26E", dt.date(2026, 6, 30)) == "VA-26E"
    # Never the same series in two years: "VA-26E / 0000001" cannot be printed twice.
    years = [series_for(dt.date(y, 7, 1), "VA") for y in range(2026, 2040)]
    assert len(set(years)) == len(years)


@pytest.mark.parametrize("letter", sorted(set(string.ascii_uppercase) - NEW_LETTERS))
def test_letters_outside_the_list_are_refused(letter: str) -> None:
    s = scheme_for(dt.date(2026, 7, 1))
    for letters in (f"{letter}A", f"A{letter}"):
        with pytest.raises(SchemeError):
            s.series(2026, letters)
        with pytest.raises(SchemeError):
            s.parse_series(f"26T{letters}")


@pytest.mark.parametrize("letters", ["A", "VAA", "va", "V1", ""])
def test_two_capital_letters(letters: str) -> None:
    with pytest.raises(SchemeError):
        series_for(dt.date(2026, 7, 1), letters)


def test_every_allowed_pair_is_accepted() -> None:
    s = scheme_for(dt.date(2026, 7, 1))
    pairs = [a + b for a in sorted(NEW_LETTERS) for b in sorted(NEW_LETTERS)]
    assert len(pairs) == 400
    for p in pairs:
        assert s.parse_series(s.series(2026, p)) == (26, p)


@pytest.mark.parametrize(
    ("series", "day", "ok"),
    [
        ("26TVA", dt.date(2026, 7, 1), True),
        ("26TVA", dt.date(2027, 1, 1), False),  # last year's series
        ("27TVA", dt.date(2026, 12, 31), False),
        ("VA-26E", dt.date(2026, 7, 1), False),  # old form under the new scheme
        ("26CVA", dt.date(2026, 7, 1), False),  # "T" is fixed
        ("2026TVA", dt.date(2026, 7, 1), False),
    ],
)
def test_check_series(series: str, day: dt.date, ok: bool) -> None:
    s = scheme_for(day)
    if ok:
        assert s.check_series(series, issue_date=day) == series
    else:
        with pytest.raises(SchemeError):
            s.check_series(series, issue_date=day)


@pytest.mark.parametrize(
    ("symbol", "day", "ok"),
    [
        ("EBL01", dt.date(2026, 7, 1), True),
        ("EBL02", dt.date(2026, 7, 1), True),
        ("01BLP0-001", dt.date(2026, 7, 1), False),
        ("EBL1", dt.date(2026, 7, 1), False),
        ("01BLP0-001", dt.date(2026, 6, 30), True),
        ("EBL01", dt.date(2026, 6, 30), False),
    ],
)
def test_template_symbols(symbol: str, day: dt.date, ok: bool) -> None:
    s = scheme_for(day)
    if ok:
        assert s.check_template_symbol(symbol) == symbol
    else:
        with pytest.raises(SchemeError):
            s.check_template_symbol(symbol)


@pytest.mark.parametrize("number", [0, -1, 100_000_000, True, 1.0])
def test_numbers_out_of_range(number: object) -> None:
    with pytest.raises(SchemeError):
        scheme_for(dt.date(2026, 7, 1)).format_number(number)  # type: ignore[arg-type]
    with pytest.raises(SchemeError):
        scheme_for(dt.date(2026, 6, 1)).format_number(10_000_000)


@pytest.mark.parametrize("error", [ErrorKind.AMOUNT, ErrorKind.TAX_CODE])
def test_amount_or_tax_code_error_means_replacement(error: ErrorKind) -> None:
    rule = scheme_for(dt.date(2026, 7, 1)).correction_for(error)
    assert rule.actions == (CorrectionAction.REPLACEMENT,)
    assert rule.legal_basis == "Thông tư 91/2026/TT-BTC, Điều 20"


@pytest.mark.parametrize(
    "error",
    [ErrorKind.PAYER_NAME, ErrorKind.PAYER_ADDRESS, ErrorKind.AMOUNT_IN_WORDS, ErrorKind.OTHER],
)
def test_other_errors_mean_a_04_ss_notice(error: ErrorKind) -> None:
    rule = scheme_for(dt.date(2027, 2, 1)).correction_for(error)
    assert rule.actions == (CorrectionAction.NOTICE_04_SS_CTDT,)
    assert rule.form == "Mẫu 04/SS-CTĐT"
    # The old scheme keeps its cancellation, replacement and adjustment.
    old = scheme_for(dt.date(2026, 6, 30)).correction_for(error)
    assert CorrectionAction.ADJUSTMENT in old.actions


def test_scheme_periods_meet_without_gap(tmp_path: Path) -> None:
    schemes = load_schemes()
    assert [s.code for s in schemes] == ["nd123_2020", "nd254_2026"]
    assert schemes[0].effective_to == dt.date(2026, 6, 30)
    assert schemes[1].effective_from == dt.date(2026, 7, 1)
    text = SCHEMES_FILE.read_text(encoding="utf-8")
    gap = tmp_path / "gap.toml"
    gap.write_text(text.replace("effective_from = 2026-07-01", "effective_from = 2026-07-02"))
    with pytest.raises(SchemeError, match="gap"):
        load_schemes(gap)
    missing = tmp_path / "missing.toml"
    missing.write_text(
        text.replace('  errors = ["amount", "tax_code"]\n', '  errors = ["amount"]\n')
    )
    with pytest.raises(SchemeError):
        load_schemes(missing)


def test_a_ledger_across_the_changeover_and_the_new_year() -> None:
    # The ledger keeps one counter per (template symbol, series): the scheme of each issue date
    # gives both, so numbers restart at 1 on 1 July 2026 (new scheme) and on 1 January 2027.
    counters: dict[tuple[str, str], int] = {}
    printed: list[str] = []
    days = [dt.date(2026, 6, 29), dt.date(2026, 6, 30), dt.date(2026, 7, 1), dt.date(2026, 7, 1),
            dt.date(2026, 12, 31), dt.date(2027, 1, 1), dt.date(2027, 1, 1)]  # fmt: skip
    for day in days:
        scheme = scheme_for(day)
        key = (scheme.default_template_symbol, series_for(day, "VA"))
        counters[key] = counters.get(key, 0) + 1
        printed.append(f"{key[0]} · {key[1]} · {scheme.format_number(counters[key])}")
    assert printed == [
        "01BLP0-001 · VA-26E · 0000001",
        "01BLP0-001 · VA-26E · 0000002",
        "EBL01 · 26TVA · 00000001",
        "EBL01 · 26TVA · 00000002",
        "EBL01 · 26TVA · 00000003",
        "EBL01 · 27TVA · 00000001",
        "EBL01 · 27TVA · 00000002",
    ]
    assert len(set(printed)) == len(printed)
