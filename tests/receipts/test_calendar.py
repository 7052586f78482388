from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from receipts.calendar import (
    CALENDAR_FILE,
    VIETNAM_TZ,
    WorkCalendar,
    add_working_days,
    default_calendar,
    due_date,
    is_working_day,
)
from receipts.catalog import default_catalog
from receipts.errors import CalendarError


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


# ------------------------------------------------------------------ the law as data (issue 15)

CV_12729 = "Công văn 12729/VPCP-KGVX ngày 25/12/2025"


def test_2_january_2026_off_and_saturday_10_january_worked() -> None:
    off = default_calendar().day_info(dt.date(2026, 1, 2))
    assert not off.working and off.basis == CV_12729 and "10/01/2026" in (off.reason_vi or "")
    worked = default_calendar().day_info(dt.date(2026, 1, 10))
    assert worked.working and worked.basis == CV_12729 and not worked.provisional
    # Received on Wednesday 31/12/2025: Thursday 1/1 and Friday 2/1 are off.
    assert due_date(at(2025, 12, 31), 1) == dt.date(2026, 1, 5)
    assert due_date(at(2025, 12, 31), 2) == dt.date(2026, 1, 6)
    # Received on Friday 9/1 with 1 day: Saturday 10/1 is worked.
    assert due_date(at(2026, 1, 9), 1) == dt.date(2026, 1, 10)
    assert due_date(at(2026, 1, 10, 9), 0) == dt.date(2026, 1, 10)


DAYS_OFF_2026 = [
    (1, 1), (1, 2), (2, 16), (2, 17), (2, 18), (2, 19), (2, 20), (4, 27), (4, 30), (5, 1),
    (8, 31), (9, 1), (9, 2),
]  # fmt: skip


@pytest.mark.parametrize(("month", "day"), DAYS_OFF_2026)
def test_2026_days_off_have_their_basis(month: int, day: int) -> None:
    info = default_calendar().day_info(dt.date(2026, month, day))
    assert not info.working and info.basis and not info.provisional
    assert "Điều 112" in info.basis or "12729" in info.basis or "Quốc khánh" in info.basis


def test_2026_weekdays_not_listed_are_worked() -> None:
    cal = default_calendar()
    day, off = dt.date(2026, 1, 1), set()
    while day.year == 2026:
        if day.weekday() < 5 and not cal.is_working_day(day):
            off.add((day.month, day.day))
        day += dt.timedelta(days=1)
    assert off == set(DAYS_OFF_2026)
    worked_weekends = {
        d for d in (dt.date(2026, 1, 10), dt.date(2026, 8, 22)) if cal.is_working_day(d)
    }
    assert len(worked_weekends) == 2


def test_the_august_swap_is_marked_unverified() -> None:
    info = default_calendar().day_info(dt.date(2026, 8, 31))
    assert not info.working and info.unverified
    assert default_calendar().day_info(dt.date(2026, 8, 22)).working


@pytest.mark.parametrize("year", [2026, 2027, 2028, 2031])
def test_24_november_is_off_only_when_configured(year: int) -> None:
    day = dt.date(year, 11, 24)
    assert day.weekday() < 5  # each of these years has it on a weekday
    assert default_calendar().is_working_day(day)
    on = WorkCalendar(culture_day_off=True)
    info = on.day_info(day)
    assert not info.working
    assert info.reason_vi == "Ngày Văn hóa Việt Nam" and info.unverified
    before = dt.datetime(year, 11, 23, 9, tzinfo=VIETNAM_TZ)
    if before.weekday() < 5:
        assert due_date(before, 1) == day
        after = day + dt.timedelta(days=1 if day.weekday() < 4 else 3)  # the next weekday
        assert due_date(before, 1, calendar=on) == after


PROVISIONAL_2027_OFF = [(1, 1), (2, 4), (2, 5), (2, 8), (2, 9), (2, 10), (4, 16), (4, 30), (5, 3),
                        (9, 2), (9, 3)]  # fmt: skip


@pytest.mark.parametrize(("month", "day"), PROVISIONAL_2027_OFF)
def test_2027_dates_are_provisional(month: int, day: int) -> None:
    info = default_calendar().day_info(dt.date(2027, month, day))
    assert not info.working and info.provisional
    assert default_calendar().day_info(dt.date(2027, 6, 15)).provisional


def test_a_year_outside_the_file_comes_from_the_holidays_package() -> None:
    cal = default_calendar()
    assert not cal.is_working_day(dt.date(2025, 9, 2))
    assert not cal.is_working_day(dt.date(2025, 1, 29))  # Tết Ất Tỵ
    assert cal.is_working_day(dt.date(2025, 11, 24))  # the package's 24/11 is not taken
    info = cal.day_info(dt.date(2025, 9, 2))
    assert info.basis and "holidays" in info.basis and not info.provisional


@pytest.mark.parametrize(
    ("code", "verification", "received", "due"),
    [
        ("HT-KH", False, at(2026, 11, 27, 9), dt.date(2026, 11, 27)),  # same day
        ("HT-KH", False, at(2026, 11, 27, 15), dt.date(2026, 11, 30)),  # at 15:00 → next day
        ("HT-KH", True, at(2026, 11, 27, 9), dt.date(2026, 12, 4)),  # +5 with verification
        ("HT-GH", False, at(2026, 12, 1), dt.date(2026, 12, 4)),  # 3 days
        ("HT-CDGH", False, at(2026, 12, 1), dt.date(2026, 12, 3)),  # 2 days
        ("HT-TDCC", False, at(2026, 12, 1), dt.date(2026, 12, 4)),  # 3
        ("HT-TDCC", True, at(2026, 12, 1), dt.date(2026, 12, 9)),  # 3 + 3
        ("HT-BSHT", False, at(2026, 12, 1, 14), dt.date(2026, 12, 1)),  # bổ sung: same day
        ("HT-BSHT", False, at(2026, 12, 1, 16), dt.date(2026, 12, 2)),
        ("CT-HD", False, at(2026, 12, 31), dt.date(2027, 1, 5)),  # ≤ 2 days, 1/1 off
        ("HT-BSTL", False, at(2026, 1, 1, 9), dt.date(2026, 1, 5)),  # 1/1 and 2/1 off
    ],
)
def test_procedure_deadlines(
    code: str, verification: bool, received: dt.datetime, due: dt.date
) -> None:
    proc = default_catalog("HP").procedures[code]
    assert due_date(received, proc.working_days(verification_needed=verification)) == due


def test_calendar_file_errors(tmp_path: Path) -> None:
    text = CALENDAR_FILE.read_text(encoding="utf-8")
    bad = tmp_path / "c.toml"
    bad.write_text(text.replace("worked = 2026-01-10", "worked = 2026-01-09"), encoding="utf-8")
    with pytest.raises(CalendarError, match="cuối tuần"):
        WorkCalendar(path=bad)
    bad.write_text(text.replace("{ date = 2026-04-30", "{ date = 2027-04-30"), encoding="utf-8")
    with pytest.raises(CalendarError):
        WorkCalendar(path=bad)
