"""The verification report as the HTTP faces answer it: pydantic models derived field by field
from :class:`esign.signing.report.SignatureReport` and :class:`VerificationReport`, here and
nowhere else. A field added to the dataclasses appears in the API without an edit; the schema
names are clean (``SignatureReportPublic``, no module path in the OpenAPI document)."""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model

from ..signing.report import Finding, SignatureReport, VerificationReport


class _FromReport(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)


def _public_type(hint: Any, derived: dict[type, type[BaseModel]]) -> Any:
    """The field type of the model: a dataclass becomes its derived model, a tuple a list."""
    if isinstance(hint, type) and hint in derived:
        return derived[hint]
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return list[_public_type(args[0], derived)]  # type: ignore[misc]
    if origin in (typing.Union, types.UnionType):
        return typing.Union[tuple(_public_type(a, derived) for a in args)]  # noqa: UP007
    return hint


def public_model(
    source: type, *, name: str, derived: dict[type, type[BaseModel]] | None = None
) -> type[BaseModel]:
    """A pydantic model with ``source``'s dataclass fields, types and defaults; nested
    dataclasses map to the models in ``derived``."""
    hints = typing.get_type_hints(source)
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(source):
        default: Any = ...
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        fields[f.name] = (_public_type(hints[f.name], derived or {}), default)
    model: type[BaseModel] = create_model(
        name,
        __base__=_FromReport,
        __module__=__name__,
        __doc__=f"As {source.__module__}.{source.__name__}.",
        **fields,
    )
    return model


SignatureReportPublic = public_model(SignatureReport, name="SignatureReportPublic")
FindingPublic = public_model(Finding, name="FindingPublic")
VerificationReportPublic = public_model(
    VerificationReport,
    name="VerificationReportPublic",
    derived={SignatureReport: SignatureReportPublic, Finding: FindingPublic},
)
