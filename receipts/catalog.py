"""The procedure catalog: procedures, fee items, tariffs, exemptions and channel rules as data.

The catalog is TOML (``receipts/data/catalog.toml`` for the national rules, one file per
province under ``receipts/data/provinces/`` for the rates a provincial People's Council sets),
validated on load by pydantic models that reject unknown keys. Loading fails with a
:class:`~receipts.errors.CatalogError` that names the file and the key when a file is malformed,
an item has no legal basis, an amount is negative or two tariffs of one item overlap in time.

Not every figure could be checked against the gazette. Any tariff, rule, exemption or procedure
may carry ``unverified = "…why…"`` (a province file may set it once for all its entries):
:meth:`Catalog.unverified_items` lists them for the administrator, and
:meth:`Catalog.unverified_fingerprint` names that list so an acknowledgement can be recorded
and is void when the list changes. A province may keep, for its area, the resolutions of a
former province (``[[inherits]]``: Hải Phòng keeps Hải Dương's from 1 July 2025 until it
replaces them); its own entries take precedence over inherited ones. An exemption may depend
on facts about the filing and the payer (``kind = "conditional"``, see :mod:`receipts.conditions`).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from .conditions import Condition
from .errors import CatalogError

DATA_DIR = Path(__file__).parent / "data"
_M = TypeVar("_M", bound=BaseModel)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Amount = Annotated[int, Field(ge=0, strict=True)]
Unverified = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3)] | None
"""Why a figure or citation is not yet checked against the gazette ("chưa xác minh")."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _nfc(cls, data: object) -> object:
        # Text is NFC before anything else sees it (DESIGN.md).
        if isinstance(data, dict):
            return {
                k: unicodedata.normalize("NFC", v) if isinstance(v, str) else v
                for k, v in data.items()
            }
        return data


class Field_(enum.StrEnum):
    """The field (lĩnh vực) a procedure belongs to."""

    CIVIL_STATUS = "civil_status"  # hộ tịch
    CERTIFICATION = "certification"  # chứng thực


FIELD_NAMES_VI = {Field_.CIVIL_STATUS: "Hộ tịch", Field_.CERTIFICATION: "Chứng thực"}


class Rule(enum.StrEnum):
    """How a fee item's amount is computed."""

    FLAT = "flat"  # once per dossier
    PER_COPY = "per_copy"  # unit amount × copies
    PER_CASE = "per_case"  # unit amount × cases (e.g. signatures certified in one paper)
    PER_PAGE_TIERED = "per_page_tiered"  # tiered price per page, capped per copy, × copies


class Channel(enum.StrEnum):
    COUNTER = "counter"
    ONLINE = "online"


class Period(_Model):
    effective_from: dt.date
    effective_to: dt.date | None = None
    """Last day in force (inclusive); open-ended when absent."""

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        return self

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def overlaps(self, other: Period) -> bool:
        end_a = self.effective_to or dt.date.max
        end_b = other.effective_to or dt.date.max
        return self.effective_from <= end_b and other.effective_from <= end_a

    def describe(self) -> str:
        end = self.effective_to.strftime("%d/%m/%Y") if self.effective_to else "nay"
        return f"{self.effective_from.strftime('%d/%m/%Y')}–{end}"


class Tier(_Model):
    from_page: Annotated[int, Field(ge=1, strict=True)]
    amount: Amount


class Tariff(Period):
    """The amounts of one fee item during one period, with the text that sets them."""

    legal_basis: Text
    unverified: Unverified = None
    amount: Amount | None = None
    tiers: tuple[Tier, ...] = ()
    cap_per_copy: Amount | None = None


class FeeItem(_Model):
    id: Text
    name_vi: Text
    name_en: Text
    charge: Literal["phi", "le_phi"]
    """Fee (phí, for a service) or charge (lệ phí, for a State act): receipts name them apart."""
    set_by: Literal["ministry", "province"]
    """Who sets the amount: a Ministry of Finance tariff admits no provincial override and no
    provincial channel reduction (e.g. copies of extracts, TT 281/2016/TT-BTC)."""
    rule: Rule
    tariffs: tuple[Tariff, ...] = ()
    """National tariffs; a province file may override them."""

    @model_validator(mode="after")
    def _consistent(self) -> FeeItem:
        for t in self.tariffs:
            _check_tariff_shape(self.rule, t)
        _check_no_overlap(self.tariffs, what=f"tariffs of item {self.id!r}")
        return self


