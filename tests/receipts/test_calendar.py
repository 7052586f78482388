from __future__ import annotations

import datetime as dt

import pytest

from receipts.calendar import VIETNAM_TZ, add_working_days, due_date, is_working_day


def at(y: int, m: int, d: int, h: int = 9) -> dt.datetime:
    return dt.datetime(y, m, d, h, 0, tzinfo=VIETNAM_TZ)


def test_due_date_across_lunar_new_year_2026() -> None:
    # Tết Bính Ngọ: 16–20 Feb 2026 are days off, plus the weekends around them.
    assert due_date(at(2026, 2, 13), 3) == dt.date(2026, 2, 25)
    assert due_date(at(2026, 2, 12), 1) == dt.date(2026, 2, 13)
    assert due_date(at(2026, 2, 13), 1) == dt.date(2026, 2, 23)


def test_due_date_across_lunar_new_year_2027() -> None:
    assert due_date(at(2027, 2, 3), 3) == dt.date(2027, 2, 15)


def test_same_day_procedures_and_the_afternoon_cutoff() -> None:
    assert due_date(at(2026, 11, 27, 9), 0) == dt.date(2026, 11, 27)
    assert due_date(at(2026, 11, 27, 16), 0) == dt.date(2026, 11, 30)  # Friday afternoon → Monday


def test_received_at_the_weekend() -> None:
    assert due_date(at(2026, 11, 28), 0) == dt.date(2026, 11, 30)
    assert due_date(at(2026, 11, 28), 2) == dt.date(2026, 12, 1)


def test_national_day_and_hung_kings() -> None:
    assert not is_working_day(dt.date(2026, 9, 2))
    assert not is_working_day(dt.date(2026, 4, 27))  # Hùng Kings' day observed
    assert add_working_days(dt.date(2026, 8, 28), 1) == dt.date(2026, 9, 3)


def test_utc_input_is_read_in_vietnam_time() -> None:
    # 20:00 UTC on Thursday is 03:00 on Friday in Hà Nội.
    received = dt.datetime(2026, 11, 26, 20, 0, tzinfo=dt.UTC)
    assert due_date(received, 0) == dt.date(2026, 11, 27)


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError):
        due_date(dt.datetime(2026, 11, 27, 9), 1)
