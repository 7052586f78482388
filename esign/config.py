"""The service's settings: one class, read from ``ESIGN_*`` variables and a ``.env`` file.

Typed so that a mistake stops the start, not the first receipt: the environment and the
signing level are enums (``ESIGN_ENVIRONMENT=prod`` is refused, not silently "not
production"), the page size is the renderer's own, symbols and URLs are checked, the province
must have a rates file."""

from __future__ import annotations

import enum
from functools import lru_cache
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    Field,
    PositiveInt,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from receipts.catalog import DATA_DIR as CATALOG_DIR
from receipts.pdf.geometry import PageSize

from .errors import ConfigurationError
from .signing.levels import PadesLevel


class Environment(enum.StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http(s) URL with a host")
    return value.rstrip("/")


HttpUrl = Annotated[str, AfterValidator(_http_url)]
"""An http(s) URL kept as text (it is joined into links), without a trailing slash."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ESIGN_", env_file=".env", extra="ignore")

    data_dir: Path = Path("./esign-data")
    """Database (SQLite default), keys, stored PDFs."""

    database_url: str | None = None
    """``postgresql+psycopg://…`` in production; SQLite in ``data_dir`` when unset."""

    public_url: HttpUrl = "http://127.0.0.1:8000"
    """The host printed in QR codes."""

    province: str | None = "HP"
    """Province code whose fee resolutions override the national tariffs: Hải Phòng, which the
    ward belongs to since 1/7/2025 (Nghị quyết 1669/NQ-UBTVQH15, Điều 1 khoản 34; the unit
    profile's ``province``, ``esign/data/units.toml``)."""

    environment: Environment = Environment.DEVELOPMENT
    """``production`` refuses development keys and default secrets."""

    # The unit's identity is dated data (esign/data/units.toml, esign/units.py). These override
    # fields of *today's* profile for a deployment; None keeps the data file's value.
    unit_name: str | None = None
    unit_parent: str | None = None
    unit_tax_code: str | None = Field(default=None, pattern=r"^\d{10}(-\d{3})?$")
    """Mã số thuế: 10 digits, or 10-3 for a dependent unit."""
    unit_address: str | None = None
    unit_signing_location: str | None = None
    issuer_lines: list[str] | None = Field(default=None, min_length=1, max_length=3)
    """The header of result documents (1 to 3 lines, the last printed bold)."""
    issuer_place: str | None = None
    receipt_series_letters: str | None = Field(default=None, pattern=r"^[ABCDEGHKLMNPQRSTUVXY]{2}$")
    """The unit's two letters in the receipt symbol (``26TVA``: TT 91/2026 Phụ lục II.2.b)."""

    timestamp_urls: list[HttpUrl] = []
    """RFC 3161 timestamp authorities, tried in order; empty: the development TSA in-process."""

    timestamp_token: SecretStr | None = None
    """An API token with the scope ``tsa``, for a timestamp URL that is this service's own
    ``/pki/tsa`` (which answers only its own clients). Sent only to URLs on the public host or
    on this machine (loopback), never to another TSA."""

    ocsp_url: HttpUrl | None = None
    signing_level: PadesLevel = PadesLevel.B_T
    """PAdES level of new signatures: B-B, B-T, B-LT or B-LTA (B-T and up need a TSA; the
    development PKI's own answers in-process when ``timestamp_urls`` is empty)."""
    receipt_page_size: PageSize = PageSize.A4
    rate_limit_per_minute: PositiveInt = 120
    """Requests per client address per minute on the public verification pages."""
    upload_limit_bytes: PositiveInt = 20 * 1024 * 1024

    @field_validator("province")
    @classmethod
    def _province_has_rates(cls, value: str | None) -> str | None:
        if value is not None and not (CATALOG_DIR / "provinces" / f"{value}.toml").is_file():
            known = sorted(p.stem for p in (CATALOG_DIR / "provinces").glob("*.toml"))
            raise ValueError(f"no rates file for province {value!r} (known: {known})")
        return value

    @property
    def production(self) -> bool:
        return self.environment is Environment.PRODUCTION

    @property
    def sqlite_url(self) -> str:
        return f"sqlite:///{(self.data_dir / 'esign.sqlite3').resolve()}"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or self.sqlite_url


@lru_cache
def get_settings() -> Settings:
    """The process's settings; a wrong ``ESIGN_*`` value is one clear error naming it."""
    try:
        return Settings()
    except ValidationError as exc:
        wrong = "; ".join(
            f"ESIGN_{'_'.join(str(p) for p in e['loc'][:1]).upper()}: {e['msg']}"
            for e in exc.errors()
        )
        raise ConfigurationError(
            f"Cấu hình không hợp lệ: {wrong}", f"Invalid settings: {wrong}"
        ) from exc