class Procedure(_Model):
    code: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9-]{1,30}$")]
    name_vi: Text
    name_en: Text
    field: Field_
    processing_days: Annotated[int, Field(ge=0, le=60, strict=True)]
    """Statutory processing time in working days; 0 means the same working day."""
    verification_extra_days: Annotated[int, Field(ge=0, le=30, strict=True)] = 0
    """Working days added when the dossier needs verification (e.g. marriage +5)."""
    deadline_basis: str | None = None
    """The text that sets the processing time, when it is not the procedure's basis."""
    legal_basis: Text
    ward_from: dt.date | None = None
    """The day the ward took the procedure over (NĐ 120/2025/NĐ-CP: 2025-07-01), if it did."""
    ward_basis: str | None = None
    unverified: Unverified = None
    result_template: str | None = None
    """The result document drawn for this procedure, when it has one."""
    signers: tuple[str, ...] = ()
    """Roles that sign the result, in order (e.g. judicial_officer, chairman)."""
    items: tuple[FeeItem, ...]

    @model_validator(mode="after")
    def _unique_items(self) -> Procedure:
        ids = [i.id for i in self.items]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate fee item ids in {self.code}")
        return self

    def item(self, item_id: str) -> FeeItem | None:
        return next((i for i in self.items if i.id == item_id), None)

    @property
    def uses_pages(self) -> bool:
        return any(i.rule is Rule.PER_PAGE_TIERED for i in self.items)

    def working_days(self, *, verification_needed: bool = False) -> int:
        """The processing time, with the extra days when verification is needed."""
        return self.processing_days + (self.verification_extra_days if verification_needed else 0)


class Exemption(_Model):
    """A reason a fee line is 0 đ: a category of payer, a procedure, or facts of the filing."""

    code: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,40}$")]
    kind: Literal["category", "procedure", "conditional"]
    name_vi: Text
    name_en: Text
    legal_basis: Text
    fields: tuple[Field_, ...] = ()
    """Payer categories: the fields whose fees they exempt."""
    procedures: tuple[str, ...] = ()
    """Procedure and conditional exemptions: the procedures they cover."""
    charges: tuple[Literal["phi", "le_phi"], ...] = ("le_phi",)
    when: Condition | None = None
    """Conditional exemptions: the facts that must hold (:mod:`receipts.conditions`)."""
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    """A time-boxed exemption's first and last day (inclusive)."""
    unverified: Unverified = None

    @model_validator(mode="after")
    def _shape(self) -> Exemption:
        if (self.kind == "conditional") != (self.when is not None):
            raise ValueError("a conditional exemption has `when`, and only it")
        if self.kind != "category" and not self.procedures:
            raise ValueError(f"a {self.kind} exemption names its procedures")
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        return self

    def in_force(self, day: dt.date) -> bool:
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_to is None or day <= self.effective_to
        )

    def describe_period(self) -> str | None:
        if self.effective_from is None and self.effective_to is None:
            return None
        start = self.effective_from.strftime("%d/%m/%Y") if self.effective_from else "…"
        end = self.effective_to.strftime("%d/%m/%Y") if self.effective_to else "nay"
        return f"{start}–{end}"


class ProvinceOverride(Tariff):
    procedure: Text
    item: Text


class ChannelRule(Period):
    """A reduction for a submission channel, e.g. 50% for dossiers submitted online."""

    channel: Channel
    percent: Annotated[int, Field(ge=1, le=100, strict=True)]
    fields: tuple[Field_, ...]
    legal_basis: Text
    unverified: Unverified = None


class Inheritance(Period):
    """A former province's resolutions kept in force for part of this province's area."""

    province: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,4}$")]
    area_vi: Text
    legal_basis: Text
    channel_rules: bool = True
    """Whether the former province's channel reductions are kept too."""
    unverified: Unverified = None


class Province(_Model):
    code: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,4}$")]
    name_vi: Text
    unverified: Unverified = None
    """Applies to every override and rule of this file that has no mark of its own."""
    inherits: tuple[Inheritance, ...] = ()
    overrides: tuple[ProvinceOverride, ...] = ()
    channel_rules: tuple[ChannelRule, ...] = ()


