"""Fee quotes: the amount of each fee item of a procedure on a given day, with its legal basis.

``quote()`` is a pure function of the catalog and its arguments. It picks, for each fee item, the
provincial override in force on the day or else the national tariff in force, applies the rule
(flat, per copy, per case, tiered per page with a cap per copy), then an exemption (the line
stays, at 0 đ, with the reason and its legal basis) or a channel reduction. Money is ``int``
đồng throughout. A percentage reduction applies to the unit price, rounded down to the đồng in
the payer's favour, so every line keeps ``amount == quantity × unit_price`` (0 when exempt).

:class:`FeeLine` is the one shape of a fee line: what ``quote()`` returns, what a receipt
prints (``receipts.pdf``), what a document's snapshot stores; :func:`total_of` is the one place
a total is computed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

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
from .conditions import Evidence, FactUse, check_facts, conditional_exemption, static_evidence
from .errors import NoTariffInForceError, QuoteInputError, UnknownProcedureError
from .money import format_vnd
from .text import Limit, check_amount, check_int, clean_optional, clean_text, fail

MAX_PAGES = 10_000
MAX_COPIES = 1_000
MAX_CASES = 1_000
MAX_QUANTITY = 10_000


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


@dataclass(frozen=True, kw_only=True)
class FeeLine:
    """One fee line, the one shape everywhere: the fee engine's output, what a receipt prints
    (``receipts.pdf``), what a document's snapshot stores. A line typed by the clerk has only
    the first six fields; a quoted line also says how it was computed.

    Checked when built: texts NFC and within :class:`~receipts.text.Limit`, money int đồng,
    ``amount == quantity × unit_price`` unless exempt (then 0, with the reason).
    """

    name: str
    """As printed (Vietnamese); a quoted line with an online reduction says so in its name."""
    legal_basis: str
    quantity: int
    unit_price: int
    amount: int
    exemption_reason: str | None = None
    item_id: str | None = None
    name_en: str | None = None
    charge: str | None = None
    rule: Rule | None = None
    rule_text: str | None = None
    """The computation in words, e.g. "2.000 đ/trang × 2 trang + 1.000 đ/trang × 1 trang"."""
    tariff_source: TariffSource | None = None
    tariff_period: str | None = None
    exemption: AppliedExemption | None = None
    reduction: AppliedReduction | None = None
    evidence: Evidence | None = None
    """Why the line is exempt: the exemption's basis and the facts it read."""
    unverified: tuple[str, ...] = ()
    """Why the tariff, reduction or exemption used is not yet checked ("chưa xác minh")."""

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(
            self,
            "name",
            clean_text(self.name, label="Tên khoản thu", field="line.name", limit=Limit.FEE_NAME),
        )
        put(
            self,
            "legal_basis",
            clean_text(
                self.legal_basis,
                label="Căn cứ pháp lý",
                field="line.legal_basis",
                limit=Limit.LEGAL_BASIS,
            ),
        )
        put(
            self,
            "exemption_reason",
            clean_optional(
                self.exemption_reason,
                label="Lý do miễn",
                field="line.exemption_reason",
                limit=Limit.REASON,
            ),
        )
        check_int(
            self.quantity, label="Số lượng", field="line.quantity", minimum=1, maximum=MAX_QUANTITY
        )
        check_amount(self.unit_price, label="Đơn giá", field="line.unit_price")
        check_amount(self.amount, label="Thành tiền", field="line.amount")
        if self.exemption_reason is not None:
            if self.amount != 0:
                raise fail(
                    f"Khoản thu được miễn '{self.name}' phải có thành tiền 0 đ, không phải "
                    f"{self.amount}",
                    "an exempt line must have amount 0",
                    code="amount_mismatch",
                )
        elif self.amount != self.quantity * self.unit_price:
            raise fail(
                f"Khoản thu '{self.name}': thành tiền {self.amount} khác số lượng × đơn giá "
                f"= {self.quantity} × {self.unit_price} = {self.quantity * self.unit_price}",
                "line amount is not quantity × unit price",
                code="amount_mismatch",
            )

    @property
    def name_vi(self) -> str:
        return self.name

    def to_json(self) -> dict[str, Any]:
        """JSON-ready (ints for money, enums by value); ``from_json`` reads it back."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, enum.Enum):
                value = value.value
            elif dataclasses.is_dataclass(value) and not isinstance(value, type):
                value = {
                    k: (v.value if isinstance(v, enum.Enum) else v)
                    for k, v in dataclasses.asdict(value).items()
                }
            out[f.name] = value
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FeeLine:
        values = dict(data)
        if values.get("rule") is not None:
            values["rule"] = Rule(values["rule"])
        if values.get("tariff_source") is not None:
            values["tariff_source"] = TariffSource(values["tariff_source"])
        if values.get("exemption") is not None:
            values["exemption"] = AppliedExemption(**values["exemption"])
        if values.get("reduction") is not None:
            r = dict(values["reduction"])
            r["channel"] = Channel(r["channel"])
            values["reduction"] = AppliedReduction(**r)
        if values.get("evidence") is not None:
            e = dict(values["evidence"])
            e["facts"] = tuple(FactUse(**f) for f in e["facts"])
            values["evidence"] = Evidence(**e)
        values["unverified"] = tuple(values.get("unverified") or ())
        return cls(**values)


def total_of(lines: Iterable[FeeLine]) -> int:
    """The one place a total is computed: the sum of the lines' amounts."""
    return sum(line.amount for line in lines)


@dataclass(frozen=True, slots=True)
class Quote:
    procedure_code: str
    procedure_name_vi: str
    procedure_name_en: str
    on: dt.date
    province: str | None
    channel: Channel
    lines: tuple[FeeLine, ...]
    total: int = dataclasses.field(init=False)
    """:func:`total_of` the lines."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "total", total_of(self.lines))

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

    lines: list[FeeLine] = []
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
        name = item.name_vi
        if applied_reduction is not None:
            name += f" (giảm {applied_reduction.percent}% khi nộp trực tuyến)"
        lines.append(
            FeeLine(
                item_id=item.id,
                name=name,
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
                exemption_reason=applied_exemption.reason_vi if applied_exemption else None,
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
    )
