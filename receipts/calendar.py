"""Working-day deadlines of dossiers, on the Vietnamese public-holiday calendar.

Holidays come from the maintained ``holidays`` package (lunar new year, Hùng Kings' day and its
observed day, substituted days off, and the Saturdays worked in exchange), not a hand-written list.
Offices work Monday to Friday.

Rules (Luật Hộ tịch 2014, Điều 16–18; Nghị định 61/2018/NĐ-CP, Điều 19):

- the time is counted in working days from the first working day after the day of receipt;
- a procedure returned "the same day" (0 working days) is due on the day it was received if that
  is a working day and it arrived before the afternoon cut-off (15:00); otherwise on the next
  working day;
- a dossier received on a non-working day (online, at the weekend) counts as received on the next
  working day.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from holidays import HolidayBase


VIETNAM_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")
SAME_DAY_CUTOFF = dt.time(15, 0)


@lru_cache(maxsize=1)
def _calendar() -> HolidayBase:
    # Imported here: drawing a PDF needs VIETNAM_TZ from this module, not the holiday tables.
    # Years are filled in lazily by the library as dates are looked up.
    import holidays

    return holidays.country_holidays("VN")


def is_working_day(day: dt.date) -> bool:
    return bool(_calendar().is_working_day(day))


def next_working_day(day: dt.date) -> dt.date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``day`` (``n`` ≥ 1)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    return _calendar().get_nth_working_day(day, n)


def due_date(
    received_at: dt.datetime, working_days: int, *, cutoff: dt.time = SAME_DAY_CUTOFF
) -> dt.date:
    """The day a dossier received at ``received_at`` (tz-aware) must be returned."""
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    if working_days < 0:
        raise ValueError("working_days must not be negative")
    local = received_at.astimezone(VIETNAM_TZ)
    day = local.date()
    if working_days == 0:
        if is_working_day(day) and local.time() < cutoff:
            return day
        return add_working_days(day, 1)
    return add_working_days(day, working_days)
