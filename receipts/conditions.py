"""Conditions on facts about a filing and its payer: the language conditional exemptions use.

A conditional exemption (e.g. Nghị quyết 66.22/2026/NQ-CP: 0 đ when the citizen has a level-2
VNeID account, files online and has integrated the required documents) is written in the
catalog's TOML as a small tree, validated on load like the rest of the catalog::

    when = { all = [
      { fact = "vneid_level", ge = 2 },
      { fact = "channel", eq = "online" },
      { fact = "documents_integrated", eq = true },
    ] }

Nodes: ``{ all = [...] }``, ``{ any = [...] }``, ``{ not = {...} }`` and a test of one fact with
exactly one of ``eq``, ``ge``, ``le``, ``in``. Facts are a closed vocabulary (:data:`FACTS`), each
with a type, so a misspelt fact or a value of the wrong type is refused when the catalog loads,
not when a citizen is charged. A fact the clerk did not state is *not met*: an exemption is never
granted on a guess. Evaluating records which facts were consulted and their values, so a quote's
line can carry the evidence of its exemption (:class:`Evidence`).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from .errors import QuoteInputError

if TYPE_CHECKING:  # the catalog imports this module for its models
    from .catalog import Catalog, Exemption, FeeItem, Procedure

FactValue = bool | int | str


class FactType(enum.StrEnum):
    BOOL = "bool"
    INT = "int"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class FactSpec:
    name: str
    type: FactType
    name_vi: str
    name_en: str
    choices: tuple[str, ...] = ()
    """For text facts: the values allowed (empty: any text)."""


FACTS: dict[str, FactSpec] = {
    f.name: f
    for f in (
        # Supplied by quote() itself from its arguments.
        FactSpec("procedure", FactType.TEXT, "Mã thủ tục", "Procedure code"),
        FactSpec(
            "channel",
            FactType.TEXT,
            "Kênh nộp hồ sơ",
            "Submission channel",
            choices=("counter", "online"),
        ),
        # Stated by the clerk from the dossier.
        FactSpec(
            "vneid_level",
            FactType.INT,
            "Mức tài khoản định danh điện tử VNeID",
            "VNeID electronic identification level",
        ),
        FactSpec(
            "documents_integrated",
            FactType.BOOL,
            "Đã tích hợp giấy tờ cần thiết trên VNeID",
            "Required documents integrated in VNeID",
        ),
        FactSpec(
            "existing_personal_papers",
            FactType.BOOL,
            "Người được đăng ký đã có hồ sơ, giấy tờ cá nhân",
            "The person already has personal records and papers",
        ),
        FactSpec(
            "mortgage_nd55",
            FactType.BOOL,
            "Hợp đồng thế chấp vay vốn theo Nghị định 55/2015/NĐ-CP",
            "Mortgage for a loan under Decree 55/2015 (agricultural credit)",
        ),
    )
}


def _check_value(fact: str, value: object) -> None:
    spec = FACTS.get(fact)
    if spec is None:
        raise ValueError(f"unknown fact {fact!r}; known facts: {', '.join(sorted(FACTS))}")
    ok = {
        FactType.BOOL: isinstance(value, bool),
        FactType.INT: isinstance(value, int) and not isinstance(value, bool),
        FactType.TEXT: isinstance(value, str),
    }[spec.type]
    if not ok:
        raise ValueError(f"fact {fact!r} is {spec.type.value}, not {value!r}")
    if spec.choices and value not in spec.choices:
        raise ValueError(f"fact {fact!r} is one of {', '.join(spec.choices)}, not {value!r}")


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class FactTest(_Node):
    fact: str
    eq: FactValue | None = None
    ge: int | None = None
    le: int | None = None
    in_: tuple[FactValue, ...] | None = Field(default=None, alias="in")

    @model_validator(mode="before")
    @classmethod
    def _strict_values(cls, data: Any) -> Any:
        # pydantic would turn `eq = 1` into True for a bool fact: check the raw values instead.
        if isinstance(data, dict) and "fact" in data:
            fact = data["fact"]
            tests = [k for k in ("eq", "ge", "le", "in") if k in data]
            if len(tests) != 1:
                raise ValueError(f"a test of fact {fact!r} has exactly one of eq, ge, le, in")
            key = tests[0]
            if fact not in FACTS:
                raise ValueError(f"unknown fact {fact!r}; known facts: {', '.join(sorted(FACTS))}")
            if key in ("ge", "le") and FACTS[fact].type is not FactType.INT:
                raise ValueError(f"{key} compares numbers; fact {fact!r} is not a number")
            values = data[key] if key == "in" else [data[key]]
            if not isinstance(values, list | tuple) or not values:
                raise ValueError("in takes a non-empty list")
            for v in values:
                _check_value(fact, v)
        return data

    def holds(self, value: FactValue | None) -> bool:
        if value is None:
            return False
        if self.eq is not None:
            return type(value) is type(self.eq) and value == self.eq
        if self.in_ is not None:
            return any(type(value) is type(v) and value == v for v in self.in_)
        if isinstance(value, bool) or not isinstance(value, int):
            return False
        if self.ge is not None:
            return value >= self.ge
        assert self.le is not None
        return value <= self.le

    def describe(self) -> str:
        name = FACTS[self.fact].name_vi
        if self.eq is not None:
            if isinstance(self.eq, bool):
                return name if self.eq else f"không: {name}"
            return f"{name} = {self.eq}"
        if self.in_ is not None:
            return f"{name} thuộc {{{', '.join(str(v) for v in self.in_)}}}"
        return f"{name} ≥ {self.ge}" if self.ge is not None else f"{name} ≤ {self.le}"


class AllOf(_Node):
    all: tuple[Condition, ...] = Field(min_length=1)

    def describe(self) -> str:
        return " và ".join(_paren(c) for c in self.all)


class AnyOf(_Node):
    any: tuple[Condition, ...] = Field(min_length=1)

    def describe(self) -> str:
        return " hoặc ".join(_paren(c) for c in self.any)


class NotOf(_Node):
    not_: Condition = Field(alias="not")

    def describe(self) -> str:
        return f"không ({self.not_.describe()})"


def _node_kind(data: Any) -> str | None:
    # Picks the node type from its key, so an error names the node that is wrong.
    if isinstance(data, dict):
        return next((k for k in ("fact", "all", "any", "not") if k in data), None)
    for model, tag in ((FactTest, "fact"), (AllOf, "all"), (AnyOf, "any"), (NotOf, "not")):
        if isinstance(data, model):
            return tag
    return None


Condition = Annotated[
    Union[  # noqa: UP007 — a forward-referenced recursive union
        Annotated[FactTest, Tag("fact")],
        Annotated[AllOf, Tag("all")],
        Annotated[AnyOf, Tag("any")],
        Annotated[NotOf, Tag("not")],
    ],
    Discriminator(_node_kind),
]
for _model in (FactTest, AllOf, AnyOf, NotOf):
    _model.model_rebuild()


def _paren(c: Condition) -> str:
    return f"({c.describe()})" if isinstance(c, AllOf | AnyOf) else c.describe()


@dataclass(frozen=True, slots=True)
class FactUse:
    """One fact a decision consulted, with the value it had (``None``: not stated)."""

    fact: str
    value: FactValue | None
    name_vi: str


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a line is exempt: the exemption, its basis, its condition and the facts it read."""

    exemption_code: str
    legal_basis: str
    condition_vi: str
    facts: tuple[FactUse, ...]
    period: str | None = None
    """The exemption's period in force, for a time-boxed one ("15/08/2026–28/02/2027")."""


