"""Fee quotes: the amount of each fee item of a procedure on a given day, with its legal basis.

``quote()`` is a pure function of the catalog and its arguments. It picks, for each fee item, the
provincial override in force on the day or else the national tariff in force, applies the rule
(flat, per copy, per case, tiered per page with a cap per copy), then an exemption (the line
stays, at 0 đ, with the reason and its legal basis) or a channel reduction. Money is ``int``
đồng throughout. A percentage reduction applies to the unit price, rounded down to the đồng in
the payer's favour, so every line keeps ``amount == quantity × unit_price`` (0 when exempt).
"""

from __future__ import annotations

import datetime as dt
import difflib
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .catalog import (
    Catalog,
    Channel,
    ChannelRule,
    Exemption,
    FeeItem,
    Procedure,
    Rule,
    Tariff,
    default_catalog,
)
from .conditions import Evidence, check_facts, conditional_exemption, static_evidence
from .errors import NoTariffInForceError, QuoteInputError, UnknownProcedureError
from .money import format_vnd

MAX_PAGES = 10_000
MAX_COPIES = 1_000
MAX_CASES = 1_000


class TariffSource(enum.StrEnum):
    NATIONAL = "national"
    PROVINCIAL = "provincial"


@dataclass(frozen=True, slots=True)
class AppliedExemption:
    code: str
    reason_vi: str
    reason_en: str
    legal_basis: str


@dataclass(frozen=True, slots=True)
class AppliedReduction:
    channel: Channel
    percent: int
    unit_price_before: int
    legal_basis: str


@dataclass(frozen=True, slots=True)
class QuoteLine:
    item_id: str
    name_vi: str
    name_en: str
    charge: str
    rule: Rule
    rule_text: str
    """The computation in words, e.g. "2.000 đ/trang × 2 trang + 1.000 đ/trang × 1 trang"."""
    quantity: int
    unit_price: int
    amount: int
    legal_basis: str
    tariff_source: TariffSource | None
    tariff_period: str | None
    exemption: AppliedExemption | None = None
    reduction: AppliedReduction | None = None
    evidence: Evidence | None = None
    """Why the line is exempt: the exemption's basis and the facts it read."""
    unverified: tuple[str, ...] = ()
    """Why the tariff, reduction or exemption used is not yet checked ("chưa xác minh")."""


@dataclass(frozen=True, slots=True)
class Quote:
    procedure_code: str
    procedure_name_vi: str
    procedure_name_en: str
    on: dt.date
    province: str | None
    channel: Channel
    lines: tuple[QuoteLine, ...]
    total: int

    @property
    def exemptions(self) -> tuple[AppliedExemption, ...]:
        return tuple(line.exemption for line in self.lines if line.exemption is not None)


def suggest_codes(code: str, catalog: Catalog, *, limit: int = 3) -> tuple[str, ...]:
    """The closest procedure codes to a mistyped one (by code, then by Vietnamese name)."""
    codes = list(catalog.procedures)
    found = difflib.get_close_matches(code.upper(), codes, n=limit, cutoff=0.4)
    if not found:
        names = {p.name_vi.lower(): p.code for p in catalog.procedures.values()}
        found = [
            names[n]
            for n in difflib.get_close_matches(code.lower(), list(names), n=limit, cutoff=0.3)
        ]
    return tuple(found)


def find_procedure(code: str, *, catalog: Catalog) -> Procedure:
    proc = catalog.procedures.get(code.strip().upper())
    if proc is None:
        suggestions = suggest_codes(code, catalog)
        vi, en = f"Không có thủ tục mã {code!r}", f"Unknown procedure code {code!r}"
        if suggestions:
            vi += f". Có phải: {', '.join(suggestions)}?"
            en += f". Did you mean: {', '.join(suggestions)}?"
        raise UnknownProcedureError(vi, message_en=en, suggestions=suggestions)
    return proc