class CatalogFile(_Model):
    schema_version: Literal[1]
    procedures: tuple[Procedure, ...]
    exemptions: tuple[Exemption, ...] = ()


def _check_tariff_shape(rule: Rule, t: Tariff) -> None:
    if rule is Rule.PER_PAGE_TIERED:
        if not t.tiers or t.amount is not None:
            raise ValueError("a per_page_tiered tariff has tiers (and no amount)")
        if t.tiers[0].from_page != 1 or any(
            a.from_page >= b.from_page for a, b in zip(t.tiers, t.tiers[1:], strict=False)
        ):
            raise ValueError("tiers start at page 1 and go up")
    elif t.amount is None or t.tiers or t.cap_per_copy is not None:
        raise ValueError(f"a {rule.value} tariff has an amount (and no tiers or cap)")


def _check_no_overlap(periods: Iterable[Period], *, what: str) -> None:
    seen: list[Period] = []
    for p in periods:
        for q in seen:
            if p.overlaps(q):
                raise ValueError(
                    f"overlapping effective periods in {what}: {q.describe()} and {p.describe()}"
                )
        seen.append(p)


_P = TypeVar("_P", ProvinceOverride, ChannelRule)


@dataclass(frozen=True, slots=True)
class UnverifiedItem:
    """A figure or citation not yet checked against the gazette, as shown to the administrator."""

    where: str
    """The file and key, e.g. ``HP.toml overrides[HT-KH/registration] 01/07/2025–nay``."""
    what_vi: str
    reason: str


def _merge_marks(*marks: str | None) -> str | None:
    found = [m for m in marks if m]
    return "; ".join(dict.fromkeys(found)) or None


def _clip(period: _P, inh: Inheritance, *, basis: str, mark: str | None) -> _P | None:
    """``period`` cut to the inheritance's span, its basis saying where it applies now."""
    if not period.overlaps(inh):
        return None
    ends = [e for e in (period.effective_to, inh.effective_to) if e is not None]
    return period.model_copy(
        update={
            "effective_from": max(period.effective_from, inh.effective_from),
            "effective_to": min(ends) if ends else None,
            "legal_basis": f"{basis} — áp dụng tiếp trên {inh.area_vi} ({inh.legal_basis})",
            "unverified": _merge_marks(mark, inh.unverified),
        }
    )


