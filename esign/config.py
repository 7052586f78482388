"""The service's settings: one class, read from ``ESIGN_*`` variables and a ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ESIGN_", env_file=".env", extra="ignore")

    data_dir: Path = Path("./esign-data")
    """Database (SQLite default), keys, stored PDFs."""

    database_url: str | None = None
    """``postgresql+psycopg://…`` in production; SQLite in ``data_dir`` when unset."""

    public_url: str = "http://127.0.0.1:8000"
    """The host printed in QR codes."""

    province: str | None = "HD"
    """Province code whose fee resolutions override the national tariffs (Hải Dương)."""

    environment: str = "development"
    """``production`` refuses development keys and default secrets."""

    unit_name: str = "Ủy ban nhân dân phường Văn An"
    unit_parent: str = "Thành phố Chí Linh, tỉnh Hải Dương"
    unit_tax_code: str = "0800123456"
    unit_address: str = "Phường Văn An, thành phố Chí Linh, tỉnh Hải Dương"
    issuer_lines: list[str] = ["UBND THÀNH PHỐ CHÍ LINH", "ỦY BAN NHÂN DÂN PHƯỜNG VĂN AN"]
    """The header of result documents (1 to 3 lines, the last printed bold)."""
    issuer_place: str = "Văn An"

    timestamp_urls: list[str] = []
    """RFC 3161 timestamp authorities, tried in order; empty: the development TSA in-process."""

    timestamp_token: SecretStr | None = None
    """An API token with the scope ``tsa``, for a timestamp URL that is this service's own
    ``/pki/tsa`` (which answers only its own clients). Sent only to URLs on the public host or
    on this machine (loopback), never to another TSA."""

    ocsp_url: str | None = None
    signing_level: str = "B-T"
    """PAdES level of new signatures: B-B, B-T, B-LT or B-LTA (B-T and up need a TSA; the
    development PKI's own answers in-process when ``timestamp_urls`` is empty)."""
    receipt_page_size: str = "A4"
    default_template_symbol: str = "01BLP0-001"
    default_series: str = "VA-26E"
    rate_limit_per_minute: int = 120
    """Requests per client address per minute on the public verification pages."""
    upload_limit_bytes: int = 20 * 1024 * 1024

    @property
    def sqlite_url(self) -> str:
        return f"sqlite:///{(self.data_dir / 'esign.sqlite3').resolve()}"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or self.sqlite_url


@lru_cache
def get_settings() -> Settings:
    return Settings()
