"""The ward's identity by date (``esign/data/units.toml``): name, address, tax code, header
lines, the place of the date line, the signing location, the seal certificate's subject, the
province whose tariffs apply and the receipt series letters, each profile with its citations.

Until 30 June 2025: UBND phường Văn An (thành phố Chí Linh, tỉnh Hải Dương; unit code 10579).
From 1 July 2025: UBND phường Chu Văn An, thành phố Hải Phòng (Nghị quyết 1669/NQ-UBTVQH15,
Điều 1 khoản 34; unit code 10549). A document takes the profile in force on its issue day
(:func:`unit_on`) and keeps it in its snapshot. A deployment may override fields of *today's*
profile through the settings (``ESIGN_UNIT_NAME``…); older profiles are history and are never
overridden, so an old document re-rendered from data names the unit it was issued by.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic import ValidationError as PydanticValidationError

from receipts.calendar import VIETNAM_TZ
from receipts.catalog import UnverifiedItem

from .config import Settings
from .errors import ConfigurationError

UNITS_FILE = Path(__file__).parent / "data" / "units.toml"

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Unit(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Annotated[str, StringConstraints(pattern=r"^\d{5}$")]
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    name: Text
    parent: Text
    address: Text
    tax_code: Annotated[str, StringConstraints(pattern=r"^\d{10}(-\d{3})?$")]
    tax_code_unverified: str | None = None
    header_lines: tuple[Text, ...] = Field(min_length=1, max_length=3)
    place: Text
    signing_location: Text
    seal_subject: Text
    province: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,3}$")]
    series_letters: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    citations: tuple[Text, ...] = Field(min_length=1)


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1]
    units: tuple[_Unit, ...] = Field(min_length=1)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True, kw_only=True)
class DatedUnit:
    """One profile of the ward, in force from ``effective_from`` to ``effective_to``."""

    code: str
    """Mã đơn vị hành chính (10579, then 10549)."""
    effective_from: dt.date | None
    effective_to: dt.date | None
    name: str
    parent: str
    address: str
    tax_code: str
    tax_code_unverified: str | None
    """Why the tax code is not sourced (shown to the administrator); None when checked."""
    header_lines: tuple[str, ...]
    place: str
    signing_location: str
    seal_subject: str
    province: str
    series_letters: str
    citations: tuple[str, ...]

    def in_force(self, day: dt.date) -> bool:
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_to is None or day <= self.effective_to
        )


@lru_cache(maxsize=4)
def load_units(path: Path = UNITS_FILE) -> tuple[DatedUnit, ...]:
    """Every profile, oldest first; their periods follow one another without gap or overlap."""
    try:
        with path.open("rb") as f:
            data = _File.model_validate(tomllib.load(f))
    except (OSError, tomllib.TOMLDecodeError, PydanticValidationError) as exc:
        raise ConfigurationError(
            f"Tệp đơn vị {path} không đọc được: {exc}", f"cannot read unit profiles {path}"
        ) from exc
    units = sorted(
        (
            DatedUnit(
                **{  # type: ignore[arg-type]
                    k: (_nfc(v) if isinstance(v, str) else v)
                    for k, v in u.model_dump(exclude={"header_lines", "citations"}).items()
                },
                header_lines=tuple(_nfc(x) for x in u.header_lines),
                citations=tuple(_nfc(x) for x in u.citations),
            )
            for u in data.units
        ),
        key=lambda u: u.effective_from or dt.date.min,
    )
    for a, b in itertools.pairwise(units):
        if (
            a.effective_to is None
            or b.effective_from is None
            or a.effective_to + dt.timedelta(days=1) != b.effective_from
        ):
            raise ConfigurationError(
                f"Tệp đơn vị {path}: {a.code}/{b.code} hở hoặc chồng thời gian",
                f"unit profiles {a.code}/{b.code} leave a gap or overlap",
            )
    if units[0].effective_from is not None or units[-1].effective_to is not None:
        raise ConfigurationError(
            f"Tệp đơn vị {path}: phải bao trọn thời gian", "unit profiles must cover all time"
        )
    return tuple(units)


def _overridden(unit: DatedUnit, settings: Settings) -> DatedUnit:
    changes: dict[str, Any] = {
        field: _nfc(value) if isinstance(value, str) else value
        for field, value in (
            ("name", settings.unit_name),
            ("parent", settings.unit_parent),
            ("address", settings.unit_address),
            ("tax_code", settings.unit_tax_code),
            ("place", settings.issuer_place),
            ("signing_location", settings.unit_signing_location),
            ("series_letters", settings.receipt_series_letters),
        )
        if value is not None
    }
    if settings.issuer_lines is not None:
        changes["header_lines"] = tuple(_nfc(x) for x in settings.issuer_lines)
    if settings.unit_tax_code is not None:
        # The deployment states its tax code: the data file's "unverified" no longer applies.
        changes["tax_code_unverified"] = None
    return dataclasses.replace(unit, **changes) if changes else unit


def unit_on(settings: Settings, *, on: dt.date) -> DatedUnit:
    """The profile in force on ``on`` (a Vietnam date); today's with the settings' overrides."""
    units = load_units()
    found = next(u for u in units if u.in_force(on))
    return _overridden(found, settings) if found is units[-1] else found


def unit_unverified(settings: Settings) -> tuple[UnverifiedItem, ...]:
    """The marks of today's unit profile, in the shape of ``receipts.unverified_law``: for the
    administrator's one list (the tax code of the merged ward is not sourced, LAW.md)."""
    unit = current_unit(settings)
    if unit.tax_code_unverified is None:
        return ()
    return (
        UnverifiedItem(
            f"units.toml units[{unit.code}] tax_code",
            f"Mã số thuế {unit.tax_code} của {unit.name}",
            unit.tax_code_unverified,
        ),
    )


def today(settings: Settings) -> dt.date:
    del settings  # the day is Vietnam's, whatever the deployment
    return dt.datetime.now(VIETNAM_TZ).date()


def current_unit(settings: Settings) -> DatedUnit:
    """Today's unit: what the pages, the demo and the signer's location name."""
    return unit_on(settings, on=today(settings))


__all__ = ["UNITS_FILE", "DatedUnit", "current_unit", "load_units", "unit_on", "unit_unverified"]
