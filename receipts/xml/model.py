"""The plain values an XML receipt is built from (no dependency on the service's records)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True, kw_only=True)
class XmlParty:
    name: str
    tax_code: str | None = None
    address: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class XmlLine:
    name: str
    charge: Literal["phi", "le_phi"]
    quantity: int
    unit_price: int
    amount: int
    legal_basis: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class XmlRelated:
    """The receipt a replacement replaces (TT 91 Điều 20)."""

    template_symbol: str
    series: str
    number: int
    issue_date: dt.date


@dataclass(frozen=True, slots=True, kw_only=True)
class XmlReceipt:
    """What an e-receipt states (NĐ 254/2026 Điều 23.2), as plain values."""

    unit: XmlParty
    """The collecting body: name and tax code are mandatory."""
    template_symbol: str
    series: str
    number: int
    issue_date: dt.date
    lines: tuple[XmlLine, ...]
    payer: XmlParty | None = None
    payment_method: str | None = None
    title: str = "BIÊN LAI THU PHÍ, LỆ PHÍ"
    replaces: XmlRelated | None = None

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)
