"""The procedure catalog: procedures, fee items, tariffs, exemptions and channel rules as data.

The catalog is TOML (``receipts/data/catalog.toml`` for the national rules, one file per
province under ``receipts/data/provinces/`` for the rates a provincial People's Council sets),
validated on load by pydantic models that reject unknown keys. Loading fails with a
:class:`~receipts.errors.CatalogError` that names the file and the key when a file is malformed,
an item has no legal basis, an amount is negative or two tariffs of one item overlap in time.
"""

from __future__ import annotations

import datetime as dt
import enum
import tomllib
import unicodedata
from collections.abc import Iterable
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

from .errors import CatalogError

DATA_DIR = Path(__file__).parent / "data"
_M = TypeVar("_M", bound=BaseModel)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Amount = Annotated[int, Field(ge=0, strict=True)]


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
    amount: Amount | None = None
    tiers: tuple[Tier, ...] = ()
    cap_per_copy: Amount | None = None


class FeeItem(_Model):
    id: Text
    name_vi: Text
    name_en: Text
    charge: Literal["phi", "le_phi"]
    """Fee (phí, for a service) or charge (lệ phí, for a State act): receipts name them apart."""
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
    legal_basis: Text
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


class Exemption(_Model):
    """A reason a fee line is 0 đ: a category of payer, or a condition of the procedure."""

    code: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,40}$")]
    kind: Literal["category", "procedure"]
    name_vi: Text
    name_en: Text
    legal_basis: Text
    fields: tuple[Field_, ...] = ()
    """Payer categories: the fields whose fees they exempt."""
    procedures: tuple[str, ...] = ()
    """Procedure conditions: the procedures they always exempt."""
    charges: tuple[Literal["phi", "le_phi"], ...] = ("le_phi",)


class ProvinceOverride(Tariff):
    procedure: Text
    item: Text


class ChannelRule(Period):
    """A reduction for a submission channel, e.g. 50% for dossiers submitted online."""

    channel: Channel
    percent: Annotated[int, Field(ge=1, le=100, strict=True)]
    fields: tuple[Field_, ...]
    legal_basis: Text


class Province(_Model):
    code: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,4}$")]
    name_vi: Text
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


class Catalog:
    """The loaded catalog for one province: read-only once built."""

    def __init__(self, *, national: CatalogFile, province: Province | None) -> None:
        self.procedures: dict[str, Procedure] = {p.code: p for p in national.procedures}
        self.exemptions: dict[str, Exemption] = {e.code: e for e in national.exemptions}
        self.province = province

    def overrides_for(self, code: str, item_id: str) -> tuple[ProvinceOverride, ...]:
        if self.province is None:
            return ()
        return tuple(
            o for o in self.province.overrides if o.procedure == code and o.item == item_id
        )

    @property
    def channel_rules(self) -> tuple[ChannelRule, ...]:
        return self.province.channel_rules if self.province else ()


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
    return Catalog(national=national, province=prov)


@lru_cache(maxsize=8)
def default_catalog(province: str | None = "HD") -> Catalog:
    """The catalog shipped with the package, loaded once per process."""
    return load_catalog(province=province)
