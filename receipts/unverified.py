"""Everything the law-as-data marks "chưa xác minh / unverified", in one list.

The catalog (tariffs, exemptions, procedures, province files), the receipt schemes and the
calendar each carry their own marks; the administrator is shown this one list, and production
refuses to start until an administrator acknowledges it (the service records the fingerprint
acknowledged; a list that changes has a new fingerprint, so the acknowledgement lapses).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from .calendar import WorkCalendar, default_calendar
from .catalog import Catalog, UnverifiedItem
from .scheme import load_schemes


def unverified_law(
    catalog: Catalog, *, calendar: WorkCalendar | None = None
) -> tuple[UnverifiedItem, ...]:
    """The catalog's marks, then the schemes', then the calendar's (provisional years too)."""
    cal = calendar or default_calendar()
    items = list(catalog.unverified_items())
    for s in load_schemes():
        if s.unverified:
            items.append(UnverifiedItem(f"schemes.toml schemes[{s.code}]", s.name_vi, s.unverified))
    for d in cal.unverified_days():
        items.append(
            UnverifiedItem(
                f"calendar.toml {d.day.isoformat()}",
                f"{d.reason_vi} ({d.basis})",
                d.unverified or "",
            )
        )
    if cal.culture_day_mark:
        items.append(
            UnverifiedItem(
                "calendar.toml culture_day", "Ngày Văn hóa Việt Nam (24/11)", cal.culture_day_mark
            )
        )
    for year in cal.provisional_years():
        items.append(
            UnverifiedItem(
                f"calendar.toml years[{year}]",
                f"Lịch nghỉ năm {year}",
                "Provisional: the year's days off are not yet decided / lịch dự kiến",
            )
        )
    return tuple(items)


def fingerprint(items: Iterable[UnverifiedItem]) -> str:
    """SHA-256 (hex) naming a list of marks: what an acknowledgement records."""
    text = "\n".join(f"{u.where}|{u.what_vi}|{u.reason}" for u in items)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