class Catalog:
    """The loaded catalog for one province: read-only once built."""

    def __init__(
        self,
        *,
        national: CatalogFile,
        province: Province | None,
        inherited: tuple[tuple[Inheritance, Province], ...] = (),
    ) -> None:
        self.procedures: dict[str, Procedure] = {p.code: p for p in national.procedures}
        self.exemptions: dict[str, Exemption] = {e.code: e for e in national.exemptions}
        self.province = province
        overrides: list[ProvinceOverride] = []
        rules: list[ChannelRule] = []
        for inh, former in inherited:
            for o in former.overrides:
                clipped = _clip(o, inh, basis=o.legal_basis, mark=o.unverified)
                if clipped is not None:
                    overrides.append(clipped)
            for r in former.channel_rules if inh.channel_rules else ():
                clipped_rule = _clip(r, inh, basis=r.legal_basis, mark=r.unverified)
                if clipped_rule is not None:
                    rules.append(clipped_rule)
        self.inherited_overrides = tuple(overrides)
        self.inherited_channel_rules = tuple(rules)

    def overrides_for(self, code: str, item_id: str) -> tuple[ProvinceOverride, ...]:
        """The province's own overrides first, then those it keeps from a former province."""
        if self.province is None:
            return ()
        return tuple(
            o
            for o in (*self.province.overrides, *self.inherited_overrides)
            if o.procedure == code and o.item == item_id
        )

    @property
    def channel_rules(self) -> tuple[ChannelRule, ...]:
        if self.province is None:
            return ()
        return (*self.province.channel_rules, *self.inherited_channel_rules)

    def conditional_exemptions(self) -> tuple[Exemption, ...]:
        return tuple(e for e in self.exemptions.values() if e.kind == "conditional")

    def unverified_items(self) -> tuple[UnverifiedItem, ...]:
        """Every entry marked "chưa xác minh / unverified", to show the administrator."""
        out: list[UnverifiedItem] = []
        for p in self.procedures.values():
            if p.unverified:
                out.append(
                    UnverifiedItem(f"catalog.toml procedures[{p.code}]", p.name_vi, p.unverified)
                )
            for item in p.items:
                for t in item.tariffs:
                    if t.unverified:
                        out.append(
                            UnverifiedItem(
                                f"catalog.toml procedures[{p.code}].items[{item.id}] "
                                f"{t.describe()}",
                                f"{item.name_vi}: {_amount_text(t)} ({t.legal_basis})",
                                t.unverified,
                            )
                        )
        for e in self.exemptions.values():
            if e.unverified:
                out.append(
                    UnverifiedItem(
                        f"catalog.toml exemptions[{e.code}]",
                        f"{e.name_vi} ({e.legal_basis})",
                        e.unverified,
                    )
                )
        if self.province is not None:
            file = f"{self.province.code}.toml"
            for inh in self.province.inherits:
                if inh.unverified:
                    out.append(
                        UnverifiedItem(
                            f"{file} inherits[{inh.province}] {inh.describe()}",
                            f"{inh.area_vi} ({inh.legal_basis})",
                            inh.unverified,
                        )
                    )
            own = {id(o) for o in self.province.overrides}
            for o in (*self.province.overrides, *self.inherited_overrides):
                if o.unverified:
                    origin = file if id(o) in own else f"{file} (kế thừa / inherited)"
                    proc = self.procedures.get(o.procedure)
                    fee = proc.item(o.item) if proc else None
                    out.append(
                        UnverifiedItem(
                            f"{origin} overrides[{o.procedure}/{o.item}] {o.describe()}",
                            f"{fee.name_vi if fee else o.item}: {_amount_text(o)} "
                            f"({o.legal_basis})",
                            o.unverified,
                        )
                    )
            for r in self.channel_rules:
                if r.unverified:
                    out.append(
                        UnverifiedItem(
                            f"{file} channel_rules[{r.channel.value}] {r.describe()}",
                            f"Giảm {r.percent}% ({r.legal_basis})",
                            r.unverified,
                        )
                    )
        return tuple(out)

    def unverified_fingerprint(self) -> str:
        """SHA-256 of the unverified list: an acknowledgement names it, and a change voids it."""
        text = "\n".join(f"{u.where}|{u.what_vi}|{u.reason}" for u in self.unverified_items())
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _amount_text(t: Tariff) -> str:
    if t.amount is not None:
        return f"{t.amount:,} đ".replace(",", ".")
    return ", ".join(
        f"{x.amount:,} đ/trang từ trang {x.from_page}".replace(",", ".") for x in t.tiers
    )


def _format_loc(loc: tuple[int | str, ...], data: object) -> str:
    """``('procedures', 3, 'items', 0, 'amount')`` → ``procedures[CT-BS].items[copy].amount``."""
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(key, int) and isinstance(node, list | tuple):
            node = node[key] if key < len(node) else None
            label = node.get("code") or node.get("id") if isinstance(node, dict) else None
            parts[-1] += f"[{label or key}]"
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return ".".join(parts)


