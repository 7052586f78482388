"""Working-day deadlines of dossiers, on the Vietnamese calendar of days off kept as data.

Days off and swapped working days are data per year with their legal basis
(``receipts/data/calendar.toml``): 2026 as decided (2 January off, Saturday 10 January worked:
Công văn 12729/VPCP-KGVX), 2027 marked provisional. A year the file does not list comes from the
maintained ``holidays`` package (statutory days, lunar dates computed). 24 November (Ngày Văn hóa
Việt Nam) is off only when a ward turns it on (``WorkCalendar(culture_day_off=True)``): Bộ luật
Lao động Điều 112 is not known to be amended. Offices work Monday to Friday.

Rules (Luật Hộ tịch 2014, Điều 16–18; Nghị định 61/2018/NĐ-CP, Điều 19):

- the time is counted in working days from the first working day after the day of receipt;
- a procedure returned "the same day" (0 working days) is due on the day it was received if that
  is a working day and it arrived before the afternoon cut-off (15:00); otherwise on the next
  working day;
- a dossier received on a non-working day (online, at the weekend) counts as received on the next
  working day;
- when verification is needed, the procedure's extra days are added
  (:meth:`receipts.catalog.Procedure.working_days`: marriage +5, change or correction +3).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from .errors import CalendarError

if TYPE_CHECKING:
    from holidays import HolidayBase


VIETNAM_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")
SAME_DAY_CUTOFF = dt.time(15, 0)
CALENDAR_FILE = Path(__file__).parent / "data" / "calendar.toml"

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _DayOff(_Model):
    date: dt.date
    name_vi: Text
    basis: Text
    unverified: str | None = None


class _Swap(_Model):
    off: dt.date
    worked: dt.date
    basis: Text
    unverified: str | None = None


class _Year(_Model):
    year: Annotated[int, Field(ge=2000, le=2100)]
    basis: Text
    provisional: bool = False
    days_off: tuple[_DayOff, ...] = ()
    swaps: tuple[_Swap, ...] = ()


class _CultureDay(_Model):
    month: Literal[11]
    day: Literal[24]
    name_vi: Text
    basis: Text
    unverified: str | None = None


class _File(_Model):
    schema_version: Literal[1]
    culture_day: _CultureDay
    years: tuple[_Year, ...] = ()


@dataclass(frozen=True, slots=True)
class DayInfo:
    """Whether a day is worked, and why not when it is not."""

    day: dt.date
    working: bool
    reason_vi: str | None
    """"Thứ Bảy", "Tết Âm lịch", "Nghỉ bù …", "Làm bù cho …" …"""
    basis: str | None
    provisional: bool
    """The year's days are not yet decided (e.g. 2027): a deadline on it may move."""
    unverified: str | None = None


def _check(data: _File, path: Path) -> None:
    seen: set[int] = set()
    for y in data.years:
        if y.year in seen:
            raise CalendarError(f"Tệp {path}: năm {y.year} lặp lại / year listed twice")
        seen.add(y.year)
        days = [d.date for d in y.days_off] + [s.off for s in y.swaps]
        if len(set(days)) != len(days):
            raise CalendarError(f"Tệp {path}: năm {y.year}: ngày nghỉ trùng / duplicate day off")
        for d in days + [s.worked for s in y.swaps]:
            if d.year != y.year:
                raise CalendarError(f"Tệp {path}: {d} không thuộc năm {y.year} / wrong year")
        for d in days:
            if d.weekday() >= 5:
                raise CalendarError(f"Tệp {path}: {d} là ngày cuối tuần / a weekend day off")
        for s in y.swaps:
            if s.worked.weekday() < 5:
                raise CalendarError(
                    f"Tệp {path}: ngày làm bù {s.worked} không phải cuối tuần / not a weekend"
                )


@lru_cache(maxsize=4)
def _load(path: Path) -> _File:
    try:
        with path.open("rb") as f:
            data = _File.model_validate(tomllib.load(f))
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as exc:
        raise CalendarError(f"Tệp lịch {path} không đọc được: {exc} / cannot read") from exc
    _check(data, path)
    return data


@lru_cache(maxsize=1)
def _package() -> HolidayBase:
    # Imported here: drawing a PDF needs VIETNAM_TZ from this module, not the holiday tables.
    import holidays

    return holidays.country_holidays("VN")