def _count(name_vi: str, value: int | None, *, default: int | None, maximum: int) -> int | None:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 1 or value > maximum:
        raise QuoteInputError(
            f"Số {name_vi} phải là số nguyên từ 1 đến {maximum}, không phải {value!r} / "
            f"{name_vi}: must be an integer from 1 to {maximum}"
        )
    return value


def _tariff_in_force(
    proc: Procedure, item: FeeItem, on: dt.date, catalog: Catalog
) -> tuple[Tariff, TariffSource] | None:
    for override in catalog.overrides_for(proc.code, item.id):
        if override.in_force(on):
            return override, TariffSource.PROVINCIAL
    for tariff in item.tariffs:
        if tariff.in_force(on):
            return tariff, TariffSource.NATIONAL
    return None


def _tiered_price(tariff: Tariff, pages: int) -> tuple[int, str]:
    """The price of one copy of ``pages`` pages, and how it was computed."""
    parts: list[str] = []
    price = 0
    tiers = tariff.tiers
    for index, tier in enumerate(tiers):
        last = tiers[index + 1].from_page - 1 if index + 1 < len(tiers) else pages
        n = min(pages, last) - tier.from_page + 1
        if n <= 0:
            break
        price += n * tier.amount
        parts.append(f"{format_vnd(tier.amount)}/trang × {n} trang")
    text = " + ".join(parts)
    if tariff.cap_per_copy is not None and price > tariff.cap_per_copy:
        text += f", tối đa {format_vnd(tariff.cap_per_copy)}/bản"
        price = tariff.cap_per_copy
    return price, text


def _exemption_for(
    proc: Procedure, item: FeeItem, categories: tuple[Exemption, ...], catalog: Catalog
) -> Exemption | None:
    for exemption in catalog.exemptions.values():
        if (
            exemption.kind == "procedure"
            and proc.code in exemption.procedures
            and item.charge in exemption.charges
        ):
            return exemption
    for exemption in categories:
        if proc.field in exemption.fields and item.charge in exemption.charges:
            return exemption
    return None


def _reduction_for(
    proc: Procedure, channel: Channel, on: dt.date, catalog: Catalog
) -> ChannelRule | None:
    for rule in catalog.channel_rules:
        if rule.channel is channel and proc.field in rule.fields and rule.in_force(on):
            return rule
    return None


