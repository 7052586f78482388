"""Pieces the civil-status templates share: a person, a parent, dates as printed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ...money import amount_in_words
from ...text import Limit, check_int, clean_optional, clean_text
from ..result_models import Issuer, Official


def _words(n: int) -> str:
    text = amount_in_words(n, currency="")
    return text[0].lower() + text[1:]


# Months as Vietnamese write them in words: April is "tháng tư", never "tháng bốn".
_MONTHS = (
    "một", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười", "mười một", "mười hai",
)  # fmt: skip


def month_in_words(month: int) -> str:
    return _MONTHS[month - 1]


def date_in_words(day: dt.date) -> str:
    """``2024-03-05`` → "Ngày mùng năm tháng ba năm hai nghìn không trăm hai mươi tư".

    Days 1-10 take "mùng", as birth registrations write them; the month is "tháng tư" for April
    (not "tháng bốn"); numbers follow the receipts' convention (:mod:`receipts.money`), so 2024
    is "hai nghìn không trăm hai mươi tư".
    """
    day_words = ("mùng " if day.day <= 10 else "") + _words(day.day)
    return f"Ngày {day_words} tháng {month_in_words(day.month)} năm {_words(day.year)}"


def date_numeric(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def date_line(place: str, day: dt.date) -> str:
    """The place and date line of a document: "Chu Văn An, ngày 05 tháng 4 năm 2026".

    Nghị định 30/2020/NĐ-CP, Phụ lục I: a leading zero only for days below 10 and for months 1
    and 2 ("ngày 05 tháng 01", "ngày 15 tháng 4", "ngày 30 tháng 12").
    """
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def ward_signer(
    *, name: str, deputy: bool = False, role: str = "chairman", collective: bool = True
) -> Official:
    """The ward's signing block (Nghị định 30/2020/NĐ-CP, Phụ lục I).

    The chairman signs "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH"; the vice-chairman, the alternative
    signer, "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH". ``role`` names the signature
    slot of the procedure (``Sig_chairman`` by default, whoever fills it); ``collective=False``
    drops the "TM." line where a form has the chairman sign in his own name.
    """
    return Official(
        role=role,
        title="PHÓ CHỦ TỊCH" if deputy else "CHỦ TỊCH",
        name=name,
        on_behalf_of="KT. CHỦ TỊCH" if deputy else None,
        collective="TM. ỦY BAN NHÂN DÂN" if collective else None,
    )


def issuer_statement(issuer: Issuer) -> str:
    """ "ỦY BAN NHÂN DÂN PHƯỜNG VĂN AN" from the header lines, for "… XÁC NHẬN:"."""
    return " ".join(issuer.lines).upper()


@dataclass(frozen=True, kw_only=True)
class Person:
    """The person a civil-status document is about."""

    full_name: str
    date_of_birth: dt.date
    gender: str
    ethnicity: str
    nationality: str
    personal_id: str  # số định danh cá nhân
    residence: str

    def __post_init__(self) -> None:
        for name, label, limit in (
            ("full_name", "Họ, chữ đệm, tên", Limit.NAME),
            ("gender", "Giới tính", Limit.CODE),
            ("ethnicity", "Dân tộc", Limit.CODE),
            ("nationality", "Quốc tịch", Limit.CODE),
            ("personal_id", "Số định danh cá nhân", Limit.CODE),
            ("residence", "Nơi cư trú", Limit.ADDRESS),
        ):
            value = clean_text(
                getattr(self, name), label=label, field=f"person.{name}", limit=limit
            )
            object.__setattr__(self, name, value)


@dataclass(frozen=True, kw_only=True)
class Parent:
    full_name: str
    birth_year: int | None = None
    ethnicity: str | None = None
    nationality: str | None = None
    residence: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "full_name",
            clean_text(
                self.full_name, label="Họ tên cha/mẹ", field="parent.full_name", limit=Limit.NAME
            ),
        )
        if self.birth_year is not None:
            check_int(
                self.birth_year,
                label="Năm sinh",
                field="parent.birth_year",
                minimum=1850,
                maximum=2200,
            )
        for name, label, limit in (
            ("ethnicity", "Dân tộc", Limit.CODE),
            ("nationality", "Quốc tịch", Limit.CODE),
            ("residence", "Nơi cư trú", Limit.ADDRESS),
        ):
            value = clean_optional(
                getattr(self, name), label=label, field=f"parent.{name}", limit=limit
            )
            object.__setattr__(self, name, value)

    def fields(self, who: str) -> list[tuple[str, str]]:
        """Rows for the parent ``who`` ("người mẹ", "người cha"), known parts only."""
        rows = [(f"Họ, chữ đệm, tên {who}", self.full_name)]
        facts = []
        if self.birth_year is not None:
            facts.append(f"năm sinh {self.birth_year}")
        if self.ethnicity:
            facts.append(f"dân tộc {self.ethnicity}")
        if self.nationality:
            facts.append(f"quốc tịch {self.nationality}")
        if facts:
            text = ", ".join(facts)
            rows.append(("Năm sinh, dân tộc, quốc tịch", text[0].upper() + text[1:]))
        if self.residence:
            rows.append(("Nơi cư trú", self.residence))
        return rows