def facts_used(condition: Condition, facts: Mapping[str, FactValue]) -> tuple[FactUse, ...]:
    """Every fact the condition names, in order of first mention, with its stated value."""
    names: list[str] = []

    def walk(c: Condition) -> None:
        if isinstance(c, FactTest):
            if c.fact not in names:
                names.append(c.fact)
        elif isinstance(c, AllOf):
            for x in c.all:
                walk(x)
        elif isinstance(c, AnyOf):
            for x in c.any:
                walk(x)
        else:
            walk(c.not_)

    walk(condition)
    return tuple(FactUse(n, facts.get(n), FACTS[n].name_vi) for n in names)


def evaluate(condition: Condition, facts: Mapping[str, FactValue]) -> bool:
    """Whether ``condition`` holds; a fact not stated makes its test false."""
    if isinstance(condition, FactTest):
        return condition.holds(facts.get(condition.fact))
    if isinstance(condition, AllOf):
        return all(evaluate(c, facts) for c in condition.all)
    if isinstance(condition, AnyOf):
        return any(evaluate(c, facts) for c in condition.any)
    return not evaluate(condition.not_, facts)


def check_facts(facts: Mapping[str, object]) -> dict[str, FactValue]:
    """The facts a caller states, checked against the vocabulary (names, types, choices)."""
    checked: dict[str, FactValue] = {}
    for name, value in facts.items():
        try:
            _check_value(name, value)
        except ValueError as exc:
            raise QuoteInputError(
                f"Thông tin hồ sơ không hợp lệ: {exc} / invalid filing fact: {exc}"
            ) from exc
        assert isinstance(value, bool | int | str)
        checked[name] = value
    return checked


def static_evidence(exemption: Exemption, proc: Procedure) -> Evidence:
    """The evidence of a payer-category or procedure exemption: the one fact it rests on."""
    if exemption.kind == "category":
        fact = FactUse("payer_category", exemption.code, "Đối tượng được miễn")
    else:
        fact = FactUse("procedure", proc.code, FACTS["procedure"].name_vi)
    return Evidence(
        exemption_code=exemption.code,
        legal_basis=exemption.legal_basis,
        condition_vi=exemption.name_vi,
        facts=(fact,),
        period=exemption.describe_period(),
    )


def conditional_exemption(
    proc: Procedure,
    item: FeeItem,
    on: dt.date,
    facts: Mapping[str, FactValue],
    catalog: Catalog,
) -> tuple[Exemption, Evidence] | tuple[None, None]:
    """The first conditional exemption in force on ``on`` whose condition the facts meet."""
    for exemption in catalog.conditional_exemptions():
        if (
            proc.code in exemption.procedures
            and item.charge in exemption.charges
            and exemption.in_force(on)
            and exemption.when is not None
            and evaluate(exemption.when, facts)
        ):
            return exemption, Evidence(
                exemption_code=exemption.code,
                legal_basis=exemption.legal_basis,
                condition_vi=exemption.when.describe(),
                facts=facts_used(exemption.when, facts),
                period=exemption.describe_period(),
            )
    return None, None