def quote(
    code: str,
    *,
    on: dt.date,
    pages: int | None = None,
    copies: int | None = None,
    cases: int | None = None,
    categories: Iterable[str] = (),
    channel: Channel = Channel.COUNTER,
    catalog: Catalog | None = None,
    facts: Mapping[str, object] | None = None,
) -> Quote:
    """The fee of procedure ``code`` for a dossier received on ``on``.

    ``pages`` is required for a per-page tariff (the certified-copy tariff), ``copies`` defaults
    to 1, ``cases`` (signatures, contracts) to 1. ``categories`` are payer exemption codes.
    ``facts`` are what the clerk states about the filing and the payer (e.g. ``vneid_level``),
    read by conditional exemptions (:mod:`receipts.conditions`).
    """
    catalog = catalog or default_catalog()
    proc = find_procedure(code, catalog=catalog)
    copies_n = _count("bản sao (copies)", copies, default=1, maximum=MAX_COPIES)
    cases_n = _count("trường hợp (cases)", cases, default=1, maximum=MAX_CASES)
    pages_n = _count("trang (pages)", pages, default=None, maximum=MAX_PAGES)
    if proc.uses_pages and pages_n is None:
        raise QuoteInputError(
            f"Thủ tục {proc.code} tính phí theo trang: cần số trang / pages are required"
        )
    chosen: list[Exemption] = []
    for cat in categories:
        exemption = catalog.exemptions.get(cat)
        if exemption is None or exemption.kind != "category":
            known = ", ".join(e.code for e in catalog.exemptions.values() if e.kind == "category")
            raise QuoteInputError(
                f"Không có đối tượng miễn phí {cat!r}; các đối tượng: {known} / "
                "unknown exemption category"
            )
        chosen.append(exemption)
    reduction_rule = _reduction_for(proc, channel, on, catalog)
    stated = {**check_facts(facts or {}), "procedure": proc.code, "channel": channel.value}

    lines: list[QuoteLine] = []
    for item in proc.items:
        exemption = _exemption_for(proc, item, tuple(chosen), catalog)
        evidence = static_evidence(exemption, proc) if exemption else None
        if exemption is None:
            exemption, evidence = conditional_exemption(proc, item, on, stated, catalog)
        found = _tariff_in_force(proc, item, on, catalog)
        if found is None and exemption is None:
            where = catalog.province.name_vi if catalog.province else "toàn quốc"
            raise NoTariffInForceError(
                f"Không có biểu phí nào có hiệu lực ngày {on.strftime('%d/%m/%Y')} cho khoản "
                f"“{item.name_vi}” ({proc.code}, {where}) / no tariff in force on {on.isoformat()}"
            )
        tariff, source = found if found else (None, None)
        if item.rule is Rule.PER_PAGE_TIERED:
            assert pages_n is not None
            quantity = copies_n or 1
            unit, how = _tiered_price(tariff, pages_n) if tariff else (0, "")
            rule_text = f"{how}; × {quantity} bản"
        elif item.rule is Rule.FLAT:
            quantity, unit = 1, tariff.amount if tariff and tariff.amount is not None else 0
            rule_text = f"{format_vnd(unit)}/hồ sơ"
        elif item.rule is Rule.PER_COPY:
            quantity, unit = (
                copies_n or 1,
                tariff.amount if tariff and tariff.amount is not None else 0,
            )
            rule_text = f"{format_vnd(unit)}/bản × {quantity} bản"
        else:
            quantity, unit = (
                cases_n or 1,
                tariff.amount if tariff and tariff.amount is not None else 0,
            )
            rule_text = f"{format_vnd(unit)}/trường hợp × {quantity} trường hợp"
        applied_exemption = applied_reduction = None
        if (
            exemption is None
            and reduction_rule is not None
            and unit > 0
            and item.set_by == "province"  # no provincial reduction of a Ministry fee
        ):
            # Reduced per unit, so the line keeps amount = quantity × unit price.
            applied_reduction = AppliedReduction(
                channel=channel,
                percent=reduction_rule.percent,
                unit_price_before=unit,
                legal_basis=reduction_rule.legal_basis,
            )
            unit = unit * (100 - reduction_rule.percent) // 100
            rule_text += f"; giảm {reduction_rule.percent}% khi nộp trực tuyến"
        amount = unit * quantity
        if exemption is not None:
            applied_exemption = AppliedExemption(
                code=exemption.code,
                reason_vi=exemption.name_vi,
                reason_en=exemption.name_en,
                legal_basis=exemption.legal_basis,
            )
            rule_text += f"; miễn: {exemption.name_vi}"
            amount = 0
        lines.append(
            QuoteLine(
                item_id=item.id,
                name_vi=item.name_vi,
                name_en=item.name_en,
                charge=item.charge,
                rule=item.rule,
                rule_text=rule_text,
                quantity=quantity,
                unit_price=unit,
                amount=amount,
                legal_basis=tariff.legal_basis
                if tariff
                else exemption.legal_basis
                if exemption
                else "",
                tariff_source=source,
                tariff_period=tariff.describe() if tariff else None,
                exemption=applied_exemption,
                reduction=applied_reduction,
                evidence=evidence,
                unverified=tuple(
                    m
                    for m in (
                        tariff.unverified if tariff else None,
                        reduction_rule.unverified if applied_reduction and reduction_rule else None,
                        exemption.unverified if exemption else None,
                    )
                    if m
                ),
            )
        )
    return Quote(
        procedure_code=proc.code,
        procedure_name_vi=proc.name_vi,
        procedure_name_en=proc.name_en,
        on=on,
        province=catalog.province.code if catalog.province else None,
        channel=channel,
        lines=tuple(lines),
        total=sum(line.amount for line in lines),
    )
