"""The receipt symbols a receipt issued now takes (NĐ 254/2026, TT 91/2026 Phụ lục II.2):
``EBL01`` and the series of the current year in Vietnam (``26TVA`` in 2026, ``27TVA`` in 2027),
numbers printed on 8 digits. For tests that issue at the current time."""

from __future__ import annotations

import datetime as dt

from receipts.calendar import VIETNAM_TZ
from receipts.scheme import number_text, scheme_for

TODAY = dt.datetime.now(VIETNAM_TZ).date()
TEMPLATE = scheme_for(TODAY).default_template_symbol
SERIES = scheme_for(TODAY).series(TODAY.year, "VA")


def number(n: int) -> str:
    return number_text(TEMPLATE, n)


def label(n: int) -> str:
    """As the public page and the API print it: ``EBL01 · 26TVA · 00000001``."""
    return f"{TEMPLATE} · {SERIES} · {number(n)}"