class WorkCalendar:
    """The office's calendar: the data file's years, the ``holidays`` package for others."""

    def __init__(self, *, culture_day_off: bool = False, path: Path = CALENDAR_FILE) -> None:
        self.culture_day_off = culture_day_off
        data = _load(path)
        self._culture = data.culture_day
        self._years = {y.year: y for y in data.years}
        self._off: dict[dt.date, DayInfo] = {}
        self._worked: dict[dt.date, DayInfo] = {}
        for y in data.years:
            for d in y.days_off:
                self._off[d.date] = DayInfo(
                    d.date, False, d.name_vi, d.basis, y.provisional, d.unverified
                )
            for s in y.swaps:
                self._off[s.off] = DayInfo(
                    s.off,
                    False,
                    f"Nghỉ, làm bù vào {s.worked:%d/%m/%Y}",
                    s.basis,
                    y.provisional,
                    s.unverified,
                )
                self._worked[s.worked] = DayInfo(
                    s.worked,
                    True,
                    f"Làm bù cho ngày {s.off:%d/%m/%Y}",
                    s.basis,
                    y.provisional,
                    s.unverified,
                )

    def unverified_days(self) -> tuple[DayInfo, ...]:
        """The days whose status rests on a mark "chưa xác minh", and 24/11 when turned on."""
        days = [d for d in (*self._off.values(), *self._worked.values()) if d.unverified]
        return tuple(sorted(days, key=lambda d: d.day))

    @property
    def culture_day_mark(self) -> str | None:
        return self._culture.unverified if self.culture_day_off else None

    def provisional_years(self) -> tuple[int, ...]:
        return tuple(sorted(y for y, data in self._years.items() if data.provisional))

    def day_info(self, day: dt.date) -> DayInfo:
        year = self._years.get(day.year)
        provisional = year.provisional if year else day.year > max(self._years, default=0)
        is_culture_day = (day.month, day.day) == (self._culture.month, self._culture.day)
        if is_culture_day and self.culture_day_off and day.weekday() < 5:
            return DayInfo(
                day,
                False,
                self._culture.name_vi,
                self._culture.basis,
                provisional,
                self._culture.unverified,
            )
        if day in self._worked:
            return self._worked[day]
        if day in self._off:
            return self._off[day]
        if day.weekday() >= 5:
            return DayInfo(day, False, ("Thứ Bảy", "Chủ nhật")[day.weekday() - 5], None, False)
        if year is not None:
            return DayInfo(day, True, None, None, provisional)
        return self._from_package(day, provisional)

    def _from_package(self, day: dt.date, provisional: bool) -> DayInfo:
        h = _package()
        if (day.month, day.day) == (self._culture.month, self._culture.day):
            return DayInfo(day, True, None, None, provisional)  # off only when turned on
        if h.is_working_day(day):
            return DayInfo(day, True, None, None, provisional)
        name = h.get(day) or "Ngày nghỉ"
        basis = "thư viện holidays (Bộ luật Lao động 2019, Điều 112)"
        return DayInfo(day, False, str(name), basis, provisional)

    def is_working_day(self, day: dt.date) -> bool:
        return self.day_info(day).working

    def next_working_day(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``day`` (``n`` ≥ 1)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        while n:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day

    def due_date(
        self, received_at: dt.datetime, working_days: int, *, cutoff: dt.time = SAME_DAY_CUTOFF
    ) -> dt.date:
        """The day a dossier received at ``received_at`` (tz-aware) must be returned."""
        if received_at.tzinfo is None:
            raise ValueError("received_at must be timezone-aware")
        if working_days < 0:
            raise ValueError("working_days must not be negative")
        local = received_at.astimezone(VIETNAM_TZ)
        day = local.date()
        if working_days == 0:
            if self.is_working_day(day) and local.time() < cutoff:
                return day
            return self.add_working_days(day, 1)
        return self.add_working_days(day, working_days)


@lru_cache(maxsize=2)
def default_calendar(*, culture_day_off: bool = False) -> WorkCalendar:
    return WorkCalendar(culture_day_off=culture_day_off)


def is_working_day(day: dt.date) -> bool:
    return default_calendar().is_working_day(day)


def next_working_day(day: dt.date) -> dt.date:
    """``day`` itself when it is a working day, else the first working day after it."""
    return default_calendar().next_working_day(day)


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``day`` (``n`` ≥ 1)."""
    return default_calendar().add_working_days(day, n)


def due_date(
    received_at: dt.datetime,
    working_days: int,
    *,
    cutoff: dt.time = SAME_DAY_CUTOFF,
    calendar: WorkCalendar | None = None,
) -> dt.date:
    """The day a dossier received at ``received_at`` (tz-aware) must be returned."""
    return (calendar or default_calendar()).due_date(received_at, working_days, cutoff=cutoff)