def _read(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except OSError as exc:
        raise CatalogError(
            f"Không đọc được tệp danh mục {path}: {exc.strerror} / cannot read"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"Tệp danh mục {path} sai cú pháp TOML: {exc} / invalid TOML") from exc


def _validate(model: type[_M], path: Path, data: dict[str, object]) -> _M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = _format_loc(tuple(first["loc"]), data) or "(gốc)"
        raise CatalogError(
            f"Tệp danh mục {path}: khóa {where}: {first['msg']} / "
            f"catalog file {path}: key {where}: {first['msg']}"
        ) from exc


def _cross_check(
    national: CatalogFile, province: Province | None, paths: tuple[Path, Path | None]
) -> None:
    codes = {p.code for p in national.procedures}
    if len(codes) != len(national.procedures):
        raise CatalogError(
            f"Tệp danh mục {paths[0]}: mã thủ tục trùng nhau / duplicate procedure codes"
        )
    for e in national.exemptions:
        for code in e.procedures:
            if code not in codes:
                raise CatalogError(
                    f"Tệp danh mục {paths[0]}: khóa exemptions[{e.code}].procedures: "
                    f"không có thủ tục {code} / unknown procedure"
                )
    if province is None:
        return
    by_code = {p.code: p for p in national.procedures}
    groups: dict[tuple[str, str], list[ProvinceOverride]] = {}
    for o in province.overrides:
        proc = by_code.get(o.procedure)
        item = proc.item(o.item) if proc else None
        where = f"overrides[{o.procedure}/{o.item}]"
        if item is None:
            raise CatalogError(
                f"Tệp {paths[1]}: khóa {where}: không có khoản phí này / unknown fee item"
            )
        if item.set_by != "province":
            raise CatalogError(
                f"Tệp {paths[1]}: khóa {where}: mức thu do Bộ Tài chính quy định, tỉnh không được "
                "quy định lại / a Ministry of Finance tariff admits no provincial override"
            )
        try:
            _check_tariff_shape(item.rule, o)
        except ValueError as exc:
            raise CatalogError(f"Tệp {paths[1]}: khóa {where}: {exc}") from exc
        groups.setdefault((o.procedure, o.item), []).append(o)
    try:
        for (code, item_id), overrides in groups.items():
            _check_no_overlap(overrides, what=f"overrides[{code}/{item_id}]")
        for channel in Channel:
            for f in Field_:
                _check_no_overlap(
                    (r for r in province.channel_rules if r.channel is channel and f in r.fields),
                    what=f"channel_rules[{channel.value}/{f.value}]",
                )
    except ValueError as exc:
        raise CatalogError(f"Tệp {paths[1]}: {exc}") from exc


def load_catalog(
    path: Path | None = None, *, province: str | None = None, province_dir: Path | None = None
) -> Catalog:
    """Load and validate the catalog, with the rates of ``province`` (e.g. ``"HD"``) if given."""
    path = path or DATA_DIR / "catalog.toml"
    national = _validate(CatalogFile, path, _read(path))
    prov: Province | None = None
    prov_path: Path | None = None
    if province is not None:
        prov_path = (province_dir or DATA_DIR / "provinces") / f"{province}.toml"
        if not prov_path.exists():
            raise CatalogError(
                f"Không có tệp biểu phí của tỉnh {province} ({prov_path}) / no province file"
            )
        prov = _validate(Province, prov_path, _read(prov_path))
    _cross_check(national, prov, (path, prov_path))
    inherited: list[tuple[Inheritance, Province]] = []
    if prov is not None:
        assert prov_path is not None
        for inh in prov.inherits:
            if inh.province == prov.code:
                raise CatalogError(f"Tệp {prov_path}: tỉnh không kế thừa chính nó / self-inherit")
            former_path = prov_path.parent / f"{inh.province}.toml"
            if not former_path.exists():
                raise CatalogError(
                    f"Tệp {prov_path}: khóa inherits[{inh.province}]: không có tệp {former_path} "
                    "/ no file for the former province"
                )
            former = _with_file_mark(_validate(Province, former_path, _read(former_path)))
            _cross_check(national, former, (path, former_path))
            inherited.append((inh, former))
        prov = _with_file_mark(prov)
    return Catalog(national=national, province=prov, inherited=tuple(inherited))


def _with_file_mark(prov: Province) -> Province:
    """A province whose file-level ``unverified`` mark is copied onto each unmarked entry."""
    if not prov.unverified:
        return prov
    mark = prov.unverified
    return prov.model_copy(
        update={
            "overrides": tuple(
                o if o.unverified else o.model_copy(update={"unverified": mark})
                for o in prov.overrides
            ),
            "channel_rules": tuple(
                r if r.unverified else r.model_copy(update={"unverified": mark})
                for r in prov.channel_rules
            ),
        }
    )


@lru_cache(maxsize=8)
def default_catalog(province: str | None = "HP") -> Catalog:
    """The catalog shipped with the package, loaded once per process.

    Today's unit is phường Chu Văn An, thành phố Hải Phòng (from 1 July 2025): ``"HP"``, which
    keeps the former Hải Dương resolutions for that area. ``"HD"`` is the former province.
    """
    return load_catalog(province=province)
